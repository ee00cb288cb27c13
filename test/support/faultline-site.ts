/**
 * The faultline side of the differential tests: a node:http app with the same document root as
 * the reference server, paths that fail with a given status, internal-only routes (NGINX
 * `internal`: reachable only as an error route) and static files for everything else.
 */
import { readFileSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { errorContext, faultline } from '../../src/adapters/node.js';
import type { ErrorDocuments } from '../../src/core/error-documents.js';
import { HttpError } from '../../src/core/http-error.js';
import { listen } from './listen.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.gif': 'image/gif',
  '.txt': 'text/plain',
};

export interface SiteOptions {
  /** Directory whose `www/` is the document root; also faultline's `root` for `{ file }` documents. */
  dir: string;
  errorDocuments: ErrorDocuments;
  /** Path → status thrown as HttpError (the reference server's `return N` / `[R=N]`). */
  fail?: Record<string, number>;
  /**
   * Paths answered only inside an error route (NGINX `internal`); direct requests get 404.
   * `'file'` serves the path from the document root.
   */
  internal?: Record<string, 'file' | ((req: IncomingMessage, res: ServerResponse) => void)>;
}

export interface Site {
  url: string;
  close: () => Promise<void>;
}

/** Serves a file from `root` as a static server would (200, type by extension), else 404. */
function serveStatic(root: string, path: string, res: ServerResponse): void {
  const file = normalize(join(root, decodeURIComponent(path)));
  if (!file.startsWith(root)) throw new HttpError(404);
  let body: Buffer;
  try {
    if (!statSync(file).isFile()) throw new HttpError(404);
    body = readFileSync(file);
  } catch {
    throw new HttpError(404);
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
  });
  res.end(body);
}

/** Starts the faultline app on 127.0.0.1 port 0. */
export async function startSite(opts: SiteOptions): Promise<Site> {
  const root = join(opts.dir, 'www');
  const fl = faultline({ logger: false, errorDocuments: opts.errorDocuments, root });
  const server = http.createServer(
    fl.handle((req, res) => {
      const path = (req.url ?? '/').split('?')[0] as string;
      const status = opts.fail?.[path];
      if (status !== undefined) throw new HttpError(status);
      const internal = opts.internal?.[path];
      if (internal !== undefined) {
        if (errorContext(req) === undefined) throw new HttpError(404);
        if (internal === 'file') return serveStatic(root, path, res);
        return internal(req, res);
      }
      serveStatic(root, path, res);
    }),
  );
  fl.attach(server);
  return listen(server);
}

/** A response reduced to what the differential tests compare. */
export interface Shape {
  status: number;
  location: string | null;
  /** Media type without parameters ('text/html'), or null. */
  type: string | null;
  body: Buffer;
  headers: Headers;
}

/** Fetches without following redirects and reduces the response to a {@link Shape}. */
export async function shape(url: string, init: RequestInit = {}): Promise<Shape> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const body = Buffer.from(await res.arrayBuffer());
  const ct = res.headers.get('content-type');
  return {
    status: res.status,
    location: res.headers.get('location'),
    type: ct === null ? null : (ct.split(';')[0] as string).trim().toLowerCase(),
    body,
    headers: res.headers,
  };
}

/** The four compared fields, with the body as text (for readable assertion diffs). */
export function compared(s: Shape): {
  status: number;
  location: string | null;
  type: string | null;
  body: string;
} {
  return { status: s.status, location: s.location, type: s.type, body: s.body.toString('latin1') };
}
