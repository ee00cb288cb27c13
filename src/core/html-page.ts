/**
 * The default HTML error page: self-contained (no external assets, so CSP `default-src 'none'`
 * holds), readable on phone and desktop, light and dark. Only escaped values are spliced in.
 */

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A short human sentence for a status, never technical. */
export function humanSentence(status: number): string {
  switch (status) {
    case 400:
      return 'The request could not be understood.';
    case 401:
    case 403:
      return 'You do not have access to this page.';
    case 404:
    case 410:
      return 'The page you asked for does not exist.';
    case 405:
      return 'This action is not allowed here.';
    case 413:
      return 'What you sent is too large.';
    case 429:
      return 'Too many requests. Please wait a moment and try again.';
    case 501:
      return 'This action is not supported by the server.';
    case 502:
    case 504:
      return 'A service we depend on did not answer properly. Please try again shortly.';
    case 503:
      return 'The service is temporarily unavailable. Please try again shortly.';
    default:
      return status >= 500
        ? 'Something went wrong on our side. It is not your fault, and it has been recorded.'
        : 'The request could not be processed.';
  }
}

/** The page's stylesheet (light and dark), shared with the demo's home page. */
export const PAGE_STYLE = `:root{color-scheme:light dark;--bg:#f7f7f8;--fg:#1d1d1f;--muted:#5f6368;--card:#fff;--line:#e3e3e6;--accent:#b3261e}
@media (prefers-color-scheme:dark){:root{--bg:#141416;--fg:#ececf1;--muted:#a0a0ab;--card:#1e1e22;--line:#2e2e34;--accent:#f2b8b5}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:24px}
main{max-width:560px;width:100%;background:var(--card);border:1px solid var(--line);border-radius:16px;padding:32px}
.status{font-size:56px;font-weight:700;line-height:1;color:var(--accent);margin:0 0 8px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:16px;margin:24px 0 8px}p{margin:0 0 16px;color:var(--muted)}
.incident{border-top:1px solid var(--line);padding-top:16px;font-size:14px;color:var(--muted)}
code{font:14px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:2px 6px;user-select:all;word-break:break-all}
pre{white-space:pre-wrap;word-break:break-word;font:12px ui-monospace,monospace;background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:12px;overflow:auto}
main>:last-child{margin-bottom:0}
@media (max-width:480px){body{padding:12px}main{padding:24px 20px}.status{font-size:48px}}`;

/** Parts of the default page; `incidentSlot` marks where the escaped incident id goes. */
export interface PageParts {
  status: number;
  title: string;
  sentence: string;
  detail: string | undefined;
  /** Already-escaped HTML for the debug block, or ''. */
  debugHtml: string;
  /** Text placed where the incident id goes (a slot marker when compiling a template). */
  incidentSlot: string | undefined;
}

/** The default page's HTML. All text in `parts` is escaped here except `debugHtml`/`incidentSlot`. */
export function defaultPage(parts: PageParts): string {
  const title = escapeHtml(parts.title);
  const detail = parts.detail === undefined ? '' : `<p>${escapeHtml(parts.detail)}</p>`;
  const incident =
    parts.incidentSlot === undefined
      ? ''
      : `<p class="incident">If you contact support, quote this incident id (select it to copy):<br><code>${parts.incidentSlot}</code></p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${parts.status} ${title}</title><style>${PAGE_STYLE}</style></head><body><main><p class="status">${parts.status}</p><h1>${title}</h1><p>${escapeHtml(parts.sentence)}</p>${detail}${incident}${parts.debugHtml}</main></body></html>\n`;
}
