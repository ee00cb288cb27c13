import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/core/options.js';
import { configError } from '../support/config-error.js';

describe('resolveOptions', () => {
  it('applies safe defaults', () => {
    const o = resolveOptions({ logger: false });
    expect(o).toMatchObject({ debug: false, requestIdHeader: 'x-request-id', logger: undefined });
  });

  it('names the key, the value and the fix', () => {
    const typo = configError(() => resolveOptions({ debgu: true } as never));
    expect(typo.key).toBe('debgu');
    expect(typo.code).toBe('FAULTLINE_INVALID_OPTION');
    expect(typo.message).toContain('did you mean "debug"');
    expect(configError(() => resolveOptions({ debug: 'yes' } as never)).message).toMatch(
      /"debug" must be true or false, got "yes". Fix:/,
    );
    expect(configError(() => resolveOptions({ logger: {} as never })).key).toBe('logger');
    expect(configError(() => resolveOptions({ requestIdHeader: 'bad header' })).key).toBe(
      'requestIdHeader',
    );
    expect(configError(() => resolveOptions({ preserveHeaders: ['ok', 'not ok'] })).key).toBe(
      'preserveHeaders',
    );
  });

  it("defaults levels to pino-http's and validates them, naming the key", () => {
    expect(resolveOptions({ logger: false }).levels).toEqual({
      '5xx': 'error',
      '4xx': 'warn',
      '499': 'info',
    });
    expect(resolveOptions({ logger: false, levels: { '4xx': 'info' } }).levels).toEqual({
      '5xx': 'error',
      '4xx': 'info',
      '499': 'info',
    });
    const bad = configError(() => resolveOptions({ levels: { '4xx': 'loud' } as never }));
    expect(bad.key).toBe('levels.4xx');
    expect(bad.message).toMatch(/got "loud".*fatal, error, warn, info, debug, trace/);
    expect(configError(() => resolveOptions({ levels: { '3xx': 'info' } as never })).key).toBe(
      'levels.3xx',
    );
    expect(configError(() => resolveOptions({ levels: 'warn' as never })).key).toBe('levels');
  });
});
