/**
 * Errors thrown by faultline itself. Every one carries a stable `FAULTLINE_*` code from the
 * table below; the table is pinned by a test against the README so docs and code cannot drift.
 */

/** Stable codes of errors faultline throws, with what each means. */
export const FAULTLINE_ERROR_CODES = {
  FAULTLINE_INVALID_OPTION:
    'An option passed to faultline is invalid; the message names the key and the fix.',
  FAULTLINE_INVALID_HTTP_ERROR: 'HttpError was constructed with a status outside 400–599.',
} as const;

/** One of faultline's stable error codes. */
export type FaultlineErrorCode = keyof typeof FAULTLINE_ERROR_CODES;

const BRAND = Symbol.for('faultline.error');

/** Base of errors thrown by faultline itself (configuration, misuse). */
export class FaultlineError extends Error {
  override readonly name: string = 'FaultlineError';
  readonly code: FaultlineErrorCode;
  readonly [BRAND] = true;

  constructor(code: FaultlineErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Invalid configuration, raised at startup. The message names the key, the value and the fix. */
export class FaultlineConfigError extends FaultlineError {
  override readonly name = 'FaultlineConfigError';
  /** The option path that is wrong, e.g. `errorDocuments.500`. */
  readonly key: string;

  constructor(key: string, problem: string, fix: string) {
    super('FAULTLINE_INVALID_OPTION', `faultline: option "${key}" ${problem}. Fix: ${fix}`);
    this.key = key;
  }
}

/** True for any error thrown by faultline itself, across realms and duplicate installs. */
export function isFaultlineError(value: unknown): value is FaultlineError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}
