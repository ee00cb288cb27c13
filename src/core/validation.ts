/**
 * validation: schema-validation errors -> one `errors` array of `{ pointer, detail }`, the shape
 * of RFC 9457's own example and of ASP.NET Core's ValidationProblemDetails. Recognized by shape,
 * not by import, so zod and valibot stay optional: Fastify's ajv `validation` array, zod's
 * `ZodError` and valibot's `ValiError` (both a `name` and an `issues` array).
 */

/** One invalid value: where it is (a JSON Pointer as a URI fragment) and what is wrong. */
export interface ValidationIssue {
  /** JSON Pointer (RFC 6901) into the request part, as a URI fragment: `#/items/0/sku`. */
  readonly pointer: string;
  readonly detail: string;
  /** The request part, when not the body: `querystring`, `params` or `headers` (Fastify). */
  readonly in?: string;
}

/** What classify takes from a validation error. */
export interface Validation {
  readonly errors: readonly ValidationIssue[];
  /** A public summary when the error's own message is not one (zod, valibot). */
  readonly detail: string | undefined;
}

const MAX_ISSUES = 100;
const MAX_SEGMENTS = 32;
const MAX_DETAIL = 1024;

function read(obj: unknown, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

function text(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'is not valid';
  return value.length <= MAX_DETAIL ? value : `${value.slice(0, MAX_DETAIL)}…`;
}

/** RFC 6901 escaping (`~` -> `~0`, `/` -> `~1`), then percent-encoding for a URI fragment. */
function pointer(segments: readonly unknown[]): string {
  let out = '#';
  for (let i = 0; i < segments.length && i < MAX_SEGMENTS; i++) {
    const s = segments[i];
    if (typeof s !== 'string' && typeof s !== 'number') continue;
    out += `/${encodeURIComponent(String(s).replaceAll('~', '~0').replaceAll('/', '~1'))}`;
  }
  return out;
}

/** Each element of an array-like value, bounded and guarded. */
function each(
  list: unknown,
  fn: (item: unknown) => ValidationIssue | undefined,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  let length: number;
  try {
    if (!Array.isArray(list)) return out;
    length = Math.min(list.length, MAX_ISSUES);
  } catch {
    return out;
  }
  for (let i = 0; i < length; i++) {
    const issue = fn(read(list, i));
    if (issue !== undefined) out.push(issue);
  }
  return out;
}

/** An ajv instance path (`/items/0/sku`, already escaped) as a list of segments. */
function ajvSegments(error: unknown): string[] {
  const path = read(error, 'instancePath');
  const segments =
    typeof path === 'string' && path !== ''
      ? path
          .slice(1)
          .split('/')
          .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
      : [];
  // `required` and `additionalProperties` report the parent; the member itself is the problem.
  const params = read(error, 'params');
  const member = read(params, 'missingProperty') ?? read(params, 'additionalProperty');
  if (typeof member === 'string') segments.push(member);
  return segments;
}

/** Fastify's validation error: ajv's `validation` array and the request part it checked. */
export function fastifyIssues(validation: unknown, context: unknown): ValidationIssue[] {
  const part =
    typeof context === 'string' && context !== 'body' && /^[a-z]{1,20}$/i.test(context)
      ? context
      : undefined;
  return each(validation, (error) => {
    const issue = { pointer: pointer(ajvSegments(error)), detail: text(read(error, 'message')) };
    return part === undefined ? issue : { ...issue, in: part };
  });
}

/** A zod or valibot path: property keys, or valibot's `{ key }` items. */
function pathSegments(path: unknown): unknown[] {
  const out: unknown[] = [];
  if (!Array.isArray(path)) return out;
  for (let i = 0; i < path.length && i < MAX_SEGMENTS; i++) {
    const item = read(path, i);
    out.push(typeof item === 'object' && item !== null ? read(item, 'key') : item);
  }
  return out;
}

function summary(count: number): string {
  return count === 1 ? 'One value is not valid.' : `${count} values are not valid.`;
}

/**
 * The issues of a zod `ZodError` or a valibot `ValiError`, recognized by `name` and an `issues`
 * array; undefined for anything else.
 */
export function schemaValidation(name: unknown, error: object): Validation | undefined {
  if (name !== 'ZodError' && name !== '$ZodError' && name !== 'ValiError') return undefined;
  const issues = read(error, 'issues');
  if (!Array.isArray(issues)) return undefined;
  const errors = each(issues, (issue) => ({
    pointer: pointer(pathSegments(read(issue, 'path'))),
    detail: text(read(issue, 'message')),
  }));
  return { errors, detail: summary(errors.length) };
}
