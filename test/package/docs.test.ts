/** docs/adapters.md: a quick start of at most ten lines for each way to run faultline. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const doc = readFileSync(new URL('../../docs/adapters.md', import.meta.url), 'utf8');

function quickStart(heading: string): string[] {
  const at = doc.indexOf(`\n## ${heading}`);
  expect(at, `section "${heading}"`).toBeGreaterThan(-1);
  const block = /```ts\n([\s\S]*?)```/.exec(doc.slice(at));
  expect(block, `code block under "${heading}"`).not.toBeNull();
  return (block?.[1] ?? '').split('\n').filter((l) => l.trim() !== '');
}

describe('docs/adapters.md', () => {
  for (const [heading, subpath] of [
    ['node:http', 'faultline/node'],
    ['node:http2', 'faultline/node'],
    ['Express', 'faultline/express'],
    ['Fastify', 'faultline/fastify'],
    ['Koa', 'faultline/koa'],
    ['Hono', 'faultline/hono'],
    ['Fetch', 'faultline/fetch'],
  ] as const) {
    it(`has a quick start of at most ten lines for ${heading}, importing ${subpath}`, () => {
      const lines = quickStart(heading);
      expect(lines.length).toBeLessThanOrEqual(10);
      expect(lines.join('\n')).toContain(`from '${subpath}'`);
    });
  }

  it('lists every deviation the conformance suite records', async () => {
    const { DEVIATIONS } = await import('../conformance/scenarios.js');
    for (const d of DEVIATIONS) expect(doc).toContain(d.reason.slice(0, 60));
  });
});
