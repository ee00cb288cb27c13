/**
 * A real pino logger writing to memory: tests assert on the exact JSON lines pino produces.
 */
import pino from 'pino';

/** A pino logger at `level` whose output lines are kept in `lines`. */
export function memoryLogger(level: pino.LevelWithSilent = 'debug'): {
  logger: pino.Logger;
  lines: string[];
  records: () => Array<Record<string, unknown>>;
  text: () => string;
} {
  const lines: string[] = [];
  const logger = pino(
    { base: null, level },
    {
      write(line: string) {
        lines.push(line);
      },
    },
  );
  return {
    logger,
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}
