import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/core/config-file.js';
import { FaultlineConfigError } from '../../src/core/errors.js';
import { OPTION_KEYS, resolveOptions } from '../../src/core/options.js';
import { ensureBuilt, ROOT } from '../support/built.js';

const schema = JSON.parse(
  readFileSync(new URL('../../schema/faultline.config.schema.json', import.meta.url), 'utf8'),
);
const dir = mkdtempSync(join(tmpdir(), 'faultline-config-'));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('config file', () => {
  it('loads JSON with paths relative to the file and validates through resolveOptions', async () => {
    write('50x.html', '<h1>{{status}}</h1>');
    const path = write(
      'faultline.config.json',
      JSON.stringify({ $schema: './schema.json', errorDocuments: { '5xx': { file: '50x.html' } } }),
    );
    const options = await loadConfigFile(path);
    expect(options.root).toBe(dir);
    expect(resolveOptions({ ...options, logger: false }).documents.lookup(503)?.kind).toBe(
      'bodies',
    );
  });

  it('loads an ESM module default export', async () => {
    const path = write('faultline.config.mjs', 'export default { debug: true };');
    expect(await loadConfigFile(path)).toEqual({ root: dir, debug: true });
  });

  // Node itself loads the file (a child process on the built package, not vitest's transform).
  // Both branches run in CI: the main suite on Node 20 (no type stripping), the matrix on 22/24/26.
  it('loads faultline.config.ts where Node strips types, and says what to do where it cannot', () => {
    ensureBuilt();
    const path = write(
      'faultline.config.ts',
      "const documents: Record<string, string> = { '503': 'down' };\nexport default { errorDocuments: documents };",
    );
    const script = `import { loadConfigFile } from ${JSON.stringify(`${ROOT}dist/core/config-file.js`)};
      loadConfigFile(${JSON.stringify(path)}).then((o) => console.log(JSON.stringify(o)), (e) => console.log(e.message));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    if ((process.features as { typescript?: unknown }).typescript) {
      expect(JSON.parse(out)).toEqual({ root: dir, errorDocuments: { '503': 'down' } });
    } else {
      expect(out).toMatch(/cannot load without a loader.*Fix: use Node 22\.18 or later/);
    }
  });

  it('names the file and the fix for unreadable, invalid or unsupported files', async () => {
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toThrow(
      /cannot be read \(ENOENT\)/,
    );
    await expect(loadConfigFile(write('bad.json', '{ "debug": tru }'))).rejects.toThrow(
      /is not valid JSON .*Fix: fix the JSON syntax/,
    );
    await expect(loadConfigFile(write('x.yaml', 'a: 1'))).rejects.toBeInstanceOf(
      FaultlineConfigError,
    );
    await expect(loadConfigFile(write('arr.json', '[]'))).rejects.toThrow(
      /must hold an object of options/,
    );
  });
});

describe('JSON Schema', () => {
  const validate = new Ajv2020({ allErrors: true }).compile(schema);

  it('covers exactly the serializable options', () => {
    const documented = Object.keys(schema.properties)
      .filter((k) => k !== '$schema')
      .sort();
    const serializable = [...OPTION_KEYS].filter((k) => !['logger', 'onFault'].includes(k)).sort();
    expect(documented).toEqual(serializable);
  });

  it('accepts the README examples and rejects mistakes resolveOptions rejects too', () => {
    const good = {
      errorDocuments: {
        '500 502 503 504': { file: './50x.html' },
        '404': { route: '/empty', status: 200 },
        '5xx': { html: { file: './5xx.html' }, json: '{"title":"{{title}}"}' },
        '503': 'https://status.example.com/',
        '501': { redirect: 'https://x.example/', status: 307 },
        '500': { route: '/fallback', status: '=' },
        '502': { file: './50x.html', charset: 'iso-8859-1', csp: "default-src 'self'" },
        '504': { body: '<h1>Down</h1>', csp: "default-src 'self'; img-src 'self' data:" },
      },
      debug: false,
      levels: { '4xx': 'info', '499': 'debug' },
      map: [
        { match: { code: ['ECONNREFUSED', 'ETIMEDOUT'] }, status: 503 },
        { match: { name: 'PaymentDeclined' }, status: 402, extensions: { retry: false } },
      ],
    };
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    for (const bad of [
      { debgu: true },
      { errorDocuments: { '600': 'x' } },
      { errorDocuments: { '500': { redirect: 'javascript:alert(1)' } } },
      { errorDocuments: { '500': { route: '/x', status: 700 } } },
      { errorDocuments: { '500': { body: 'x', csp: "default-src 'self'\nx-evil: 1" } } },
      { errorDocuments: { '500': { file: './50x.html', charset: 'latin 1' } } },
      { debug: 'yes' },
      { levels: { '4xx': 'loud' } },
      { levels: { '3xx': 'info' } },
      { map: [{ match: {}, status: 404 }] },
      { map: [{ match: { code: 'x' }, status: 200 }] },
      { map: [{ match: { code: 'x' }, extensions: { title: 'x' } }] },
    ]) {
      expect(validate(bad)).toBe(false);
      expect(() => resolveOptions({ ...(bad as object), logger: false })).toThrow(
        FaultlineConfigError,
      );
    }
  });
});
