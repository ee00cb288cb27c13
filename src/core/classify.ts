/**
 * classify: any thrown value -> Fault. Never throws, on any input: hostile getters, revoked
 * proxies, circular causes and 10 MB messages included. Every property read goes through `read`,
 * every string is bounded, and recursion is bounded in depth and count.
 */
import type { ErrorMap } from './error-map.js';
import { type Extensions, errorMembers, mergeMembers } from './extensions.js';
import type { ErrorSummary, Fault, Phase, PrivateFault, PublicFault } from './fault.js';
import { isHttpError } from './http-error.js';
import { newIncidentId } from './incident.js';
import { isErrorStatus, statusCode, statusTitle } from './status.js';
import { schemaValidation } from './validation.js';

/** Context of a classification. */
export interface ClassifyContext {
  /** @default 'handler' */
  phase?: Phase;
  /** Use this incident id instead of a new one (5xx only). */
  incident?: string;
  /** The client already went away: an abort becomes 499. */
  clientClosed?: boolean;
}

const MAX_MESSAGE = 8 * 1024;
const MAX_STACK = 16 * 1024;
const MAX_CAUSES = 10;
const MAX_HEADER_VALUE = 1024;
const MAX_TYPE = 2048;

/** Headers an error may contribute to the response (RFC 9110 §10.2, §11.6), with their usual spelling. */
const CANONICAL: Readonly<Record<string, string>> = {
  'retry-after': 'Retry-After',
  allow: 'Allow',
  'www-authenticate': 'WWW-Authenticate',
  'proxy-authenticate': 'Proxy-Authenticate',
  'accept-patch': 'Accept-Patch',
  'accept-post': 'Accept-Post',
  'accept-encoding': 'Accept-Encoding',
  'accept-ranges': 'Accept-Ranges',
  'content-range': 'Content-Range',
};
const PUBLIC_HEADER_NAMES = Object.keys(CANONICAL);

/**
 * Reads one property of a thrown value; a throwing getter or proxy trap reads as `undefined`.
 * Adapters read thrown values through this too, never directly.
 */
export function readProperty(obj: unknown, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}
const read = readProperty;

function bound(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more chars]`;
}

function str(value: unknown, max: number): string | undefined {
  return typeof value === 'string' ? bound(value, max) : undefined;
}

/**
 * Properties a non-Error object is described by. Read by name, never enumerated: listing the keys
 * of an object costs time in proportion to their number (100+ ms for 200,000 keys), whoever
 * threw it, and what is not read cannot leak.
 */
const DESCRIBED_KEYS = [
  'name',
  'message',
  'reason',
  'error',
  'code',
  'status',
  'statusCode',
  'type',
  'title',
  'detail',
] as const;
const MAX_DESCRIBED_VALUE = 1024;
const MAX_DESCRIBED_ITEMS = 10;

/** A primitive for a description; nested objects are not followed. */
function shallow(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(bound(value, MAX_DESCRIBED_VALUE));
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return value.toString();
    case 'function':
      return '[function]';
    default:
      return value === null ? 'null' : Array.isArray(value) ? '[array]' : '[object]';
  }
}

/**
 * A bounded description of a thrown non-Error: the work is bounded by the output, never by the
 * size of the value (no key enumeration, no JSON serialization of the whole value).
 */
function describe(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string':
        return bound(value, MAX_MESSAGE);
      case 'object': {
        if (value === null) return 'null';
        if (Array.isArray(value)) {
          const n = value.length;
          const items: string[] = [];
          for (let i = 0; i < n && i < MAX_DESCRIBED_ITEMS; i++)
            items.push(shallow(read(value, i)));
          if (n > MAX_DESCRIBED_ITEMS) items.push(`…${n - MAX_DESCRIBED_ITEMS} more`);
          return `[${items.join(',')}]`;
        }
        const parts: string[] = [];
        for (const key of DESCRIBED_KEYS) {
          let v: unknown;
          try {
            v = (value as Record<string, unknown>)[key];
          } catch {
            // A revoked proxy or a throwing trap: every read would throw, each with a stack.
            break;
          }
          if (v !== undefined) parts.push(`"${key}":${shallow(v)}`);
        }
        const ctor = str(read(read(value, 'constructor'), 'name'), 100);
        const prefix = ctor === undefined || ctor === 'Object' ? '' : `${ctor} `;
        return parts.length === 0 ? `${prefix}{}` : `${prefix}{${parts.join(',')}}`;
      }
      case 'function':
        return `[function ${str(read(value, 'name'), 200) ?? 'anonymous'}]`;
      default:
        return String(value);
    }
  } catch {
    return '[unprintable value]';
  }
}

/** The properties classification looks at, read once. */
interface Snapshot {
  isBoom: unknown;
  output: unknown;
  name: unknown;
  code: unknown;
  status: unknown;
  statusCode: unknown;
  expose: unknown;
  headers: unknown;
  message: unknown;
  validation: unknown;
  getResponse: unknown;
  cause: unknown;
  errors: unknown;
  /** Reading failed twice (a revoked proxy, a trap that always throws): nothing more is read. */
  hostile: boolean;
}

/**
 * Reads every property classification needs. The fast path is one try block of named loads
 * (monomorphic, cheap on the error hot path); if any getter or proxy trap throws, each property
 * is read on its own so one hostile property does not hide the others.
 */
function snapshot(value: object): Snapshot {
  const v = value as Record<string, unknown>;
  try {
    return {
      isBoom: v.isBoom,
      output: v.output,
      name: v.name,
      code: v.code,
      status: v.status,
      statusCode: v.statusCode,
      expose: v.expose,
      headers: v.headers,
      message: v.message,
      validation: v.validation,
      getResponse: v.getResponse,
      cause: v.cause,
      errors: v.errors,
      hostile: false,
    };
  } catch {
    // A revoked proxy, or a trap that always throws: every read would throw (and each thrown
    // error captures a stack), so two failed probes end the reading.
    let failures = 0;
    const get = (key: string): unknown => {
      if (failures >= 2) return undefined;
      try {
        return v[key];
      } catch {
        failures++;
        return undefined;
      }
    };
    const out: Snapshot = {
      name: get('name'),
      message: get('message'),
      isBoom: get('isBoom'),
      output: get('output'),
      code: get('code'),
      status: get('status'),
      statusCode: get('statusCode'),
      expose: get('expose'),
      headers: get('headers'),
      validation: get('validation'),
      getResponse: get('getResponse'),
      cause: get('cause'),
      errors: get('errors'),
      hostile: false,
    };
    out.hostile = failures >= 2;
    return out;
  }
}

function isError(value: object): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

function thrownType(value: unknown): string {
  if (value === null) return 'null';
  const t = typeof value;
  if (t !== 'object') return t;
  try {
    return value instanceof Error ? (str(read(value, 'name'), 200) ?? 'Error') : 'object';
  } catch {
    return 'object';
  }
}

/** An error's name, message and code, bounded. */
function errorFields(sn: Snapshot): { name: string; message: string; code: string | undefined } {
  const { code, message } = sn;
  return {
    name: str(sn.name, 200) ?? 'Error',
    message: str(message, MAX_MESSAGE) ?? describe(message),
    code:
      typeof code === 'string' || typeof code === 'number' ? bound(String(code), 200) : undefined,
  };
}

/** True for Error instances and error-likes from other realms (objects with a string stack). */
function errorLike(value: object): boolean {
  return isError(value) || typeof read(value, 'stack') === 'string';
}

function summarize(value: unknown, snap?: Snapshot): ErrorSummary {
  if (typeof value === 'object' && value !== null && errorLike(value)) {
    return { ...errorFields(snap ?? snapshot(value)), stack: str(read(value, 'stack'), MAX_STACK) };
  }
  return { name: thrownType(value), message: describe(value), stack: undefined, code: undefined };
}

/**
 * The private part of a fault. `stack` is read from the thrown value on first use: V8 formats a
 * stack lazily and formatting costs microseconds, which a fault that storm control only counts
 * never needs.
 */
class PrivateRecord implements PrivateFault {
  #source: object | undefined;
  #stack: string | undefined;

  constructor(
    readonly name: string,
    readonly message: string,
    readonly code: string | undefined,
    readonly thrown: string,
    readonly causes: readonly ErrorSummary[],
    source: object | undefined,
    readonly droppedHeaders?: readonly string[],
  ) {
    this.#source = source;
  }

  get stack(): string | undefined {
    if (this.#source !== undefined) {
      this.#stack = str(read(this.#source, 'stack'), MAX_STACK);
      this.#source = undefined;
    }
    return this.#stack;
  }

  /** Plain-object form, so JSON and spreads keep the stack. */
  toJSON(): PrivateFault {
    const { name, message, stack, code, thrown, causes, droppedHeaders } = this;
    return droppedHeaders === undefined
      ? { name, message, stack, code, thrown, causes }
      : { name, message, stack, code, thrown, causes, droppedHeaders };
  }
}

const NO_CAUSES: readonly ErrorSummary[] = Object.freeze([]);
const NO_HEADERS: PublicFault['headers'] = Object.freeze([]);

/** The cause chain and AggregateError members, breadth-first, bounded, cycle-safe. */
function causes(root: unknown, snap: Snapshot | undefined): readonly ErrorSummary[] {
  // Most errors have neither a cause nor members: no allocation for them.
  if (snap !== undefined && snap.cause === undefined && !Array.isArray(snap.errors))
    return NO_CAUSES;
  const out: ErrorSummary[] = [];
  const seen = new Set<unknown>([root]);
  const queue: unknown[] = [];
  const enqueue = (v: unknown): void => {
    if (v !== undefined && !seen.has(v) && seen.size <= MAX_CAUSES * 2) {
      seen.add(v);
      queue.push(v);
    }
  };
  const children = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) return;
    enqueue(read(v, 'cause'));
    const errors = read(v, 'errors');
    if (Array.isArray(errors))
      for (let i = 0; i < errors.length && i < MAX_CAUSES; i++) enqueue(errors[i]);
  };
  children(root);
  while (queue.length > 0 && out.length < MAX_CAUSES) {
    const next = queue.shift();
    out.push(summarize(next));
    children(next);
  }
  return out;
}

interface Recognized {
  status: number;
  expose: boolean;
  code?: string;
  type?: string;
  headers?: unknown;
  message?: unknown;
}

/** Recognizes status-carrying errors of the ecosystem. */
function recognize(value: object, sn: Snapshot, ctx: ClassifyContext): Recognized | undefined {
  if (isHttpError(value)) {
    // The brand is only a claim (anyone can set the symbol) and an HttpError is mutable: its
    // status is checked like any other, from the snapshot, never read again.
    const { status, expose, code } = sn;
    if (!isErrorStatus(status)) return { status: 500, expose: false };
    const type = read(value, 'type');
    return {
      status,
      // Marked public: below 500 its message shows; at any status its extension members do
      // (toFault shows a detail only below 500).
      expose: expose === true,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof type === 'string' && type.length <= MAX_TYPE ? { type } : {}),
      headers: sn.headers,
      message: sn.message,
    };
  }
  // Boom: output.statusCode / output.headers; Boom shows 4xx messages and hides 5xx ones.
  if (sn.isBoom === true) {
    const status = read(sn.output, 'statusCode');
    if (isErrorStatus(status)) {
      return {
        status,
        expose: status < 500,
        headers: read(sn.output, 'headers'),
        message: read(read(sn.output, 'payload'), 'message'),
      };
    }
    return { status: 500, expose: false };
  }
  const { name } = sn;
  if (name === 'TimeoutError') return { status: 504, expose: false };
  if (name === 'AbortError' || sn.code === 'ABORT_ERR') {
    return ctx.clientClosed ? { status: 499, expose: false } : undefined;
  }
  // http-errors / body-parser / Express / Fastify / Koa / Hono HTTPException.
  let status = sn.status;
  if (!isErrorStatus(status)) status = sn.statusCode;
  if (!isErrorStatus(status)) return undefined;
  const { expose, code } = sn;
  let exposed: boolean;
  if (typeof expose === 'boolean') exposed = expose && status < 500;
  else {
    // Fastify's own errors and validation errors, and Hono's HTTPException, carry messages
    // written for the client; anything else without an explicit `expose` stays private.
    exposed =
      status < 500 &&
      ((typeof code === 'string' && code.startsWith('FST_ERR_')) ||
        Array.isArray(sn.validation) ||
        // Hono's HTTPException keeps the name 'Error'; its getResponse() gives it away.
        typeof sn.getResponse === 'function');
  }
  return { status, expose: exposed, headers: sn.headers, message: sn.message };
}

/**
 * An HTTP field value (RFC 9110 §5.5): visible ASCII, obs-text (0x80–0xFF), spaces and tabs.
 * Anything else (CR/LF, other controls, characters beyond Latin-1) would either split the
 * response or make the transport refuse the whole answer.
 */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** `text` without leading and trailing spaces and tabs; linear, whatever the text. */
function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Public headers of an error, and the names of those dropped for an invalid value. */
function publicHeaders(raw: unknown): {
  headers: Array<readonly [string, string]>;
  dropped: string[] | undefined;
} {
  const headers: Array<readonly [string, string]> = [];
  let dropped: string[] | undefined;
  if (typeof raw !== 'object' || raw === null) return { headers, dropped };
  // Read by name, not by listing the object's keys: a header object of any size costs the same.
  for (const name of PUBLIC_HEADER_NAMES) {
    let v = read(raw, name);
    if (v === undefined) v = read(raw, CANONICAL[name] as string);
    if (v === undefined) continue;
    // Leading and trailing whitespace is not part of a field value (RFC 9110 §5.5).
    const value =
      typeof v === 'number' ? String(v) : typeof v === 'string' ? trimOws(v) : undefined;
    if (value !== undefined && value.length <= MAX_HEADER_VALUE && FIELD_VALUE.test(value)) {
      headers.push([name, value]);
    } else {
      dropped = dropped === undefined ? [name] : [...dropped, name];
    }
  }
  return { headers, dropped };
}

// Incident ids are spliced into bodies and headers unescaped: only URL-safe characters.
// Incident ids: ULIDs, `<traceId>-<ULID>`, and a storm repeat's `<root>.<n>` (see incident.ts).
const INCIDENT_PATTERN = /^[A-Za-z0-9_.-]{1,96}$/;
const CODE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/i;

/**
 * Normalizes any thrown value into a {@link Fault}. Unknown values become 500; statuses outside
 * 400–599 become 500; a 5xx message is never public; a 4xx message only when exposed. `map`
 * (compiled with `compileMap`) applies the app's own rules last.
 * @example
 * const fault = toFault(new Error('db down'));
 * fault.public.status; // 500
 * fault.public.detail; // undefined: the message stays private
 */
export function toFault(thrown: unknown, ctx: ClassifyContext = {}, map?: ErrorMap): Fault {
  const phase = ctx.phase ?? 'handler';
  const snap = typeof thrown === 'object' && thrown !== null ? snapshot(thrown) : undefined;
  // A value that throws on every read is opaque: each further probe would only throw again.
  let known =
    snap === undefined || snap.hostile ? undefined : recognize(thrown as object, snap, ctx);
  // Public extension members follow `expose`; zod/valibot issues make a 400 of their own.
  let members: Extensions | undefined;
  if (snap !== undefined && !snap.hostile) {
    if (known?.expose)
      members = errorMembers(thrown as object, snap.isBoom, snap.output, snap.validation);
    else if (known === undefined) {
      const schema = schemaValidation(snap.name, thrown as object);
      if (schema !== undefined) {
        known = { status: 400, expose: true, message: schema.detail };
        members = { errors: schema.errors };
      }
    }
  }
  // The app's own `map` rules come last and win over what was recognized.
  const mapped = map?.apply(thrown);
  let status: number;
  if (mapped?.status !== undefined) status = mapped.status;
  else if (known) status = known.status;
  else if (ctx.clientClosed) status = 499;
  else status = 500;
  const exposed = (known?.expose || mapped?.expose) && status < 500;
  let detail =
    mapped?.detail ??
    (exposed
      ? str(mapped?.expose ? snap?.message : known?.message, MAX_MESSAGE) || undefined
      : undefined);
  const title = mapped?.title ?? statusTitle(status);
  if (detail === title) detail = undefined;
  const ownCode = mapped?.status === undefined ? known?.code : undefined;
  const code =
    mapped?.code ??
    (ownCode !== undefined && CODE_PATTERN.test(ownCode) ? ownCode : statusCode(status));
  const extensions = mergeMembers(
    status < 500 || known?.expose ? members : undefined,
    mapped?.members({ status, code, title, detail }),
  );
  let pub: PublicFault = {
    status,
    code,
    title,
    detail,
    type: mapped?.type ?? known?.type ?? 'about:blank',
    incident:
      status >= 500
        ? ctx.incident !== undefined && INCIDENT_PATTERN.test(ctx.incident)
          ? ctx.incident
          : newIncidentId()
        : undefined,
    headers: NO_HEADERS,
  };
  let dropped: string[] | undefined;
  if (known?.headers !== undefined) {
    const h = publicHeaders(known.headers);
    pub = { ...pub, headers: h.headers };
    dropped = h.dropped;
  }
  // Set only when present: most faults have none, and they keep one object shape.
  if (extensions !== undefined) (pub as { extensions?: Extensions }).extensions = extensions;
  let priv: PrivateFault;
  if (snap?.hostile) {
    priv = {
      name: 'object',
      message: '[unreadable value]',
      stack: undefined,
      code: undefined,
      thrown: 'object',
      causes: NO_CAUSES,
    };
  } else if (snap !== undefined && errorLike(thrown as object)) {
    const f = errorFields(snap);
    priv = new PrivateRecord(
      f.name,
      f.message,
      f.code,
      thrownType(thrown),
      causes(thrown, snap),
      thrown as object,
      dropped,
    );
  } else {
    const summary = summarize(thrown, snap);
    priv = { ...summary, thrown: thrownType(thrown), causes: causes(thrown, snap) };
    if (dropped !== undefined) priv = { ...priv, droppedHeaders: dropped };
  }
  return {
    public: pub,
    private: priv,
    phase,
    cause: thrown,
  };
}

/**
 * The public fault as it may be rendered: a status outside 400–599 (a fault built or changed
 * by hand after classification) becomes a 500 with an incident id, and every 5xx has one. The
 * last check before anything is written, whatever produced the fault.
 */
export function renderable(pub: PublicFault): PublicFault {
  if (isErrorStatus(pub.status)) {
    if (pub.status < 500 || (pub.incident !== undefined && INCIDENT_PATTERN.test(pub.incident)))
      return pub;
    return { ...pub, detail: undefined, incident: newIncidentId() };
  }
  return {
    status: 500,
    code: statusCode(500),
    title: statusTitle(500),
    detail: undefined,
    type: 'about:blank',
    incident:
      pub.incident !== undefined && INCIDENT_PATTERN.test(pub.incident)
        ? pub.incident
        : newIncidentId(),
    headers: pub.headers,
  };
}
