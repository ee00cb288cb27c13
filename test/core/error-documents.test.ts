import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CompiledBody,
  compileDocuments,
  compileTemplate,
  fillBody,
  fillDocument,
} from '../../src/core/error-documents.js';
import { configError } from '../support/config-error.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/errors/', import.meta.url));
/** "Café fermé – {{status}}" in ISO-8859-1: é is the single byte 0xE9, invalid as UTF-8. */
const LATIN1 = Buffer.from(
  '<!doctype html><meta charset="iso-8859-1"><title>Café fermé</title><h1>{{status}} {{title}}</h1><p>{{incident}}</p>\n',
  'latin1',
);
const LATIN1_DIR = mkdtempSync(join(tmpdir(), 'faultline-latin1-'));
const LATIN1_FILE = join(LATIN1_DIR, 'down.html');
writeFileSync(LATIN1_FILE, LATIN1);
afterAll(() => rmSync(LATIN1_DIR, { recursive: true, force: true }));
const values = (title: string) => ({ status: 503, title, incident: 'INC1', requestId: undefined });

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
      [
        { '500': { body: '<p/>', csp: "default-src 'self'\r\nset-cookie: a=1" } },
        undefined,
        /errorDocuments.500.csp" must be a Content-Security-Policy header value/,
      ],
      [
        { '500': { file: '500.html', charset: 'latin 1' } },
        undefined,
        /errorDocuments.500.charset" must be a charset name, got "latin 1"/,
      ],
      [
        { '500': { file: 'problem.json', charset: 'iso-8859-1' } },
        undefined,
        /errorDocuments.500.charset" is iso-8859-1, but JSON is always UTF-8/,
      ],
      [
        { '500': { file: LATIN1_FILE, type: 'json' } },
        undefined,
        /errorDocuments.500.file" is not UTF-8 .*, but JSON is always UTF-8/,
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

  it('labels and polices documents: UTF-8 files and literals say so; operator pages get no CSP by default', () => {
    const t = compileDocuments(
      {
        '500': { file: '500.html' },
        '502': { body: '<p>x</p>', csp: "default-src 'self'" },
        '503': { file: '500.html', charset: 'utf-8', csp: "img-src 'self'" },
      },
      undefined,
      FIXTURES,
    );
    const html = (s: number) => {
      const d = t.lookup(s);
      return d?.kind === 'bodies' ? d.byFormat.html : undefined;
    };
    expect([html(500)?.contentType, html(500)?.csp, html(500)?.binary]).toEqual([
      'text/html; charset=utf-8',
      undefined,
      false,
    ]);
    expect(html(502)?.csp).toBe("default-src 'self'");
    expect(html(503)?.csp).toBe("img-src 'self'");
  });
});

describe('a file document not in UTF-8 (Latin-1)', () => {
  const compile = (doc: object): CompiledBody => {
    const d = compileDocuments({ '503': doc }, undefined, LATIN1_DIR).lookup(503);
    if (d?.kind !== 'bodies' || d.byFormat.html === undefined) throw new Error('no html body');
    return d.byFormat.html;
  };
  /** The file's bytes with each placeholder replaced by `with`'s ASCII bytes. */
  const expected = (title: string) =>
    Buffer.from(
      LATIN1.toString('latin1')
        .replace('{{status}}', '503')
        .replace('{{title}}', title)
        .replace('{{incident}}', 'INC1'),
      'latin1',
    );

  it('is served byte for byte, without a charset it cannot know, placeholders replaced at the byte level', () => {
    const body = compile({ file: 'down.html' });
    expect([body.contentType, body.binary, body.type]).toEqual(['text/html', true, 'html']);
    const out = fillDocument(body, values('Service Unavailable'));
    expect(out).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(out).equals(expected('Service Unavailable'))).toBe(true);
    // The é bytes of the file are untouched (0xE9), never re-encoded as UTF-8 (0xC3 0xA9).
    expect(Buffer.from(out).includes(Buffer.from([0x43, 0x61, 0x66, 0xe9]))).toBe(true);
    expect(Buffer.from(out).includes(Buffer.from([0xc3, 0xa9]))).toBe(false);
  });

  it('escapes a value outside ASCII so it cannot break the encoding', () => {
    const out = fillDocument(compile({ file: 'down.html' }), values('Fermé <now>'));
    expect(Buffer.from(out).equals(expected('Ferm&#233; &#60;now&#62;'))).toBe(true);
    const text = compileTemplate('down: {{title}}', 'text', 'k', { binary: true });
    expect(fillBody(text, values('Fermé ✓'))).toBe('down: Ferm? ?');
  });

  it("takes an explicit charset for the header; the bytes stay the file's", () => {
    const body = compile({ file: 'down.html', charset: 'iso-8859-1' });
    expect(body.contentType).toBe('text/html; charset=iso-8859-1');
    const out = fillDocument(body, values('Service Unavailable'));
    expect(Buffer.from(out).equals(expected('Service Unavailable'))).toBe(true);
  });
});
