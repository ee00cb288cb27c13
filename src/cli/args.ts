/**
 * args: the one argument parser of the CLI (node:util parseArgs), with messages that name the
 * command, the option and the fix instead of parseArgs' generic text.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command-line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] as number;
}

function closest(word: string, known: readonly string[]): string | undefined {
  const w = word.replace(/^-+/, '').split('=')[0] ?? '';
  let best: string | undefined;
  let score = 3;
  for (const k of known) {
    const d = distance(w, k);
    if (d < score) [best, score] = [k, d];
  }
  return best;
}

/** Parses `args` strictly against `options`; unknown options and missing values throw UsageError. */
export function parse<O extends Options>(
  command: string,
  args: string[],
  options: O,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ options: O; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = (err as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']+)'/.exec(message)?.[1] ?? '';
      const guess = closest(option, Object.keys(options));
      throw new UsageError(
        `${command}: unknown option "${option}"${guess ? ` (did you mean --${guess}?)` : ''}`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const value = /'([^']+)'/.exec(message)?.[1] ?? '';
      throw new UsageError(`${command}: unexpected argument "${value}"`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const option = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
      throw new UsageError(
        `${command}: option ${option} ${/missing/.test(message) ? 'needs a value' : 'takes no value'}`,
      );
    }
    throw err;
  }
}
