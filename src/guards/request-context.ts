/**
 * request-context: which request is running, through AsyncLocalStorage, so a failure outside any
 * handler's try/catch (a throw in a timer, an emitter's 'error') can still be charged to its
 * request. Only used while a process guard is installed: the happy path pays nothing otherwise.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NodeRequest, NodeResponse } from '../core/deliver-node.js';

/** The request an async context belongs to. */
export interface RequestContext {
  readonly req: NodeRequest;
  readonly res: NodeResponse;
}

/** The storage; `run` it around a handler, `getStore()` in the crash handler. */
export const requestContext = new AsyncLocalStorage<RequestContext>();
