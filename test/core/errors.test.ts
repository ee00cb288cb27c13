import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES } from '../../src/client/errors.js';
import { FAULTLINE_ERROR_CODES } from '../../src/core/errors.js';

describe('error code table', () => {
  it('matches the README table exactly', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'));
    const documented = [...section.matchAll(/^\| `(FAULTLINE_[A-Z_]+)`\s*\|/gm)]
      .map((m) => m[1])
      .sort();
    expect(documented).toEqual(
      [...Object.keys(FAULTLINE_ERROR_CODES), ...Object.keys(CLIENT_ERROR_CODES)].sort(),
    );
  });
});
