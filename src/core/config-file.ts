/**
 * config-file: `faultline.config.json` (or an ESM `.js`/`.mjs` module whose default export is the
 * options, or `.ts`/`.mts` on a Node that strips types: 22.18+, 23.6+) for the CLI and the demo. Same schema as the options object (schema/
 * faultline.config.schema.json); relative paths start at the file's directory.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FaultlineConfigError } from './errors.js';
import type { FaultlineOptions } from './options.js';

/** Reads a config file into options (not yet validated: `faultline(options)` validates). */
export async function loadConfigFile(file: string): Promise<FaultlineOptions> {
  const path = resolve(file);
  const ext = extname(path).toLowerCase();
  let value: unknown;
  if (ext === '.json') {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new FaultlineConfigError(
        'config',
        `file ${path} cannot be read (${(err as NodeJS.ErrnoException).code})`,
        'pass the path of an existing faultline.config.json',
      );
    }
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new FaultlineConfigError(
        'config',
        `file ${path} is not valid JSON (${(err as Error).message})`,
        'fix the JSON syntax; editors validate it against schema/faultline.config.schema.json',
      );
    }
  } else if (ext === '.js' || ext === '.mjs') {
    value = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } else if (ext === '.ts' || ext === '.mts') {
    // Node strips types itself from 22.18 and 23.6 on; earlier lines would need a loader.
    if (!(process.features as { typescript?: unknown }).typescript) {
      throw new FaultlineConfigError(
        'config',
        `file ${path} is TypeScript, which Node ${process.version} cannot load without a loader`,
        'use Node 22.18 or later (it strips types), or write faultline.config.mjs or .json',
      );
    }
    value = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } else {
    throw new FaultlineConfigError(
      'config',
      `file ${path} has an unsupported extension "${ext}"`,
      'use faultline.config.json, an ESM .js/.mjs file with a default export, or .ts on Node 22.18+',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaultlineConfigError(
      'config',
      `file ${path} must hold an object of options`,
      'write e.g. { "errorDocuments": { "5xx": { "file": "./50x.html" } } }',
    );
  }
  const { $schema: _schema, ...options } = value as Record<string, unknown>;
  return { root: dirname(path), ...options } as FaultlineOptions;
}
