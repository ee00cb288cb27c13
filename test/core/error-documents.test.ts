import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileDocuments, compileTemplate, fillBody } from '../../src/core/error-documents.js';
import { configError } from '../support/config-error.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/errors/', import.meta.url));

describe('compileDocuments', () => {
  it('reads strings as Apache does: URL -> redirect, /path -> route, else literal', () => {
    const t = compileDocuments(
      { '500': 'https://status.example.com/', '502': '/errors/502', '503': 'Be right back' },
      undefined,
    );
    expect(t.lookup(500)).toEqual({
      kind: 'redirect',
      location: 'https://status.example.com/',
      status: 302,
    });
    expect(t.lookup(502)).toEqual({ kind: 'route', path: '/errors/502', status: undefined });
    const lit = t.lookup(503);
    expect(lit?.kind).toBe('bodies');
    expect(lit?.kind === 'bodies' && Object.keys(lit.byFormat).sort()).toEqual(['html', 'text']);
    expect(t.lookup(504)).toBeUndefined();
  });

  it('picks the most specific selector: status > list > class', () => {
    const t = compileDocuments({ '5xx': 'class', '500 502': 'list', '502': 'single' }, undefined);
    const text = (s: number) => {
      const d = t.lookup(s);
      return d?.kind === 'bodies' ? d.byFormat.text?.parts.join('') : undefined;
    };
    expect([text(500), text(502), text(503), text(404)]).toEqual([
      'list',
      'single',
      'class',
      undefined,
    ]);
  });

  it('compiles files and directories with placeholders', () => {
    const t = compileDocuments({ '503': { file: 'problem.json' } }, '.', FIXTURES);
    const d500 = t.lookup(500);
    const d404 = t.lookup(404);
    const d503 = t.lookup(503);
    expect(d500?.kind === 'bodies' && d500.byFormat.html?.slots).toEqual([
      'status',
      'title',
      'status',
      'incident',
      'requestId',
    ]);
    expect(d404?.kind === 'bodies' && d404.byFormat.html?.type).toBe('html');
    expect(d503?.kind === 'bodies' && d503.byFormat.json?.type).toBe('json');
  });

  it('escapes placeholder values for the document type', () => {
    const values = { status: 500, title: 'A "quoted" <b>', incident: 'ID1', requestId: undefined };
    expect(fillBody(compileTemplate('<p>{{title}}</p>{{requestId}}', 'html', 'k'), values)).toBe(
      '<p>A &#34;quoted&#34; &#60;b&#62;</p>',
    );
    expect(
      JSON.parse(fillBody(compileTemplate('{"t":"{{ title }}"}', 'json', 'k'), values)),
    ).toEqual({ t: 'A "quoted" <b>' });
  });

  it('rejects bad configuration at startup, naming key, value and fix', () => {
    const cases: Array<[unknown, unknown, RegExp]> = [
      [
        { '600': 'x' },
        undefined,
        /option "errorDocuments.600" has "600", which is not an error status/,
      ],
      [{ '5xy': 'x' }, undefined, /errorDocuments.5xy/],
      [
        { '500': { file: 'nope.html' } },
        undefined,
        /"errorDocuments.500.file" cannot be read .*nope.html: ENOENT/,
      ],
      [{ '500': '<p>{{incident}</p>' }, undefined, /unclosed placeholder/],
      [
        { '500': '<p>{{secret}}</p>' },
        undefined,
        /unknown placeholder \{\{secret\}\}. Fix: use one of \{\{status\}\}/,
      ],
      [
        { '500': { redirect: 'javascript:alert(1)' } },
        undefined,
        /must be an absolute http\(s\) URL, got "javascript:alert\(1\)"/,
      ],
      [{ '500': 'ftp://example.com/x' }, undefined, /must be an absolute http\(s\) URL/],
      [
        { '500': { redirect: 'https://x.example/', status: 200 } },
        undefined,
        /errorDocuments.500.status" must be 301, 302, 303, 307 or 308/,
      ],
      [
        { '500': { route: '/e', status: 700 } },
        undefined,
        /errorDocuments.500.status" must be a status 200–599 \(NGINX "=code"\)/,
      ],
      [
        { '500': { route: 'relative' } },
        undefined,
        /errorDocuments.500.route" must be a path on this app/,
      ],
      [{ '500': { nope: 1 } }, undefined, /has none of body, file, route, redirect/],
      [
        { '500': { body: '<p/>', type: 'xml' } },
        undefined,
        /errorDocuments.500.type" must be 'html', 'json' or 'text'/,
      ],
      [[], undefined, /"errorDocuments" must be an object/],
      [undefined, '/does/not/exist', /"errorDocumentsDir" cannot be read/],
    ];
    for (const [docs, dir, message] of cases) {
      const err = configError(() => compileDocuments(docs, dir, FIXTURES));
      expect(err.message).toMatch(message);
      expect(err.message).toContain('Fix:');
    }
  });
});
