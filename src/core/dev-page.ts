/**
 * dev-page: the developer error page, and the debug text for text/plain clients, from a
 * DebugReport. Self-contained: no script, no remote resource, one inline style allowed by its
 * hash (`DEV_PAGE_CSP`), frames of dependencies and the runtime collapsed with `<details>`, light
 * and dark, phone to desktop. Every value is escaped here.
 */
import type { DebugError, DebugFrame, DebugReport } from './debug-report.js';
import { escapeHtml } from './html-page.js';

/** The page's only style; `DEV_PAGE_CSP` allows exactly this text by its SHA-256 (a test pins it). */
export const DEV_PAGE_STYLE = `:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1b1d21;--muted:#5d6470;--card:#fff;--line:#e1e4e8;--accent:#c2261d;--hit:#fff1c2;--code:#f3f4f6;--tag:#eef0f3}
@media (prefers-color-scheme:dark){:root{--bg:#121316;--fg:#e9eaee;--muted:#a1a7b3;--card:#1b1d22;--line:#2c2f36;--accent:#ff8a80;--hit:#4a3b12;--code:#16181c;--tag:#262930}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 20px 48px}
section,header{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px;margin:0 0 16px;min-width:0}
.badge{display:inline-block;font-size:13px;font-weight:600;color:var(--accent);border:1px solid var(--accent);border-radius:999px;padding:2px 10px;margin:0 0 12px}
h1{font-size:26px;margin:0 0 6px;color:var(--accent);word-break:break-word}h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 12px}h3{font-size:17px;margin:0 0 4px;word-break:break-word}
.msg{font-size:18px;margin:0 0 12px;white-space:pre-wrap;word-break:break-word}
.meta{margin:0;color:var(--muted);font-size:14px;word-break:break-word}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
code{background:var(--tag);border-radius:5px;padding:1px 6px;user-select:all;word-break:break-all}
.frame{border-top:1px solid var(--line);padding:10px 0}.frame:first-child{border-top:0;padding-top:0}
.loc{margin:0;word-break:break-all}.fn{font-weight:600}.file{color:var(--muted)}.gen{display:block;color:var(--muted);font-size:12px}
.kind{display:inline-block;font-size:11px;background:var(--tag);color:var(--muted);border-radius:4px;padding:0 6px;margin-left:6px;vertical-align:1px}
pre{margin:8px 0 0;background:var(--code);border:1px solid var(--line);border-radius:8px;padding:8px 0;overflow-x:auto;max-width:100%}
.l{display:block;padding:0 12px;white-space:pre;min-width:max-content}.l.hit{background:var(--hit)}.n{display:inline-block;min-width:3.5em;color:var(--muted);user-select:none}
details{margin:6px 0 0}summary{cursor:pointer;color:var(--muted);font-size:13px}details .frame{padding:6px 0 6px 14px}
.cause{border-top:1px solid var(--line);padding-top:16px;margin-top:16px}.cause:first-of-type{border-top:0;padding-top:0;margin-top:0}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{text-align:left;vertical-align:top;padding:4px 8px 4px 0;border-top:1px solid var(--line);word-break:break-all}th{width:34%;font-weight:500;color:var(--muted)}
.json{white-space:pre-wrap;word-break:break-all;padding:12px}
footer{color:var(--muted);font-size:13px;padding:0 4px}
@media (max-width:600px){main{padding:12px 10px 32px}section,header{padding:14px}h1{font-size:21px}.msg{font-size:16px}th{width:40%}}`;

/**
 * CSP of the developer page: nothing but its own inline style (by hash); no script, image, font,
 * frame, form target or base URL.
 */
export const DEV_PAGE_CSP =
  "default-src 'none'; style-src 'sha256-GvcpadYTRKIT8juytB1uwuCJIOJkil74R5tmeWdP4Z4='; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** What the page shows besides the report. */
export interface DevPageParts {
  readonly status: number;
  readonly title: string;
  readonly incident: string | undefined;
  /** The problem+json body a production client gets for this failure. */
  readonly problem: string;
  /** Current directory, to show app paths relative to it. */
  readonly cwd?: string | undefined;
}

function shortPath(file: string, cwd: string | undefined): string {
  if (cwd !== undefined && cwd !== '' && file.startsWith(`${cwd}/`))
    return file.slice(cwd.length + 1);
  return file;
}

function where(f: DebugFrame, cwd: string | undefined): string {
  if (f.file === undefined) return '';
  const pos =
    f.line === undefined ? '' : `:${f.line}${f.column === undefined ? '' : `:${f.column}`}`;
  return `${shortPath(f.file, cwd)}${pos}`;
}

function frameHtml(f: DebugFrame, cwd: string | undefined, withContext = true): string {
  const fn = f.function === undefined ? '<anonymous>' : f.function;
  let html = `<div class="frame ${f.kind}"><p class="loc"><span class="fn">${escapeHtml(fn)}</span> <span class="file">${escapeHtml(where(f, cwd))}</span>`;
  if (f.kind !== 'app')
    html += `<span class="kind">${f.kind === 'dependency' ? 'node_modules' : 'runtime'}</span>`;
  if (f.generated !== undefined) {
    html += `<span class="gen">compiled: ${escapeHtml(`${shortPath(f.generated.file, cwd)}:${f.generated.line}:${f.generated.column}`)}</span>`;
  }
  html += '</p>';
  const context = withContext ? f.context : undefined;
  if (context !== undefined) {
    html += '<pre>';
    context.lines.forEach((text, i) => {
      const n = context.start + i;
      html += `<span class="l${n === f.line ? ' hit' : ''}"><span class="n">${n}</span>${escapeHtml(text)}</span>`;
    });
    html += '</pre>';
  }
  return `${html}</div>`;
}

function sameFrame(a: DebugFrame, b: DebugFrame): boolean {
  const ga = a.generated ?? a;
  const gb = b.generated ?? b;
  return (
    a.function === b.function &&
    ga.file === gb.file &&
    ga.line === gb.line &&
    ga.column === gb.column
  );
}

/**
 * How many frames at the bottom of `frames` the top error also has: a cause made in the same
 * call path repeats them (Java prints "... N more" for the same reason).
 */
function commonTail(frames: readonly DebugFrame[], above: readonly DebugFrame[]): number {
  let n = 0;
  while (
    n < frames.length &&
    n < above.length &&
    sameFrame(
      frames[frames.length - 1 - n] as DebugFrame,
      above[above.length - 1 - n] as DebugFrame,
    )
  )
    n++;
  return n;
}

/** Frames, with each run of dependency/runtime frames collapsed into one `<details>`. */
function framesHtml(
  all: readonly DebugFrame[],
  cwd: string | undefined,
  above?: readonly DebugFrame[],
  maxContext = Number.POSITIVE_INFINITY,
): string {
  let shown = 0;
  if (all.length === 0) return '<p class="meta">No stack frames.</p>';
  const common = above === undefined ? 0 : commonTail(all, above);
  const frames = common === 0 ? all : all.slice(0, all.length - common);
  let html = '';
  let run: DebugFrame[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const deps = run.filter((f) => f.kind === 'dependency').length;
    const label = [
      deps > 0 ? `${deps} in node_modules` : '',
      run.length - deps > 0 ? `${run.length - deps} in the runtime` : '',
    ]
      .filter(Boolean)
      .join(', ');
    html += `<details><summary>${run.length} frame${run.length === 1 ? '' : 's'} hidden (${label})</summary>${run.map((f) => frameHtml(f, cwd)).join('')}</details>`;
    run = [];
  };
  for (const f of frames) {
    if (f.kind === 'app') {
      flush();
      html += frameHtml(f, cwd, f.context !== undefined && shown++ < maxContext);
    } else run.push(f);
  }
  flush();
  if (common > 0)
    html += `<p class="meta">… ${common} frame${common === 1 ? '' : 's'} shared with the top error</p>`;
  return html;
}

function errorHead(e: DebugError, tag: 'h1' | 'h3'): string {
  const code = e.code === undefined ? '' : ` <code>${escapeHtml(e.code)}</code>`;
  return `<${tag}>${escapeHtml(e.name)}${code}</${tag}><p class="msg">${escapeHtml(e.message)}</p>`;
}

/** The developer page's HTML. */
export function devPage(report: DebugReport, parts: DevPageParts): string {
  const { error, causes, request } = report;
  const cwd = parts.cwd;
  const title = escapeHtml(`${error.name}: ${error.message}`.slice(0, 200));
  const incident =
    parts.incident === undefined ? '' : ` · incident <code>${escapeHtml(parts.incident)}</code>`;
  const route =
    request.route === undefined
      ? ''
      : ` · route <span class="mono">${escapeHtml(request.route)}</span>`;
  let html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>${parts.status} · ${title}</title><style>${DEV_PAGE_STYLE}</style></head><body><main>`;
  html += `<header><p class="badge">${parts.status} ${escapeHtml(parts.title)} · debug</p>${errorHead(error, 'h1')}<p class="meta"><span class="mono">${escapeHtml(request.method)} ${escapeHtml(request.url)}</span>${route}${incident}</p></header>`;
  html += `<section><h2>Stack</h2>${framesHtml(error.frames, cwd)}</section>`;
  if (causes.length > 0) {
    // Causes show the code of their first app frame only: the rest repeats the path above.
    html += '<section><h2>Caused by (cause chain and AggregateError members)</h2>';
    for (const c of causes)
      html += `<div class="cause">${errorHead(c, 'h3')}${framesHtml(c.frames, cwd, error.frames, 1)}</div>`;
    html += '</section>';
  }
  html += '<section><h2>Request</h2><table>';
  html += `<tr><th>method</th><td class="mono">${escapeHtml(request.method)}</td></tr><tr><th>url</th><td class="mono">${escapeHtml(request.url)}</td></tr>`;
  if (request.route !== undefined)
    html += `<tr><th>route</th><td class="mono">${escapeHtml(request.route)}</td></tr>`;
  for (const [name, value] of Object.entries(request.headers)) {
    const text = Array.isArray(value) ? value.join(', ') : value;
    html += `<tr><th class="mono">${escapeHtml(name)}</th><td class="mono">${escapeHtml(text)}</td></tr>`;
  }
  html += '</table></section>';
  html += `<section><h2>What a production client gets</h2><pre class="json">${escapeHtml(parts.problem)}</pre></section>`;
  html +=
    '<footer>faultline shows this page because <code>debug</code> is on and this request came straight from this machine (loopback peer, loopback Host, no proxy headers). Secrets are scrubbed as in the log. Every other client gets the generic page.</footer>';
  return `${html}</main></body></html>\n`;
}

function frameText(f: DebugFrame): string {
  const loc = `${f.file ?? '<unknown>'}${f.line === undefined ? '' : `:${f.line}:${f.column ?? 0}`}`;
  return f.function === undefined ? `    at ${loc}` : `    at ${f.function} (${loc})`;
}

function errorText(e: DebugError): string {
  const code = e.code === undefined ? '' : ` [${e.code}]`;
  return [`${e.name}${code}: ${e.message}`, ...e.frames.map(frameText)].join('\n');
}

/** The debug block appended to a text/plain error body. */
export function devText(report: DebugReport): string {
  let out = `\n[debug] ${errorText(report.error)}\n`;
  for (const c of report.causes) out += `[cause] ${errorText(c)}\n`;
  const r = report.request;
  out += `[request] ${r.method} ${r.url}${r.route === undefined ? '' : ` (route ${r.route})`}\n`;
  return out;
}
