import { afterEach, describe, expect, it, vi } from 'vitest';
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

  describe('debug under NODE_ENV=production', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('refuses debug: true, naming the option and the override', () => {
      for (const env of ['production', ' Production ']) {
        vi.stubEnv('NODE_ENV', env);
        const err = configError(() => resolveOptions({ logger: false, debug: true }));
        expect(err.code).toBe('FAULTLINE_INVALID_OPTION');
        expect(err.key).toBe('debug');
        expect(err.message).toContain('NODE_ENV is "production"');
        expect(err.message).toContain("debugInProduction: 'i-understand-the-risk'");
      }
      expect(resolveOptions({ logger: false, debug: false }).debug).toBe(false);
    });

    it('accepts the deliberately named override, and nothing that merely looks like yes', () => {
      vi.stubEnv('NODE_ENV', 'production');
      expect(
        resolveOptions({ logger: false, debug: true, debugInProduction: 'i-understand-the-risk' })
          .debug,
      ).toBe(true);
      for (const value of [true, 'true', 1, 'yes', 'I-UNDERSTAND-THE-RISK']) {
        const err = configError(() =>
          resolveOptions({ logger: false, debug: true, debugInProduction: value as never }),
        );
        expect(err.key).toBe('debugInProduction');
        expect(err.message).toContain("must be 'i-understand-the-risk' or left out");
      }
    });

    it('leaves debug alone in other environments', () => {
      for (const env of ['development', 'test', '']) {
        vi.stubEnv('NODE_ENV', env);
        expect(resolveOptions({ logger: false, debug: true }).debug).toBe(true);
      }
    });
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
