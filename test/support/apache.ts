/**
 * Runs Debian's apache2 in the foreground for a test: a minimal config (only the modules the
 * differential tests need) written into a temp dir with the test's own directives, document root
 * `<dir>/www`, pid, mutexes and logs inside. As root, Apache drops to www-data for requests, so
 * the temp tree is world-readable.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type RunningServer, runServer, tempTree } from './server-process.js';

export const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

/**
 * Starts Apache with `directives` inside its (only) virtual host; `files` are written under the
 * temp dir (put documents under `www/`).
 */
export async function startApache(
  directives: string,
  files: Record<string, string | Buffer> = {},
): Promise<RunningServer> {
  const port = await freePort();
  const dir = tempTree('faultline-apache-', { ...files, 'run/.keep': '' });
  const mods = ['mpm_event', 'authz_core', 'rewrite', 'mime', 'alias'];
  const conf = `ServerRoot ${dir}
DefaultRuntimeDir ${dir}/run
PidFile ${dir}/run/apache2.pid
Mutex file:${dir}/run default
${mods.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`).join('\n')}
${process.getuid?.() === 0 ? 'User www-data\nGroup www-data' : ''}
ServerName localhost
Listen 127.0.0.1:${port}
ErrorLog ${dir}/error.log
LogLevel warn
LogFormat "%h %r %>s" plain
CustomLog ${dir}/access.log plain
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
TypesConfig /etc/mime.types
AddDefaultCharset Off
DocumentRoot ${dir}/www
<Directory ${dir}/www>
  Require all granted
</Directory>
<VirtualHost 127.0.0.1:${port}>
  DocumentRoot ${dir}/www
  RewriteEngine On
${directives}
</VirtualHost>
`;
  const confPath = join(dir, 'apache2.conf');
  writeFileSync(confPath, conf, { mode: 0o644 });
  return runServer(APACHE, ['-f', confPath, '-DFOREGROUND'], {
    port,
    dir,
    errorLog: join(dir, 'error.log'),
    env: {
      APACHE_RUN_DIR: `${dir}/run`,
      APACHE_LOCK_DIR: `${dir}/run`,
      APACHE_LOG_DIR: dir,
      APACHE_PID_FILE: `${dir}/run/apache2.pid`,
      APACHE_RUN_USER: 'www-data',
      APACHE_RUN_GROUP: 'www-data',
      LANG: 'C',
    },
  });
}
