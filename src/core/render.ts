/**
 * render: PublicFault -> body in the negotiated format. Bodies for a given status/code/title are
 * compiled once into a template; per request only the incident id is spliced in. Faults with an
 * exposed detail or extension members are rendered directly (they vary per request). Debug output
 * is not rendered here: see debug-report and dev-page.
 */
import type { PublicFault } from './fault.js';
import { defaultPage, humanSentence } from './html-page.js';
import type { Format } from './negotiate.js';
import { PROBLEM_JSON } from './problem.js';

/** A rendered body and its media type. */
export interface RenderedBody {
  readonly contentType: string;
  readonly body: string;
}

/** A custom body for a status and format, chosen by error-document configuration. */
export type BodyOverride = (fault: PublicFault, format: Format) => RenderedBody | undefined;

const CONTENT_TYPE: Record<Format, string> = {
  json: `${PROBLEM_JSON}; charset=utf-8`,
  html: 'text/html; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

const SLOT = '@@faultline-incident@@';
const MAX_TEMPLATES = 512;

function build(f: PublicFault, format: Format, incident: string | undefined): string {
  switch (format) {
    case 'json': {
      const problem: Record<string, unknown> = { type: f.type, title: f.title, status: f.status };
      if (f.detail !== undefined) problem.detail = f.detail;
      problem.code = f.code;
      if (incident !== undefined) {
        problem.instance = `urn:faultline:incident:${incident}`;
        problem.incident = incident;
      }
      // Extension names never collide with the members above: classify filters them.
      if (f.extensions !== undefined) Object.assign(problem, f.extensions);
      return JSON.stringify(problem);
    }
    case 'html':
      return defaultPage({
        status: f.status,
        title: f.title,
        sentence: humanSentence(f.status),
        detail: f.detail,
        incidentSlot: incident,
        debugHtml: '',
      });
    case 'text': {
      let out = `${f.status} ${f.title}\n`;
      if (f.detail !== undefined) out += `${f.detail}\n`;
      if (incident !== undefined) out += `Incident: ${incident}\n`;
      return out;
    }
  }
}

/** Renders faults; holds the compiled templates. One per faultline instance. */
export class Renderer {
  readonly #templates = new Map<string, readonly string[]>();

  /** The body of `fault` in `format`. */
  render(fault: PublicFault, format: Format): RenderedBody {
    const contentType = CONTENT_TYPE[format];
    if (fault.detail !== undefined || fault.extensions !== undefined) {
      return { contentType, body: build(fault, format, fault.incident) };
    }
    const key = `${format}|${fault.status}|${fault.code}|${fault.type}|${fault.incident === undefined ? 0 : 1}`;
    let parts = this.#templates.get(key);
    if (parts === undefined) {
      parts = build(fault, format, fault.incident === undefined ? undefined : SLOT).split(SLOT);
      if (this.#templates.size >= MAX_TEMPLATES) this.#templates.clear();
      this.#templates.set(key, parts);
    }
    if (parts.length === 1) return { contentType, body: parts[0] as string };
    return { contentType, body: parts.join(fault.incident) };
  }
}
