import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../support/built.js';

const run = promisify(execFile);

describe('faultline CLI', () => {
  beforeAll(() => ensureBuilt());

  it('prints help', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--help']);
    expect(stdout).toContain('faultline demo');
  });

  it('rejects an unknown command with exit code 2', async () => {
    const err = await run(process.execPath, [CLI, 'nope']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('unknown command "nope"');
  });

  it('rejects a bad --port', async () => {
    const err = await run(process.execPath, [CLI, 'demo', '--port', 'abc']).catch(
      (e: { code: number }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
  });
});

describe('faultline demo --config', () => {
  it('fails at startup with the key and the fix for a bad config', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
    const file = join(dir, 'faultline.config.json');
    writeFileSync(file, JSON.stringify({ errorDocuments: { '500': { file: './missing.html' } } }));
    const err = await run(process.execPath, [CLI, 'demo', '--port', '0', '--config', file]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(
      /option "errorDocuments.500.file" cannot be read .*Fix:/,
    );
  });
});
