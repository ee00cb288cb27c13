/**
 * `faultline demo`: serves the demo app. Options are parsed by the CLI's one parser; the log is
 * pretty in a terminal when pino-pretty is installed (a dev dependency: the published package
 * does not depend on it) and JSON lines otherwise, e.g. when piped.
 */
import type { Server } from 'node:http';
import pino from 'pino';
import { loadConfigFile } from '../core/config-file.js';
import { isFaultlineError } from '../core/errors.js';
import type { NodeFaultline } from '../core/node-faultline.js';
import type { FaultlineOptions } from '../core/options.js';
import type { LoggerLike } from '../core/report.js';
import { createDemoServer, DEMO_ROUTES } from '../demo/app.js';
import { parse, UsageError } from './args.js';

export const DEMO_HELP = `Usage: faultline demo [options]

Serves the demo app: one route per way of failing, behind faultline/node.

Options:
  --port N         port to listen on (default: env PORT, else 3000; 0 picks a free one)
  --host H         address to listen on (default 127.0.0.1)
  --config FILE    faultline options from a JSON or .mjs file (schema: schema/)
  -h, --help       show this help
The log goes to stderr: readable in a terminal (with pino-pretty installed), JSON lines otherwise.`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function portOf(raw: string, from: string): number {
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535)
    throw new UsageError(`faultline demo: ${from} must be an integer 0–65535, got "${raw}"`);
  return port;
}

/** pino-pretty on a terminal, when it can be loaded; undefined keeps faultline's JSON default. */
async function terminalLogger(): Promise<LoggerLike | undefined> {
  if (!process.stderr.isTTY) return undefined;
  try {
    // A computed specifier: the package is optional, its types need not exist where this builds.
    const name = 'pino-pretty';
    const { default: pretty } = (await import(name)) as {
      default: (options: object) => pino.DestinationStream;
    };
    // Typed as LoggerLike: pino's Logger has an index signature that a promise would mistake for a `then`.
    const logger: LoggerLike = pino(
      { base: null },
      pretty({ destination: 2, translateTime: 'SYS:HH:MM:ss' }),
    );
    return logger;
  } catch {
    return undefined; // Not installed (the published package): JSON lines.
  }
}

/**
 * Runs `faultline demo`; resolves to an exit code when it does not serve (help, usage error,
 * bad config), or to undefined while the server runs.
 */
export async function demoCommand(args: string[]): Promise<number | undefined> {
  let values: { port?: string; host?: string; config?: string; help?: boolean };
  let port: number;
  try {
    ({ values } = parse('faultline demo', args, OPTIONS));
    if (values.help) {
      console.log(DEMO_HELP);
      return 0;
    }
    port =
      values.port !== undefined
        ? portOf(values.port, '--port')
        : process.env.PORT !== undefined
          ? portOf(process.env.PORT, 'PORT')
          : 3000;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\nRun "faultline demo --help" for the options.`);
    return 2;
  }
  const host = values.host ?? '127.0.0.1';
  let server: Server;
  let fl: NodeFaultline;
  try {
    const fromFile: FaultlineOptions =
      values.config === undefined ? {} : await loadConfigFile(values.config);
    const logger = fromFile.logger === undefined ? await terminalLogger() : undefined;
    const options = logger === undefined ? fromFile : { ...fromFile, logger };
    ({ server, faultline: fl } = createDemoServer({ faultline: options }));
  } catch (err) {
    // Invalid configuration fails at startup with the key and the fix, not a stack trace.
    console.error(isFaultlineError(err) ? err.message : err);
    return 2;
  }
  server.listen(port, host, () => {
    const addr = server.address();
    const url = `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}`;
    console.log(`faultline demo on ${url}/`);
    for (const [path, what] of DEMO_ROUTES) console.log(`  ${url}${path}  — ${what}`);
    console.log('Log lines, with incident ids, follow on stderr.');
  });
  // Ctrl-C and SIGTERM drain as a production server does: the drain's one line, then the
  // pending storm summaries (exact counts), then exit 0. A second Ctrl-C exits at once.
  fl.guardProcess({ servers: server, graceMs: 2000 });
  return undefined;
}
