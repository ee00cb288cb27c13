/** The error `createClient(options)` throws for invalid options; fails the test if it does not. */
import {
  type ClientOptions,
  createClient,
  isInvalidClientOptionError,
} from '../../../src/client/index.js';

export function invalid(options: unknown) {
  try {
    createClient(options as ClientOptions);
  } catch (error) {
    if (isInvalidClientOptionError(error)) return error;
    throw error;
  }
  throw new Error('expected createClient to throw');
}
