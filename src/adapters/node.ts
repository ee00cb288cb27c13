/**
 * faultline/node: node:http (and node:http2 compatibility API) integration. The behaviour lives
 * in the core (`core/node-faultline.ts`); this module is the public entry point.
 */
import { NodeFaultline } from '../core/node-faultline.js';
import type { FaultlineOptions } from '../core/options.js';

export type { NodeRequest, NodeResponse } from '../core/deliver-node.js';
export { type ErrorContext, errorContext } from '../core/internal-redirect.js';
export { type FailOptions, NodeFaultline, type NodeHandler } from '../core/node-faultline.js';
export type { ClientError, ClientSocket } from '../core/parse-error.js';
export { ProcessGuard, type ProcessGuardOptions } from '../guards/process-guard.js';
export { abortSignal, setDeadline } from '../guards/request-lifecycle.js';

/**
 * Creates faultline for node:http and node:http2 (compatibility API). Options are validated now;
 * an existing instance is returned as is (one configuration shared across servers).
 * @example
 * import http from 'node:http';
 * import { faultline } from 'faultline/node';
 * const fl = faultline();
 * const server = fl.attach(http.createServer(fl.handle(app)));
 * // HTTP/2, with or without TLS:
 * http2.createSecureServer({ key, cert, allowHTTP1: true }, fl.handle(app));
 */
export function faultline(options?: FaultlineOptions | NodeFaultline): NodeFaultline {
  return options instanceof NodeFaultline ? options : new NodeFaultline(options);
}
