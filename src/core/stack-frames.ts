/**
 * stack-frames: a V8 stack string as frames (function, file, line, column) and who owns each
 * frame: the app, a dependency under node_modules, or the runtime (`node:internal`, native).
 * Pure and bounded; used only on the debug path.
 */

/** Who owns a frame: the app's own code, a dependency, or the runtime. */
export type FrameKind = 'app' | 'dependency' | 'runtime';

/** One parsed stack frame. Line and column are 1-based, as V8 prints them. */
export interface StackFrame {
  /** `fn`, `Class.method`, `async handler`, `new Thing`; undefined for top-level code. */
  readonly fn: string | undefined;
  /** A path (file URLs are turned into paths), `node:internal/...`, or `<anonymous>`. */
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly kind: FrameKind;
}

const MAX_FRAMES = 60;
const LOCATION = /^(.*):(\d{1,9}):(\d{1,9})$/;

/** A `file://` URL as a path; anything else unchanged. */
export function filePath(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return decodeURIComponent(new URL(location).pathname);
  } catch {
    return location;
  }
}

/** Who owns a file. */
export function frameKind(file: string | undefined): FrameKind {
  if (file === undefined || file === '' || file.startsWith('<')) return 'runtime';
  if (file.startsWith('node:') || file.startsWith('internal/') || file === 'native')
    return 'runtime';
  if (file.includes('/node_modules/') || file.includes('\\node_modules\\')) return 'dependency';
  return 'app';
}

/** The text inside the last balanced pair of parentheses that ends `text`, and what precedes it. */
function splitCall(text: string): { fn: string | undefined; location: string } {
  if (!text.endsWith(')')) return { fn: undefined, location: text };
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ')') depth++;
    else if (c === '(' && --depth === 0) {
      const fn = text.slice(0, i).trim();
      return { fn: fn === '' ? undefined : fn, location: text.slice(i + 1, -1) };
    }
  }
  return { fn: undefined, location: text };
}

/** Parses one `    at ...` line; undefined for anything else. */
export function parseFrame(raw: string): StackFrame | undefined {
  const line = raw.trim();
  if (!line.startsWith('at ')) return undefined;
  let { fn, location } = splitCall(line.slice(3).trim());
  // `at async file:///app/x.js:3:1`: an async top-level frame has no parentheses.
  if (fn === undefined && location.startsWith('async ')) {
    fn = 'async';
    location = location.slice(6);
  }
  // `eval at f (file:1:2), <anonymous>:3:4`: the eval's caller is the meaningful place.
  const evalAt = /^eval at .*\((.*)\), .*$/.exec(location);
  const where = evalAt?.[1] ?? location;
  const m = LOCATION.exec(where);
  if (m === null) {
    return {
      fn,
      file: where === '' ? undefined : where,
      line: undefined,
      column: undefined,
      kind: 'runtime',
    };
  }
  const file = filePath(m[1] as string);
  return { fn, file, line: Number(m[2]), column: Number(m[3]), kind: frameKind(file) };
}

/** The frames of a V8 stack string (at most 60); lines that are not frames are skipped. */
export function parseStack(stack: string | undefined): StackFrame[] {
  const frames: StackFrame[] = [];
  if (typeof stack !== 'string') return frames;
  for (const raw of stack.split('\n')) {
    const frame = parseFrame(raw);
    if (frame === undefined) continue;
    frames.push(frame);
    if (frames.length >= MAX_FRAMES) break;
  }
  return frames;
}
