import { describe, expect, it } from 'vitest';
import { scrubHeaders, splitTarget } from '../../src/core/scrub.js';

describe('scrub', () => {
  it('redacts credential headers', () => {
    const out = scrubHeaders({
      authorization: 'Bearer x',
      cookie: 'a=b',
      'set-cookie': ['c=d'],
      'proxy-authorization': 'p',
      'x-api-key': 'k',
      accept: '*/*',
      gone: undefined,
    });
    expect(out).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'set-cookie': '[redacted]',
      'proxy-authorization': '[redacted]',
      'x-api-key': '[redacted]',
      accept: '*/*',
    });
  });

  it('keeps path and query key names, never values', () => {
    expect(splitTarget('/a/b?token=t&x=1&flag')).toEqual({
      path: '/a/b',
      queryKeys: ['token', 'x', 'flag'],
    });
    expect(splitTarget('/plain')).toEqual({ path: '/plain', queryKeys: undefined });
  });
});
