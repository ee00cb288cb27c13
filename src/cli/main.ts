#!/usr/bin/env node
/**
 * The `faultline` command: `demo` serves the demo app; `check` audits a server's error responses;
 * `--help` lists commands; `--version` prints the version. Global options and `demo` go through
 * the one parser in args.ts; `check` parses its own options the same way (node:util parseArgs).
 */
import { readFileSync } from 'node:fs';
import { parse, UsageError } from './args.js';
import { checkCommand } from './check/index.js';
import { demoCommand } from './demo.js';

const HELP = `faultline — what an HTTP server does when it fails

Usage:
  faultline demo [--port N] [--host H] [--config FILE]
                                         serve the demo app (default 127.0.0.1:3000; env PORT overrides)
                                         with options from faultline.config.json (see schema/)
  faultline check <url> [--path /r ...]  audit a server's error responses for leaks and mistakes
                                         (--json, --fail-on warn|error, --allow-unsafe; check --help)
  faultline --version                    print the version
  faultline --help                       show this help (demo --help, check --help for theirs)

Docs: README.md`;

function version(): string {
  // dist/cli/main.js -> the package root, in the repository and in an installed package alike.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo':
      return demoCommand(rest);
    case 'check':
      return checkCommand(rest);
    case 'help':
      console.log(HELP);
      return 0;
    default:
      if (command !== undefined && !command.startsWith('-')) {
        console.error(`faultline: unknown command "${command}"\n\n${HELP}`);
        return 2;
      }
  }
  try {
    const { values } = parse('faultline', argv, {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    });
    if (values.version) console.log(version());
    else console.log(HELP);
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${HELP}`);
    return 2;
  }
}

const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
