/**
 * The three clients from the seed, run for real against the demo process's failing route:
 * curl -i, a PHP cURL script and a Python requests script, asserting what each prints.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from '../support/demo-process.js';
import { describeWith } from '../support/programs.js';

const run = promisify(execFile);
const CANARY = 'canary-clients-5ecret';
let demo: DemoProcess;

beforeAll(async () => {
  demo = await startDemo({ FAULTLINE_DEMO_SECRET: CANARY });
});
afterAll(() => demo.stop());

describeWith(['curl'], 'curl -i', () => {
  it('shows HTTP/1.1 500 Internal Server Error and the incident id', async () => {
    const { stdout } = await run('curl', ['-sS', '-i', `${demo.url}/fail/secret`]);
    expect(stdout.startsWith('HTTP/1.1 500 Internal Server Error\r\n')).toBe(true);
    const incident = /faultline-incident: ([0-9A-Z]{26})/i.exec(stdout)?.[1];
    expect(incident).toBeDefined();
    expect(stdout).not.toContain(CANARY);
    await new Promise((r) => setTimeout(r, 100));
    expect(demo.log()).toContain(incident);
    expect(demo.log()).not.toContain(CANARY); // scrubbed from the log too
  });
});

describeWith(['php'], 'PHP cURL', () => {
  it('sees CURLINFO_HTTP_CODE == 500 and prints the body', async () => {
    const script = `
      $ch = curl_init($argv[1]);
      curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
      $body = curl_exec($ch);
      $code = curl_getinfo($ch, CURLINFO_HTTP_CODE);
      if ($code != 500) { fwrite(STDERR, "unexpected $code\\n"); exit(1); }
      echo "status=$code\\n$body\\n";`;
    const { stdout } = await run('php', ['-r', script, `${demo.url}/fail/sync`]);
    expect(stdout).toMatch(/^status=500\n/);
    const body = JSON.parse(stdout.split('\n')[1] as string);
    expect(body).toMatchObject({
      status: 500,
      title: 'Internal Server Error',
      code: 'internal_error',
    });
    expect(stdout).not.toContain('synchronous failure');
  });
});

describeWith(['python3-requests'], 'Python requests', () => {
  it('sees status_code == 500 and prints response.text', async () => {
    const script = [
      'import sys, requests',
      'r = requests.get(sys.argv[1], headers={"Accept": "text/plain"})',
      'assert r.status_code == 500, r.status_code',
      'print("status", r.status_code)',
      'print(r.text, end="")',
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script, `${demo.url}/fail/non-error`]);
    expect(stdout).toMatch(/^status 500\n500 Internal Server Error\nIncident: [0-9A-Z]{26}\n$/);
    expect(stdout).not.toContain(CANARY);
  });
});
