/**
 * error-map: the `map` option. Ordered rules that turn errors of the app's own libraries (ORM
 * "not found", payment declined, a third-party SDK's quota error) into the problem the client
 * should see: status, public code, title, detail, type URI and extension members. The first rule
 * that matches wins; what it leaves out keeps the value classify found. Rules are validated once
 * at startup; at request time a rule that throws is skipped, never propagated.
 */
import { FaultlineConfigError } from './errors.js';
import { copyMembers, type Extensions, RESERVED_MEMBERS } from './extensions.js';
import { isErrorStatus } from './status.js';

/** What a rule matches: all given conditions must hold. */
export interface ErrorMatch {
  /** The error is an instance of this class (subclasses included). */
  instanceOf?: abstract new (
    ...args: never[]
  ) => unknown;
  /** The error's `code` property equals this value, or one of these values. */
  code?: string | number | ReadonlyArray<string | number>;
  /** The error's `name` property equals this value. */
  name?: string;
}

/** A value, or a function of the thrown error that computes it. */
export type FromError<T> = T | ((error: unknown) => T | undefined);

/** The public problem as classified, handed to a rule's `extensions` function. */
export interface ProblemView {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
}

/**
 * One rule of the `map` option.
 * @example
 * { match: { code: 'P2025' }, status: 404, detail: 'No such record.' }
 * @example
 * { match: (e) => e instanceof PaymentError, status: 402, type: 'https://example.com/problems/payment',
 *   extensions: (e) => ({ balance: (e as PaymentError).balance }) }
 */
export interface ErrorMapRule {
  /** Which errors: `{ instanceOf, code, name }`, or a predicate over the thrown value. */
  match: ErrorMatch | ((error: unknown) => boolean);
  /** Response status, 400–599. @default the status classify found (500 for unknown errors) */
  status?: number;
  /** Public machine-readable code, `[a-z][a-z0-9_.-]*`. @default derived from the status */
  code?: string;
  /** Problem `title`. @default the status phrase */
  title?: string;
  /** Problem `detail`, public whatever the status: it is written here, not taken from the error. */
  detail?: FromError<string>;
  /**
   * Use the error's own message as `detail` (only for statuses below 500; a 5xx message stays
   * private). @default false
   */
  expose?: boolean;
  /** Problem `type` URI (RFC 9457 §3.1.1). @default the error's, or 'about:blank' */
  type?: string;
  /**
   * Extension members (RFC 9457 §3.2) added to the problem body, public whatever the status: an
   * object, or a function of the error and the public problem (e.g. to keep a framework's old
   * members for existing clients). Names must not be `type`, `title`, `status`, `detail`,
   * `instance`, `code`, `incident`, `debug`.
   * @example extensions: (e, p) => ({ statusCode: p.status, error: p.title, message: p.detail ?? p.title })
   */
  extensions?:
    | Record<string, unknown>
    | ((error: unknown, problem: ProblemView) => Record<string, unknown> | undefined);
}

/** What the matching rule decides; undefined fields keep classify's values. */
export interface Mapped {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly expose: boolean;
  readonly type: string | undefined;
  /** The rule's members for the final public problem. Never throws. */
  members(problem: ProblemView): Extensions | undefined;
}

const RULE_KEYS = ['match', 'status', 'code', 'title', 'detail', 'expose', 'type', 'extensions'];
const MATCH_KEYS = ['instanceOf', 'code', 'name'];
const CODE = /^[a-z][a-z0-9_.-]{0,63}$/i;
// A URI reference without whitespace, quotes or angle brackets (RFC 3986 excludes them).
const URI = /^[^\s"<>\\^`{|}]{1,2048}$/;
const MAX_TEXT = 1024;

function read(obj: unknown, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

function bounded(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return value.length <= MAX_TEXT ? value : `${value.slice(0, MAX_TEXT)}…`;
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isClass(fn: unknown): boolean {
  try {
    return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

/** Compiled `map` rules. Build with {@link compileMap}. */
export class ErrorMap {
  readonly #rules: readonly ErrorMapRule[];

  /** @internal Use {@link compileMap}, which validates the rules. */
  constructor(rules: readonly ErrorMapRule[]) {
    this.#rules = rules;
  }

  /** The number of rules. */
  get size(): number {
    return this.#rules.length;
  }

  /** The decision of the first rule that matches `thrown`, or undefined. Never throws. */
  apply(thrown: unknown): Mapped | undefined {
    for (const rule of this.#rules) {
      if (matches(rule.match, thrown)) return decide(rule, thrown);
    }
    return undefined;
  }
}

function matches(match: ErrorMapRule['match'], thrown: unknown): boolean {
  try {
    if (typeof match === 'function') return match(thrown) === true;
    const { instanceOf, code, name } = match;
    if (instanceOf !== undefined && !(thrown instanceof instanceOf)) return false;
    if (code !== undefined) {
      const actual = read(thrown, 'code');
      if (Array.isArray(code) ? !code.includes(actual as string) : actual !== code) return false;
    }
    if (name !== undefined && read(thrown, 'name') !== name) return false;
    return true;
  } catch {
    return false; // A predicate that throws, or a hostile value: the rule does not apply.
  }
}

function computed<T>(value: FromError<T> | undefined, thrown: unknown): T | undefined {
  if (typeof value !== 'function') return value;
  try {
    return (value as (error: unknown) => T | undefined)(thrown);
  } catch {
    return undefined;
  }
}

function decide(rule: ErrorMapRule, thrown: unknown): Mapped {
  const { extensions } = rule;
  return {
    status: rule.status,
    code: rule.code,
    title: rule.title,
    detail: bounded(computed(rule.detail, thrown)),
    expose: rule.expose === true,
    type: rule.type,
    members(problem) {
      if (typeof extensions !== 'function') return copyMembers(extensions);
      try {
        return copyMembers(extensions(thrown, problem));
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Validates `map` rules and compiles them. Throws FaultlineConfigError naming the rule and key.
 * @example
 * const map = compileMap([{ match: { code: 'P2025' }, status: 404 }]);
 * toFault(prismaError, {}, map).public.status; // 404
 */
export function compileMap(rules: readonly ErrorMapRule[] | undefined): ErrorMap | undefined {
  if (rules === undefined) return undefined;
  if (!Array.isArray(rules)) {
    throw new FaultlineConfigError(
      'map',
      `must be an array of rules, got ${show(rules)}`,
      "use e.g. map: [{ match: { code: 'P2025' }, status: 404 }]",
    );
  }
  (rules as readonly unknown[]).forEach(checkRule);
  return rules.length === 0 ? undefined : new ErrorMap([...rules]);
}

function checkRule(rule: unknown, i: number): void {
  const at = `map[${i}]`;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw new FaultlineConfigError(
      at,
      `must be a rule object, got ${show(rule)}`,
      'use { match: ..., status: ... }',
    );
  }
  const r = rule as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!RULE_KEYS.includes(key)) {
      throw new FaultlineConfigError(
        `${at}.${key}`,
        'is not a rule setting',
        `use only ${RULE_KEYS.join(', ')}`,
      );
    }
  }
  checkMatch(r.match, `${at}.match`);
  if (r.status !== undefined && !isErrorStatus(r.status)) {
    throw new FaultlineConfigError(
      `${at}.status`,
      `must be an integer from 400 to 599, got ${show(r.status)}`,
      'use e.g. status: 404',
    );
  }
  if (r.code !== undefined && (typeof r.code !== 'string' || !CODE.test(r.code))) {
    throw new FaultlineConfigError(
      `${at}.code`,
      `must match ${String(CODE)}, got ${show(r.code)}`,
      "use e.g. code: 'card_declined'",
    );
  }
  for (const key of ['title', 'detail'] as const) {
    const v = r[key];
    if (v === undefined || (key === 'detail' && typeof v === 'function')) continue;
    if (typeof v !== 'string' || v === '' || v.length > MAX_TEXT) {
      throw new FaultlineConfigError(
        `${at}.${key}`,
        `must be a non-empty string of at most ${MAX_TEXT} characters${key === 'detail' ? ' or a function' : ''}, got ${show(v)}`,
        `use e.g. ${key}: 'Payment declined'`,
      );
    }
  }
  if (r.expose !== undefined && typeof r.expose !== 'boolean') {
    throw new FaultlineConfigError(
      `${at}.expose`,
      `must be true or false, got ${show(r.expose)}`,
      'use expose: true to show the error message of a 4xx',
    );
  }
  if (r.type !== undefined && (typeof r.type !== 'string' || !URI.test(r.type))) {
    throw new FaultlineConfigError(
      `${at}.type`,
      `must be a URI, got ${show(r.type)}`,
      "use e.g. type: 'https://example.com/problems/out-of-credit'",
    );
  }
  checkExtensions(r.extensions, `${at}.extensions`);
}

function checkMatch(match: unknown, at: string): void {
  if (isClass(match)) {
    throw new FaultlineConfigError(
      at,
      'is a class; a function here is a predicate',
      'use match: { instanceOf: TheClass }',
    );
  }
  if (typeof match === 'function') return;
  if (typeof match !== 'object' || match === null || Array.isArray(match)) {
    throw new FaultlineConfigError(
      at,
      `must be { instanceOf, code, name } or a predicate, got ${show(match)}`,
      "use e.g. match: { code: 'ECONNREFUSED' } or match: (e) => e instanceof MyError",
    );
  }
  const m = match as Record<string, unknown>;
  const keys = Object.keys(m);
  for (const key of keys) {
    if (!MATCH_KEYS.includes(key)) {
      throw new FaultlineConfigError(
        `${at}.${key}`,
        'is not a match condition',
        `use only ${MATCH_KEYS.join(', ')}, or a predicate function`,
      );
    }
  }
  if (keys.length === 0) {
    throw new FaultlineConfigError(
      at,
      'has no condition and would match every error',
      'add instanceOf, code or name, or use match: () => true on purpose',
    );
  }
  if (m.instanceOf !== undefined && typeof m.instanceOf !== 'function') {
    throw new FaultlineConfigError(
      `${at}.instanceOf`,
      `must be a class, got ${show(m.instanceOf)}`,
      'use e.g. instanceOf: NotFoundError',
    );
  }
  const codes = Array.isArray(m.code) ? m.code : [m.code];
  if (m.code !== undefined && codes.some((c) => typeof c !== 'string' && typeof c !== 'number')) {
    throw new FaultlineConfigError(
      `${at}.code`,
      `must be a string, a number or an array of them, got ${show(m.code)}`,
      "use e.g. code: 'P2025' or code: ['ECONNREFUSED', 'ETIMEDOUT']",
    );
  }
  if (m.name !== undefined && typeof m.name !== 'string') {
    throw new FaultlineConfigError(
      `${at}.name`,
      `must be a string, got ${show(m.name)}`,
      "use e.g. name: 'QueryFailedError'",
    );
  }
}

function checkExtensions(ext: unknown, at: string): void {
  if (ext === undefined || typeof ext === 'function') return;
  if (typeof ext !== 'object' || ext === null || Array.isArray(ext)) {
    throw new FaultlineConfigError(
      at,
      `must be an object or a function, got ${show(ext)}`,
      'use e.g. extensions: { balance: 30 } or extensions: (e) => ({ balance: e.balance })',
    );
  }
  for (const key of Object.keys(ext)) {
    if (RESERVED_MEMBERS.has(key)) {
      throw new FaultlineConfigError(
        `${at}.${key}`,
        'is a member faultline writes itself',
        `use the rule's own ${key === 'status' || key === 'title' || key === 'detail' || key === 'type' || key === 'code' ? `"${key}" setting` : 'settings'}, or another name`,
      );
    }
  }
  if (copyMembers(ext) === undefined && Object.keys(ext).length > 0) {
    throw new FaultlineConfigError(
      at,
      'has no member that can be sent: names must match /^[A-Za-z][A-Za-z0-9_]*$/ and values be JSON',
      'use e.g. extensions: { balance: 30 }',
    );
  }
}
