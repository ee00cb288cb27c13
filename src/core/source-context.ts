/**
 * source-context: where a frame of the app's own code really is, and the lines around it. Source
 * maps are honoured: a map Node already holds (`module.findSourceMap`, with
 * `--enable-source-maps`), else the file's `//# sourceMappingURL=` comment (a file next to it or a
 * `data:` URL) read with `module.SourceMap`, so a compiled TypeScript app shows its `.ts` lines.
 *
 * Runtime-neutral: Node's modules are reached through `process.getBuiltinModule` (Node >= 20.16),
 * never imported, so the web entry points stay free of `node:*`; elsewhere there is no context.
 * Used only on the debug path; every failure (a missing file, a broken map) means "no context".
 */
import type * as Fs from 'node:fs';
import type * as Module from 'node:module';
import type * as Path from 'node:path';

/** A place in a source file and the lines around it. Lines and columns are 1-based. */
export interface SourcePlace {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** True when `file`/`line`/`column` come from a source map. */
  readonly mapped: boolean;
  /** The lines around `line`; `start` is the number of the first. Absent when unreadable. */
  readonly context?: { readonly start: number; readonly lines: readonly string[] } | undefined;
}

interface NodeModules {
  readonly fs: typeof Fs;
  readonly module: typeof Module;
  readonly path: typeof Path;
}

interface LoadedMap {
  readonly map: Module.SourceMap;
  /** Directory the map's `sources` are relative to (with `sourceRoot` applied). */
  readonly base: string;
  readonly sources: readonly string[];
  readonly contents: readonly (string | null)[];
}

/** Lines of context on each side of the failing line. */
const AROUND = 3;
const MAX_LINE = 240;
const MAX_FILE = 8 * 1024 * 1024;
const MAX_CACHE = 128;

let modules: NodeModules | null | undefined;
const maps = new Map<string, LoadedMap | null>();

function node(): NodeModules | null {
  if (modules !== undefined) return modules;
  try {
    const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
      ?.getBuiltinModule;
    if (typeof get !== 'function') {
      modules = null;
      return modules;
    }
    const fs = get('node:fs') as typeof Fs | undefined;
    const module = get('node:module') as typeof Module | undefined;
    const path = get('node:path') as typeof Path | undefined;
    modules = fs && module && path ? { fs, module, path } : null;
  } catch {
    modules = null;
  }
  return modules;
}

function readText(n: NodeModules, file: string): string | undefined {
  try {
    if (n.fs.statSync(file).size > MAX_FILE) return undefined;
    return n.fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function decodeDataUrl(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (comma === -1) return undefined;
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  if (!meta.endsWith(';base64')) return decodeURIComponent(data);
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

function toPath(n: NodeModules, base: string, source: string): string {
  if (source.startsWith('file://')) {
    try {
      return decodeURIComponent(new URL(source).pathname);
    } catch {
      return source;
    }
  }
  return n.path.resolve(base, source);
}

function loadMap(n: NodeModules, file: string): LoadedMap | null {
  const known = maps.get(file);
  if (known !== undefined) return known;
  let loaded: LoadedMap | null = null;
  try {
    let payload: Module.SourceMapPayload | undefined = n.module.findSourceMap(file)?.payload;
    let mapFile = file;
    if (payload === undefined) {
      const text = readText(n, file);
      const m =
        text === undefined
          ? null
          : /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text.slice(-200_000));
      const url = m?.[1];
      if (url !== undefined) {
        let json: string | undefined;
        if (url.startsWith('data:')) json = decodeDataUrl(url);
        else {
          mapFile = toPath(n, n.path.dirname(file), url);
          json = readText(n, mapFile);
        }
        if (json !== undefined) payload = JSON.parse(json) as Module.SourceMapPayload;
      }
    }
    if (payload !== undefined && Array.isArray(payload.sources)) {
      const base = n.path.resolve(n.path.dirname(mapFile), payload.sourceRoot ?? '');
      loaded = {
        map: new n.module.SourceMap(payload),
        base,
        sources: payload.sources,
        contents: Array.isArray(payload.sourcesContent) ? payload.sourcesContent : [],
      };
    }
  } catch {
    loaded = null;
  }
  if (maps.size >= MAX_CACHE) maps.clear();
  maps.set(file, loaded);
  return loaded;
}

function around(text: string, line: number): SourcePlace['context'] {
  const all = text.split(/\r?\n/);
  if (line < 1 || line > all.length) return undefined;
  const start = Math.max(1, line - AROUND);
  const end = Math.min(all.length, line + AROUND);
  const lines = all
    .slice(start - 1, end)
    .map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
  return { start, lines };
}

/**
 * Where `file:line:column` (1-based, as in a stack) is in the app's own source, with the lines
 * around it. Undefined when not on Node or the file cannot be read. Never throws.
 */
export function sourcePlace(file: string, line: number, column: number): SourcePlace | undefined {
  const n = node();
  if (n === null || !n.path.isAbsolute(file)) return undefined;
  try {
    const loaded = loadMap(n, file);
    if (loaded !== null) {
      const entry = loaded.map.findEntry(line - 1, column - 1) as Partial<Module.SourceMapping>;
      if (typeof entry.originalSource === 'string' && typeof entry.originalLine === 'number') {
        const original = toPath(n, loaded.base, entry.originalSource);
        const index = loaded.sources.indexOf(entry.originalSource);
        const inline = index === -1 ? null : (loaded.contents[index] ?? null);
        const text = inline ?? readText(n, original);
        const mappedLine = entry.originalLine + 1;
        return {
          file: original,
          line: mappedLine,
          column: (entry.originalColumn ?? 0) + 1,
          mapped: true,
          context: text === undefined ? undefined : around(text, mappedLine),
        };
      }
    }
    const text = readText(n, file);
    return {
      file,
      line,
      column,
      mapped: false,
      context: text === undefined ? undefined : around(text, line),
    };
  } catch {
    return undefined;
  }
}
