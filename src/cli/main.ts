#!/usr/bin/env node
/**
 * The `faultline` command: `demo` serves the demo app; `check` audits a server's error responses;
 * `--help` lists commands.
 */
import type { Server } from 'node:http';
import { loadConfigFile } from '../core/config-file.js';
import { isFaultlineError } from '../core/errors.js';
import type { NodeFaultline } from '../core/node-faultline.js';
import { createDemoServer, DEMO_ROUTES } from '../demo/app.js';
import { checkCommand } from './check/index.js';

const HELP = `faultline — what an HTTP server does when it fails

Usage:
  faultline demo [--port N] [--host H] [--config FILE]
                                         serve the demo app (default 127.0.0.1:3000; env PORT overrides)
                                         with options from faultline.config.json (see schema/)
  faultline check <url> [--path /r ...]  audit a server's error responses for leaks and mistakes
                                         (--json, --fail-on warn|error, --allow-unsafe; check --help)
  faultline --help                       show this help

Docs: README.md`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

async function demo(args: string[]): Promise<void> {
  const port = Number(option(args, '--port') ?? process.env.PORT ?? 3000);
  const host = option(args, '--host') ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`faultline demo: --port must be an integer 0–65535, got ${String(port)}`);
    process.exit(2);
  }
  const configPath = option(args, '--config');
  let server: Server;
  let fl: NodeFaultline;
  try {
    const options = configPath === undefined ? undefined : await loadConfigFile(configPath);
    ({ server, faultline: fl } = createDemoServer(
      options === undefined ? {} : { faultline: options },
    ));
  } catch (err) {
    // Invalid configuration fails at startup with the key and the fix, not a stack trace.
    console.error(isFaultlineError(err) ? err.message : err);
    process.exit(2);
  }
  server.listen(port, host, () => {
    const addr = server.address();
    const url = `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}`;
    console.log(`faultline demo on ${url}/`);
    for (const [path, what] of DEMO_ROUTES) console.log(`  ${url}${path}  — ${what}`);
    console.log('Log lines (JSON, with incident ids) follow on stderr.');
  });
  // Ctrl-C and SIGTERM drain as a production server does: the drain's one line, then the
  // pending storm summaries (exact counts), then exit 0. A second Ctrl-C exits at once.
  fl.guardProcess({ servers: server, graceMs: 2000 });
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'demo':
    await demo(rest);
    break;
  case 'check':
    process.exitCode = await checkCommand(rest);
    break;
  case undefined:
  case '--help':
  case '-h':
  case 'help':
    console.log(HELP);
    break;
  default:
    console.error(`faultline: unknown command "${command}"\n\n${HELP}`);
    process.exit(2);
}
