/**
 * The process guard with real processes and sockets: a crash under load, an unhandled rejection,
 * SIGTERM under load, and a kept-alive request during the drain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/built.js';

const SERVER = fileURLToPath(new URL('../fixtures/guarded-server.mjs', import.meta.url));

interface Proc {
  child: ChildProcess;
  port: number;
  log: () => string;
  /** Resolves when the server has printed `text` on stdout. */
  printed: (text: string) => Promise<void>;
  exited: Promise<{ code: number | null; at: number }>;
}

async function start(env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c) => {
    stderr += String(c);
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: Date.now() })),
  );
  let out = '';
  const waiters: Array<[text: string, resolve: () => void]> = [];
  child.stdout?.on('data', (c) => {
    out += String(c);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const [text, resolve] = waiters[i] as [string, () => void];
      if (out.includes(text)) {
        waiters.splice(i, 1);
        resolve();
      }
    }
  });
  const printed = (text: string): Promise<void> =>
    out.includes(text)
      ? Promise.resolve()
      : new Promise((resolve) => {
          waiters.push([text, resolve]);
        });
  const port = await new Promise<number>((resolve, reject) => {
    const check = (): void => {
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout?.on('data', check);
    child.on('exit', () => reject(new Error(`server exited early: ${stderr}`)));
  });
  return { child, port, log: () => stderr, printed, exited };
}

interface Answer {
  status: number | 'error';
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request on its own connection; a reset or truncated body comes back as 'error'. */
function get(port: number, path: string, agent?: http.Agent): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: agent ?? false }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += String(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', () => resolve({ status: 'error', body, headers: res.headers }));
      res.on('aborted', () => resolve({ status: 'error', body, headers: res.headers }));
    });
    req.on('error', () => resolve({ status: 'error', body: '', headers: {} }));
  });
}

beforeAll(() => ensureBuilt());

/** The JSON log lines of a finished process. */
function records(p: Proc): Array<Record<string, unknown>> {
  return p
    .log()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The drain's one line. */
function drainLine(p: Proc): Record<string, unknown> | undefined {
  const lines = records(p).filter((r) => r.shutdown !== undefined);
  expect(lines).toHaveLength(1);
  return lines[0]?.shutdown as Record<string, unknown> | undefined;
}

/** `n` identical failures, one at a time; returns the incident ids the clients received. */
async function failures(port: number, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await get(port, '/fail');
    expect(res.status).toBe(500);
    ids.push(String(res.headers['faultline-incident']));
  }
  return ids;
}

/** Every id leads by its root (the id up to the first dot) to a full record; one summary counts all. */
function expectCounted(p: Proc, ids: string[]): void {
  const root = ids[0] as string;
  for (const id of ids.slice(1)) expect(id.slice(0, id.indexOf('.'))).toBe(root);
  const recs = records(p);
  const full = recs.filter((r) => r.incident === root && r.storm === undefined);
  expect(full).toHaveLength(1);
  expect(full[0]).toMatchObject({ status: 500, error: { message: 'counted failure' } });
  const summaries = recs.filter((r) => r.storm !== undefined);
  expect(summaries).toHaveLength(1);
  expect(summaries[0]).toMatchObject({
    incident: root,
    storm: { count: ids.length, suppressed: ids.length - 1, lastIncident: ids.at(-1) },
  });
}

describe('process guard', () => {
  it('a throw in a timer under load: every other in-flight request completes, the failing one gets 500, exit 1', async () => {
    const p = await start({ GRACE_MS: '3000' });
    const N = 40;
    const slow = Array.from({ length: N }, (_, i) => get(p.port, `/slow?ms=400&id=${i}`));
    await new Promise((r) => setTimeout(r, 50));
    const crashedAt = Date.now();
    const crash = await get(p.port, '/crash');
    const answers = await Promise.all(slow);
    const { code, at } = await p.exited;

    expect(crash.status).toBe(500);
    const incident = String(crash.headers['faultline-incident']);
    expect(incident).toMatch(/^[0-9A-Z]{26}$/);
    const completed = answers.filter((a, i) => a.status === 200 && a.body === `ok ${i}`).length;
    expect({ inFlight: N, completed, lost: N - completed }).toEqual({
      inFlight: N,
      completed: N,
      lost: 0,
    });
    expect(code).toBe(1);
    expect(at - crashedAt).toBeLessThan(3000 + 1000);
    const record = p
      .log()
      .split('\n')
      .find((l) => l.includes(incident));
    expect(record).toBeDefined();
    const parsed = JSON.parse(record as string);
    expect(parsed).toMatchObject({
      status: 500,
      phase: 'process',
      error: { message: 'timer crash with stack' },
    });
    expect(parsed.error.stack).toContain('guarded-server.mjs');
  });

  it('a second fault during the drain exits at once', async () => {
    const p = await start({ GRACE_MS: '5000' });
    const slow = get(p.port, '/slow?ms=3000&id=slow');
    const second = get(p.port, '/late-crash?ms=300');
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    expect((await get(p.port, '/crash')).status).toBe(500);
    const { code, at } = await p.exited;
    expect(code).toBe(1);
    expect(at - t0).toBeLessThan(1500);
    expect((await second).status).toBe(500);
    expect((await slow).status).toBe('error');
    expect(p.log()).toContain('second fault during drain');
  });

  it('an unhandled rejection is charged to its request too', async () => {
    const p = await start();
    const res = await get(p.port, '/reject');
    expect(res.status).toBe(500);
    expect((await p.exited).code).toBe(1);
    expect(p.log()).toContain('unhandled rejection in a timer');
  });

  it('counted failures, then SIGTERM: the summary with the exact count and the drain line are logged', async () => {
    const p = await start();
    const ids = await failures(p.port, 6);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expectCounted(p, ids);
    expect(drainLine(p)).toMatchObject({ reason: 'SIGTERM', inFlight: 0, drained: 0, lost: 0 });
  });

  it('counted failures, then a crash: the summary with the exact count is logged before exit 1', async () => {
    const p = await start();
    const ids = await failures(p.port, 6);
    expect((await get(p.port, '/crash')).status).toBe(500);
    expect((await p.exited).code).toBe(1);
    expectCounted(p, ids);
    expect(drainLine(p)).toMatchObject({ reason: 'crash', lost: 0 });
  });

  it('a second signal during the drain exits at once, still with the exact count and the drain line', async () => {
    const p = await start({ GRACE_MS: '5000' });
    const ids = await failures(p.port, 4);
    const slow = get(p.port, '/slow?ms=5000&id=slow&announce');
    await p.printed('started slow');
    p.child.kill('SIGTERM');
    // The first signal has been handled once the listener is closed: a new connection is refused.
    await new Promise<void>((resolve) => {
      const poll = (): void => {
        const s = net.connect(p.port, '127.0.0.1');
        s.on('connect', () => {
          s.destroy();
          setTimeout(poll, 10);
        });
        s.on('error', () => resolve());
      };
      poll();
    });
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(130);
    expect((await slow).status).toBe('error');
    expectCounted(p, ids);
    expect(drainLine(p)).toMatchObject({ reason: 'SIGTERM', inFlight: 1, drained: 0, lost: 1 });
  });

  it('a request still running when the grace period ends is counted as lost in the drain line', async () => {
    const p = await start({ GRACE_MS: '300' });
    const slow = get(p.port, '/slow?ms=5000&id=slow&announce');
    await p.printed('started slow');
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expect((await slow).status).toBe('error');
    expect(drainLine(p)).toMatchObject({ reason: 'SIGTERM', inFlight: 1, drained: 0, lost: 1 });
    const line = records(p).find((r) => r.shutdown !== undefined);
    expect(line?.msg).toBe('shutdown (SIGTERM): 1 in flight, 0 drained, 1 lost');
  });

  it('SIGTERM under load: all in-flight requests complete, an idle kept-alive socket is not served again, exit 0', async () => {
    const p = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    // Open a kept-alive socket first, so a request can arrive on it during the drain.
    expect((await get(p.port, '/', agent)).status).toBe(200);
    const N = 30;
    const slow = Array.from({ length: N }, (_, i) => get(p.port, `/slow?ms=500&id=${i}&announce`));
    // SIGTERM once every request is in flight (the server says so), not after a guessed delay.
    await Promise.all(Array.from({ length: N }, (_, i) => p.printed(`started ${i}\n`)));
    p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    const late = await get(p.port, '/slow?ms=1&id=late', agent);
    const answers = await Promise.all(slow);
    const { code } = await p.exited;
    agent.destroy();
    expect(answers.filter((a, i) => a.status === 200 && a.body === `ok ${i}`)).toHaveLength(N);
    // The kept-alive socket was either closed by the server as idle (the client sees an error
    // before sending) or its request was refused with 503 + Connection: close. Never a 200.
    if (late.status !== 'error') {
      expect(late.status).toBe(503);
      expect(late.headers.connection).toBe('close');
    }
    expect(code).toBe(0);
    const drain = drainLine(p);
    expect(drain).toMatchObject({ reason: 'SIGTERM', lost: 0 });
    expect(drain?.drained).toBe(drain?.inFlight);
  });

  it('a request arriving on a kept-alive socket during the drain gets 503 + Connection: close', async () => {
    const p = await start();
    const socket = net.connect(p.port, '127.0.0.1');
    let raw = '';
    socket.on('data', (c) => {
      raw += String(c);
    });
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => {});
    await new Promise((r) => socket.on('connect', r));
    // Keeps the process draining (in flight) while the late request arrives.
    const longOne = get(p.port, '/slow?ms=1000&id=long');
    // Headers of this response are sent before the drain starts, so its socket stays kept-alive.
    socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 400));
    socket.write('GET /slow?ms=1&id=late HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n');
    await closed;
    const responses = raw.split(/(?=HTTP\/1\.1 )/);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nab$/);
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(responses[1]).toMatch(/\r\nConnection: close\r\n/i);
    expect(responses[1]).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(await longOne).toMatchObject({ status: 200, body: 'ok long' });
    expect((await p.exited).code).toBe(0);
  });
  it('pipelined requests in flight when the drain starts are all answered; the last closes', async () => {
    const p = await start({ GRACE_MS: '4000' });
    const socket = net.connect(p.port, '127.0.0.1');
    let raw = '';
    socket.on('data', (c) => {
      raw += String(c);
    });
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => {});
    await new Promise((r) => socket.on('connect', r));
    // Two requests in one write: the second's handler runs while the first is still in flight.
    socket.write(
      'GET /slow?ms=1000&id=first HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /slow?ms=200&id=second HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    await closed;
    const { code, at } = await p.exited;
    const responses = raw.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[\s\S]*ok first/);
    expect(responses[0]).toMatch(/\r\nConnection: keep-alive\r\n/i);
    expect(responses[1]).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[\s\S]*ok second/);
    expect(responses[1]).toMatch(/\r\nConnection: close\r\n/i);
    expect(code).toBe(0);
    // The drain ends with the last answer (about 0.9 s after the signal), not at the grace period.
    expect(at - t0).toBeLessThan(2500);
  });
});
