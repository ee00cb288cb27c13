import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/core/config-file.js';
import { FaultlineConfigError } from '../../src/core/errors.js';
import { OPTION_KEYS, resolveOptions } from '../../src/core/options.js';

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
      },
      debug: false,
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
      { debug: 'yes' },
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
