/**
 * error-documents: custom error responses configured the way Apache (`ErrorDocument`) and NGINX
 * (`error_page`) users know, compiled once at startup.
 *
 * Keys select statuses: `'500'`, a list `'500 502 503 504'` (or comma-separated), or a class
 * `'4xx'` / `'5xx'`. The most specific key wins: a status beats a list member beats a class.
 * Values:
 * - a string, read as Apache reads `ErrorDocument`: `http(s)://…` → external redirect, `/path` →
 *   internal route, anything else → literal text;
 * - `{ body, type?, csp? }` literal text/HTML/JSON with placeholders; `{ file, type?, charset?, csp? }`
 *   a file read now and served byte for byte (see {@link FileDocument});
 * - `{ route, status? }` NGINX internal redirect: the app serves `route` with the original status,
 *   or `status: 200` (NGINX `=200`), or `status: '='` (the route's own status);
 * - `{ redirect, status? }` external redirect (302 unless told);
 * - `{ html?, json?, text? }` one document per representation.
 * Placeholders: `{{status}}`, `{{title}}`, `{{incident}}`, `{{requestId}}`, escaped for the
 * document's type. Everything is checked here; nothing is discovered at the first error.
 *
 * Operator documents are the operator's own pages: they get no Content-Security-Policy unless
 * they configure one (`csp`), so a branded page keeps its stylesheet and logo; faultline's own
 * pages keep the strict policy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { FaultlineConfigError } from './errors.js';
import { escapeHtml } from './html-page.js';
import type { Format } from './negotiate.js';
import { isErrorStatus } from './status.js';

/** Options shared by literal and file documents. */
interface DocumentOptions {
  /** The representation; defaults from the file extension or the content. */
  type?: Format;
  /**
   * A Content-Security-Policy for this document. Operator documents get none by default (the
   * app's own, e.g. helmet's, still applies); faultline's built-in pages always get a strict one.
   */
  csp?: string;
}
/** A literal document with placeholders. */
export interface LiteralDocument extends DocumentOptions {
  body: string;
}
/**
 * A file document, read at startup and served byte for byte, as nginx serves a file: a file in
 * UTF-8 is labelled `charset=utf-8`; any other file gets no charset parameter (the browser reads
 * the page's own `<meta charset>`), unless `charset` names it. Placeholders are replaced at the
 * byte level; values outside ASCII are escaped for the type, so the file's bytes never change.
 */
export interface FileDocument extends DocumentOptions {
  file: string;
  /** The file's charset for the Content-Type header, e.g. `'iso-8859-1'`. @default detected */
  charset?: string;
}
/** A document body: literal, or a file read at startup. */
export type BodyDocument = LiteralDocument | FileDocument;
/** One error document. */
export type ErrorDocument =
  | string
  | BodyDocument
  | { route: string; status?: number | '=' }
  | { redirect: string; status?: 301 | 302 | 303 | 307 | 308 }
  | { html?: string | BodyDocument; json?: string | BodyDocument; text?: string | BodyDocument };
/** `errorDocuments` option: status selector → document. */
export type ErrorDocuments = Record<string, ErrorDocument>;

/** Values available to placeholders. */
export interface DocumentValues {
  status: number;
  title: string;
  incident: string | undefined;
  requestId: string | undefined;
}

/** A compiled body document. */
export interface CompiledBody {
  readonly kind: 'body';
  readonly type: Format;
  /** Literal parts; between each pair, the placeholder named in `slots`. */
  readonly parts: readonly string[];
  readonly slots: ReadonlyArray<keyof DocumentValues>;
  /** The Content-Type header, charset included when known. */
  readonly contentType: string;
  /** The document's own Content-Security-Policy, if it configured one. */
  readonly csp: string | undefined;
  /**
   * True for a file not in UTF-8: each char of `parts` is one byte of the file (latin1), values
   * are escaped to ASCII, and the body is sent as those bytes, unchanged.
   */
  readonly binary: boolean;
}
/** A resolved document for one status. */
export type CompiledDocument =
  | { readonly kind: 'bodies'; readonly byFormat: Partial<Record<Format, CompiledBody>> }
  | { readonly kind: 'route'; readonly path: string; readonly status: number | '=' | undefined }
  | { readonly kind: 'redirect'; readonly location: string; readonly status: number };

const PLACEHOLDERS = new Set<keyof DocumentValues>(['status', 'title', 'incident', 'requestId']);
const MEDIA_TYPE: Record<Format, string> = {
  html: 'text/html',
  json: 'application/problem+json',
  text: 'text/plain',
};
// A charset name (RFC 9110 token) and a header value without controls (no header injection).
const CHARSET = /^[A-Za-z0-9!#$%&'+.^_`|~-]{1,40}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const HEADER_VALUE = /^[^\u0000-\u001f\u007f]{1,4096}$/;
const UTF8 = /^utf-?8$/i;
const TYPE_BY_EXT: Record<string, Format> = {
  '.html': 'html',
  '.htm': 'html',
  '.json': 'json',
  '.txt': 'text',
};
// Whitespace and controls in a route would make an unparseable request line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_PATH = /[\s\u0000-\u001f\u007f]/;
/** The redirect statuses a document may use, with their reason phrases (RFC 9110 §15.4). */
const REDIRECT_TITLES: Readonly<Record<number, string>> = {
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
};

function fail(key: string, problem: string, fix: string): never {
  throw new FaultlineConfigError(key, problem, fix);
}

/** Parses a selector key into statuses; classes come back as 'class:4'/'class:5'. */
function parseSelector(key: string): { statuses: number[]; classOf: 4 | 5 | undefined } {
  const trimmed = key.trim();
  const cls = /^([45])xx$/i.exec(trimmed);
  if (cls) return { statuses: [], classOf: Number(cls[1]) as 4 | 5 };
  const tokens = trimmed.split(/[\s,]+/).filter(Boolean);
  if (tokens.length === 0)
    fail(
      `errorDocuments.${key}`,
      'is an empty status selector',
      "use a status ('500'), a list ('502 503 504') or a class ('5xx')",
    );
  const statuses = tokens.map((t) => {
    const n = Number(t);
    if (!/^\d{3}$/.test(t) || !isErrorStatus(n)) {
      fail(
        `errorDocuments.${key}`,
        `has "${t}", which is not an error status (400–599)`,
        "use statuses such as '404' or '500 502 503 504', or a class '4xx'/'5xx'",
      );
    }
    return n;
  });
  return { statuses, classOf: undefined };
}

/** How a template's body is labelled and sent. */
export interface TemplateOptions {
  /** Charset parameter of the Content-Type; undefined: none. @default 'utf-8' */
  charset?: string | undefined;
  csp?: string | undefined;
  /** `text` holds one char per byte of a file not in UTF-8 (see {@link CompiledBody.binary}). */
  binary?: boolean;
}

/** Compiles template text into parts and slots, rejecting malformed or unknown placeholders. */
export function compileTemplate(
  text: string,
  type: Format,
  key: string,
  options: TemplateOptions = { charset: 'utf-8' },
): CompiledBody {
  const parts: string[] = [];
  const slots: Array<keyof DocumentValues> = [];
  let rest = text;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open === -1) break;
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) {
      fail(
        key,
        `has an unclosed placeholder near "${rest.slice(open, open + 20)}"`,
        'close it with }}, e.g. {{incident}}',
      );
    }
    const name = rest.slice(open + 2, close).trim();
    if (!PLACEHOLDERS.has(name as keyof DocumentValues)) {
      fail(
        key,
        `has an unknown placeholder {{${name}}}`,
        `use one of ${[...PLACEHOLDERS].map((p) => `{{${p}}}`).join(', ')}`,
      );
    }
    parts.push(rest.slice(0, open));
    slots.push(name as keyof DocumentValues);
    rest = rest.slice(close + 2);
  }
  parts.push(rest);
  const { charset, csp, binary = false } = options;
  const contentType =
    charset === undefined ? MEDIA_TYPE[type] : `${MEDIA_TYPE[type]}; charset=${charset}`;
  return { kind: 'body', type, parts, slots, contentType, csp, binary };
}

function guessType(text: string): Format {
  const t = text.trimStart();
  if (t.startsWith('<')) return 'html';
  if (t.startsWith('{')) return 'json';
  return 'text';
}

function checkType(type: unknown, key: string): Format | undefined {
  if (type === undefined) return undefined;
  if (type !== 'html' && type !== 'json' && type !== 'text')
    fail(
      `${key}.type`,
      `must be 'html', 'json' or 'text', got ${JSON.stringify(type)}`,
      "set type: 'html'",
    );
  return type;
}

function checkCsp(csp: unknown, key: string): string | undefined {
  if (csp === undefined) return undefined;
  if (typeof csp !== 'string' || !HEADER_VALUE.test(csp))
    fail(
      `${key}.csp`,
      `must be a Content-Security-Policy header value (one line, no control characters), got ${JSON.stringify(csp)}`,
      `use e.g. csp: "default-src 'self'", or leave it out for none`,
    );
  return csp;
}

function checkCharset(charset: unknown, key: string): string | undefined {
  if (charset === undefined) return undefined;
  if (typeof charset !== 'string' || !CHARSET.test(charset))
    fail(
      `${key}.charset`,
      `must be a charset name, got ${JSON.stringify(charset)}`,
      "use e.g. charset: 'iso-8859-1'",
    );
  return charset;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a file document: UTF-8 text as is, any other bytes one char per byte (binary). */
function compileFile(
  doc: FileDocument,
  key: string,
  baseDir: string,
  forced?: Format,
): CompiledBody {
  if (typeof doc.file !== 'string' || doc.file === '')
    fail(`${key}.file`, 'must be a file path', "use { file: './errors/500.html' }");
  const csp = checkCsp(doc.csp, key);
  const charset = checkCharset(doc.charset, key);
  const path = resolve(baseDir, doc.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return fail(
      `${key}.file`,
      `cannot be read (${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'point it at an existing, readable file; relative paths start at the working directory (or the config file)',
    );
  }
  let text: string | undefined;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    text = undefined;
  }
  const binary = text === undefined;
  const source = text ?? bytes.toString('latin1');
  const type =
    checkType(doc.type, key) ??
    forced ??
    TYPE_BY_EXT[extname(path).toLowerCase()] ??
    guessType(source);
  if (type === 'json' && (binary || (charset !== undefined && !UTF8.test(charset))))
    fail(
      binary ? `${key}.file` : `${key}.charset`,
      `${binary ? `is not UTF-8 (${path})` : `is ${charset}`}, but JSON is always UTF-8 (RFC 8259 §8.1)`,
      'save the file as UTF-8 and leave charset out',
    );
  return compileTemplate(source, type, `${key}.file`, {
    charset: charset ?? (binary ? undefined : 'utf-8'),
    csp,
    binary,
  });
}

function compileBody(
  doc: string | BodyDocument,
  key: string,
  baseDir: string,
  forced?: Format,
): CompiledBody {
  if (typeof doc === 'string') return compileTemplate(doc, forced ?? guessType(doc), key);
  if (typeof doc !== 'object' || doc === null)
    fail(
      key,
      `must be a string or an object, got ${JSON.stringify(doc)}`,
      "use { body: '...' } or { file: './500.html' }",
    );
  if ('body' in doc) {
    if (typeof doc.body !== 'string')
      fail(`${key}.body`, 'must be a string', "use { body: '<h1>Sorry</h1>' }");
    const type = checkType(doc.type, key) ?? forced ?? guessType(doc.body);
    return compileTemplate(doc.body, type, key, { charset: 'utf-8', csp: checkCsp(doc.csp, key) });
  }
  if ('file' in doc) return compileFile(doc, key, baseDir, forced);
  return fail(
    key,
    `has none of body, file, route, redirect, html, json, text (keys: ${Object.keys(doc).join(', ')})`,
    "use e.g. { file: './errors/500.html' } or { route: '/errors/500' }",
  );
}

function checkRedirect(url: unknown, key: string): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    fail(
      key,
      `must be an absolute http(s) URL, got ${JSON.stringify(url)}`,
      "use e.g. 'https://status.example.com/'",
    );
  }
  return parsed.href;
}

function checkRoute(path: unknown, key: string): string {
  if (
    typeof path !== 'string' ||
    !path.startsWith('/') ||
    path.startsWith('//') ||
    UNSAFE_PATH.test(path)
  ) {
    fail(
      key,
      `must be a path on this app starting with "/", got ${JSON.stringify(path)}`,
      "use e.g. '/errors/500'",
    );
  }
  return path;
}

/** Compiles one document value. */
function compileDocument(doc: ErrorDocument, key: string, baseDir: string): CompiledDocument {
  if (typeof doc === 'string') {
    if (/^https?:\/\//i.test(doc))
      return { kind: 'redirect', location: checkRedirect(doc, key), status: 302 };
    if (doc.startsWith('/'))
      return { kind: 'route', path: checkRoute(doc, key), status: undefined };
    if (/^[a-z][a-z0-9+.-]*:/i.test(doc) && !doc.includes(' ')) checkRedirect(doc, key);
    const body = compileBody(doc, key, baseDir);
    return {
      kind: 'bodies',
      byFormat: body.type === 'text' ? { text: body, html: body } : { [body.type]: body },
    };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return fail(
      key,
      `must be a string or an object, got ${JSON.stringify(doc)}`,
      "use e.g. '/errors/500' or { file: './errors/500.html' }",
    );
  }
  if ('route' in doc) {
    const { status } = doc;
    if (
      status !== undefined &&
      status !== '=' &&
      !(Number.isInteger(status) && status >= 200 && status <= 599)
    ) {
      fail(
        `${key}.status`,
        `must be a status 200–599 (NGINX "=code") or '=' (the route's own status), got ${JSON.stringify(status)}`,
        "use status: 200, or status: '='",
      );
    }
    return { kind: 'route', path: checkRoute(doc.route, `${key}.route`), status };
  }
  if ('redirect' in doc) {
    const status = doc.status ?? 302;
    if (REDIRECT_TITLES[status] === undefined)
      fail(
        `${key}.status`,
        `must be 301, 302, 303, 307 or 308, got ${JSON.stringify(status)}`,
        'use status: 302',
      );
    return { kind: 'redirect', location: checkRedirect(doc.redirect, `${key}.redirect`), status };
  }
  if ('html' in doc || 'json' in doc || 'text' in doc) {
    const byFormat: Partial<Record<Format, CompiledBody>> = {};
    for (const format of ['html', 'json', 'text'] as const) {
      const d = (doc as Record<string, string | BodyDocument | undefined>)[format];
      if (d !== undefined) byFormat[format] = compileBody(d, `${key}.${format}`, baseDir, format);
    }
    return { kind: 'bodies', byFormat };
  }
  const body = compileBody(doc as BodyDocument, key, baseDir);
  return {
    kind: 'bodies',
    byFormat: body.type === 'text' ? { text: body, html: body } : { [body.type]: body },
  };
}

/** Error documents compiled for lookup by status. */
export class DocumentTable {
  readonly #byStatus = new Map<number, CompiledDocument>();
  readonly #byClass = new Map<number, CompiledDocument>();

  /** True when no document is configured (the fast path skips lookups). */
  get empty(): boolean {
    return this.#byStatus.size === 0 && this.#byClass.size === 0;
  }

  /** The document for a status, most specific first. */
  lookup(status: number): CompiledDocument | undefined {
    return this.#byStatus.get(status) ?? this.#byClass.get(Math.floor(status / 100));
  }

  /** @internal */
  set(
    statuses: number[],
    classOf: 4 | 5 | undefined,
    doc: CompiledDocument,
    exact: boolean,
    taken: Set<number>,
  ): void {
    if (classOf !== undefined) {
      if (!this.#byClass.has(classOf)) this.#byClass.set(classOf, doc);
      return;
    }
    for (const s of statuses) {
      if (exact || !taken.has(s)) this.#byStatus.set(s, doc);
      if (exact) taken.add(s);
    }
  }
}

/**
 * Validates and compiles `errorDocuments` (and a directory of `<status>.html`/`4xx.html` files).
 * Throws FaultlineConfigError naming the key on the first mistake.
 */
export function compileDocuments(
  docs: unknown,
  dir: unknown,
  baseDir: string = process.cwd(),
): DocumentTable {
  const table = new DocumentTable();
  const exactTaken = new Set<number>();
  if (docs !== undefined) {
    if (typeof docs !== 'object' || docs === null || Array.isArray(docs)) {
      fail(
        'errorDocuments',
        `must be an object mapping statuses to documents, got ${JSON.stringify(docs)}`,
        "use e.g. { '500 502 503 504': { file: './50x.html' } }",
      );
    }
    const entries = Object.entries(docs as ErrorDocuments).map(([key, doc]) => ({
      key,
      sel: parseSelector(key),
      doc,
    }));
    // Single statuses first so they beat lists, as the most specific rule should.
    entries.sort(
      (a, b) => Number(b.sel.statuses.length === 1) - Number(a.sel.statuses.length === 1),
    );
    for (const { key, sel, doc } of entries) {
      const compiled = compileDocument(doc, `errorDocuments.${key}`, baseDir);
      table.set(sel.statuses, sel.classOf, compiled, sel.statuses.length === 1, exactTaken);
    }
  }
  if (dir !== undefined) {
    if (typeof dir !== 'string' || dir === '')
      fail(
        'errorDocumentsDir',
        `must be a directory path, got ${JSON.stringify(dir)}`,
        "use e.g. './errors'",
      );
    const abs = resolve(baseDir, dir);
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch (err) {
      return fail(
        'errorDocumentsDir',
        `cannot be read (${abs}: ${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        'point it at an existing directory of 500.html, 404.html, 5xx.html, ... files',
      );
    }
    for (const name of names.sort()) {
      const m = /^(\d{3}|[45]xx)\.html?$/i.exec(name);
      if (!m?.[1]) continue;
      const sel = parseSelector(m[1]);
      const body = compileBody(
        { file: join(abs, name), type: 'html' },
        `errorDocumentsDir/${name}`,
        abs,
      );
      const doc: CompiledDocument = { kind: 'bodies', byFormat: { html: body } };
      // Explicit errorDocuments entries win over the directory.
      if (sel.classOf === undefined && exactTaken.has(sel.statuses[0] as number)) continue;
      table.set(sel.statuses, sel.classOf, doc, false, exactTaken);
    }
  }
  return table;
}

function escapeFor(type: Format, value: string): string {
  if (type === 'html') return escapeHtml(value);
  if (type === 'json') return JSON.stringify(value).slice(1, -1);
  return value;
}

/**
 * Escapes what is outside ASCII, for a binary document whose charset is unknown:
 * character references in HTML, \u escapes in JSON, '?' in plain text (it has no escape).
 */
function asciiOnly(type: Format, escaped: string): string {
  return escaped.replace(/[\u0080-\u{10ffff}]/gu, (c) => {
    const code = c.codePointAt(0) as number;
    if (type === 'html') return `&#${code};`;
    if (type === 'json')
      return c
        .split('')
        .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
        .join('');
    return '?';
  });
}

/** Fills a compiled body with escaped values (for a binary body: one char per byte). */
export function fillBody(body: CompiledBody, values: DocumentValues): string {
  let out = body.parts[0] as string;
  for (let i = 0; i < body.slots.length; i++) {
    const v = values[body.slots[i] as keyof DocumentValues];
    let escaped = escapeFor(body.type, v === undefined ? '' : String(v));
    if (body.binary) escaped = asciiOnly(body.type, escaped);
    out += escaped + (body.parts[i + 1] as string);
  }
  return out;
}

/** The body to send: text, or for a file not in UTF-8 its bytes with the values in place. */
export function fillDocument(
  body: CompiledBody,
  values: DocumentValues,
): string | Uint8Array<ArrayBuffer> {
  const text = fillBody(body, values);
  return body.binary ? Buffer.from(text, 'latin1') : text;
}

/**
 * The small HTML body of an external redirect (a fallback link; browsers follow Location). Its
 * title names the redirect's own status: "301 Moved Permanently", "307 Temporary Redirect".
 */
export function redirectPage(status: number, location: string): string {
  const href = escapeHtml(location);
  return `<!doctype html><title>${status} ${REDIRECT_TITLES[status] ?? 'Redirect'}</title><p>See <a href="${href}">${href}</a></p>\n`;
}
