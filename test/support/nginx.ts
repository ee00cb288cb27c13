/**
 * Runs Debian's nginx in the foreground for a test: a temp prefix with the config the test
 * writes (the `server { ... }` body), document root `<dir>/www`, logs and temp paths inside.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type RunningServer, runServer, tempTree } from './server-process.js';

export const NGINX = '/usr/sbin/nginx';

/**
 * Starts nginx with `serverBody` inside `server { listen ...; root <dir>/www; }`; `files` are
 * written under the temp dir (put documents under `www/`).
 */
export async function startNginx(
  serverBody: string,
  files: Record<string, string | Buffer> = {},
): Promise<RunningServer> {
  const port = await freePort();
  const dir = tempTree('faultline-nginx-', { ...files, 'tmp/.keep': '' });
  const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 64; }
http {
  # The requested URI, the URI finally served (after error_page redirects) and the status.
  log_format differential '$request_uri $uri $status';
  access_log ${dir}/access.log differential;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { text/html html; image/gif gif; text/plain txt; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    root ${dir}/www;
${serverBody}
  }
}
`;
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf, { mode: 0o644 });
  return runServer(NGINX, ['-p', `${dir}/`, '-c', confPath, '-e', join(dir, 'error.log')], {
    port,
    dir,
    errorLog: join(dir, 'error.log'),
  });
}
