/** Runs `fn` and returns the FaultlineConfigError it throws; fails the test otherwise. */
import { FaultlineConfigError } from '../../src/core/errors.js';

export function configError(fn: () => unknown): FaultlineConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FaultlineConfigError) return err;
    throw err;
  }
  throw new Error('expected a FaultlineConfigError');
}
