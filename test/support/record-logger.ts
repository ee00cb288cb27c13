/** A logger that keeps faultline's records in memory, for assertions. */
export interface MemoryLogger {
  readonly records: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }>;
  /** pino-like: request-logger reuse requires a string level. */
  readonly level: string;
  error(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export function memoryLogger(): MemoryLogger {
  const records: MemoryLogger['records'] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      records.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  return { records, level: 'debug', error: at('error'), info: at('info'), debug: at('debug') };
}

/** Waits until `check` holds (records are written asynchronously after a broken stream). */
export async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
