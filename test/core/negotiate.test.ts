import { describe, expect, it } from 'vitest';
import { negotiateFormat } from '../../src/core/negotiate.js';

describe('negotiateFormat', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/problem+json', 'json'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'],
    ['text/plain', 'text'],
    ['text/*', 'text'],
    ['image/png', 'text'],
    ['application/json;q=0.1, text/html', 'html'],
    ['text/html;q=0, */*', 'json'],
    [';;;garbage,,=', 'text'],
  ])('Accept %j -> %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  it('stays bounded with many distinct Accept values', () => {
    for (let i = 0; i < 2000; i++) expect(negotiateFormat(`application/x-${i}`)).toBe('text');
  });
});
