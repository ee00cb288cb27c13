/**
 * extensions: RFC 9457 §3.2 extension members an error carries into its problem body. Only what
 * the error's author marked public: HttpError's `extensions`, the extra own properties of an
 * exposed http-errors error, and the extra members of a Boom `output.payload` (what hapi sends).
 * Every value is copied once through JSON (getters run once, functions and cycles drop out),
 * bounded in count and size, and never allowed to shadow a member faultline writes itself.
 */
import { isHttpError } from './http-error.js';
import { SENSITIVE_KEYS } from './scrub.js';
import { fastifyIssues } from './validation.js';

/** Extension members of a problem body. */
export type Extensions = Readonly<Record<string, unknown>>;

/** Members faultline writes itself; an extension never replaces them. */
export const RESERVED_MEMBERS: ReadonlySet<string> = new Set([
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'incident',
  'debug',
]);

/** RFC 9457 §3.2: names SHOULD start with a letter and use letters, digits and underscores. */
const MEMBER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_MEMBERS = 32;
/** Serialized size of all members together, in characters. */
const MAX_JSON = 16 * 1024;

/**
 * Own properties of http-errors / Express / body-parser errors that are not extension members:
 * the fields classify already reads, Node's system-error fields, and body-parser's echo of the
 * raw request body.
 */
const NOT_MEMBERS = new Set([
  'name',
  'message',
  'stack',
  'status',
  'statusCode',
  'expose',
  'headers',
  'code',
  'type',
  'cause',
  'body',
  'errno',
  'syscall',
  'path',
  'address',
  'port',
  'validation',
  'validationContext',
]);

function read(obj: unknown, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

function sensitive(key: string): boolean {
  const k = key.toLowerCase().replaceAll('-', '_');
  return SENSITIVE_KEYS.some((s) => k.includes(s));
}

/**
 * A bounded, JSON-safe copy of `source`'s public members, or undefined when none is left.
 * `skip` names keys that are not members; `inferred` members (properties found on an error, not
 * declared as members by its author) also skip keys that name secrets. Never throws.
 */
export function copyMembers(
  source: unknown,
  skip: ReadonlySet<string> = RESERVED_MEMBERS,
  inferred = false,
): Extensions | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  let keys: string[];
  try {
    keys = Object.keys(source);
  } catch {
    return undefined;
  }
  let out: Record<string, unknown> | undefined;
  let size = 0;
  let count = 0;
  for (const key of keys) {
    if (count >= MAX_MEMBERS) break;
    if (
      !MEMBER_NAME.test(key) ||
      RESERVED_MEMBERS.has(key) ||
      skip.has(key) ||
      (inferred && sensitive(key))
    )
      continue;
    let json: string | undefined;
    try {
      json = JSON.stringify(read(source, key));
    } catch {
      continue; // A cycle, a BigInt or a throwing getter/toJSON: not a member.
    }
    if (json === undefined) continue;
    if (size + key.length + json.length > MAX_JSON) continue; // Too big: left out, not cut.
    size += key.length + json.length;
    out ??= {};
    out[key] = JSON.parse(json);
    count++;
  }
  return out;
}

/** Merges member sets, later ones winning; undefined when all are. */
export function mergeMembers(
  ...sets: ReadonlyArray<Extensions | undefined>
): Extensions | undefined {
  let out: Record<string, unknown> | undefined;
  for (const set of sets) {
    if (set === undefined) continue;
    out = out === undefined ? { ...set } : Object.assign(out, set);
  }
  return out;
}

const BOOM_PAYLOAD = new Set(['statusCode', 'error', 'message']);

/** The extra members of a Boom error's `output.payload`: what hapi would send beside the message. */
export function boomMembers(output: unknown): Extensions | undefined {
  return copyMembers(read(output, 'payload'), BOOM_PAYLOAD, true);
}

/**
 * The extra own properties of an http-errors error (`createError(409, 'msg', { errors })`).
 * body-parser's errors are left out whole: they set a dotted `type` (`entity.parse.failed`) and
 * their properties describe the server's limits and the client's raw body, not the problem.
 */
export function ownMembers(error: object): Extensions | undefined {
  const type = read(error, 'type');
  if (typeof type === 'string' && !type.includes(':')) return undefined;
  return copyMembers(error, NOT_MEMBERS, true);
}

/**
 * The public members of an exposed error: HttpError's `extensions`, Fastify's validation issues
 * as `errors`, a Boom payload's extra members, or an http-errors error's extra properties.
 * Callers only ask for errors classify found exposed. Never throws.
 */
export function errorMembers(
  error: object,
  isBoom: unknown,
  output: unknown,
  validation: unknown,
): Extensions | undefined {
  if (isHttpError(error)) return copyMembers(read(error, 'extensions'));
  if (isBoom === true) return boomMembers(output);
  if (Array.isArray(validation)) {
    const errors = fastifyIssues(validation, read(error, 'validationContext'));
    return errors.length === 0 ? undefined : { errors };
  }
  return ownMembers(error);
}
