/** A pino logger writing to memory, for asserting log records field by field. */
import { Writable } from 'node:stream';
import pino from 'pino';

export interface MemoryLogger {
  logger: pino.Logger;
  records: () => Array<Record<string, unknown>>;
  text: () => string;
}

export function memoryLogger(level: pino.Level = 'debug'): MemoryLogger {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level, base: null }, stream);
  const text = (): string => chunks.join('');
  return {
    logger,
    text,
    records: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
