import { describe, expect, it } from 'vitest';
import { frameKind, parseFrame, parseStack } from '../../src/core/stack-frames.js';

describe('stack frames', () => {
  it('parses the V8 frame shapes', () => {
    expect(parseFrame('    at loadOrder (/app/src/orders.ts:12:9)')).toEqual({
      fn: 'loadOrder',
      file: '/app/src/orders.ts',
      line: 12,
      column: 9,
      kind: 'app',
    });
    expect(parseFrame('    at file:///app/dist/main%20x.js:4:1')).toMatchObject({
      fn: undefined,
      file: '/app/dist/main x.js',
      line: 4,
      column: 1,
    });
    expect(parseFrame('    at async Promise.all (index 0)')).toMatchObject({
      fn: 'async Promise.all',
      file: 'index 0',
      kind: 'runtime',
    });
    expect(parseFrame('    at new Thing (/app/a (copy)/x.js:1:2)')).toMatchObject({
      fn: 'new Thing',
      file: '/app/a (copy)/x.js',
      line: 1,
    });
    expect(parseFrame('    at async file:///app/dist/main.js:28:19')).toEqual({
      fn: 'async',
      file: '/app/dist/main.js',
      line: 28,
      column: 19,
      kind: 'app',
    });
    expect(parseFrame('    at Array.map (<anonymous>)')).toMatchObject({ kind: 'runtime' });
    expect(
      parseFrame('    at eval (eval at run (/app/src/x.js:3:5), <anonymous>:1:1)'),
    ).toMatchObject({ fn: 'eval', file: '/app/src/x.js', line: 3, column: 5 });
    expect(parseFrame('Error: boom')).toBeUndefined();
  });

  it('tells app, dependency and runtime frames apart', () => {
    expect(frameKind('/app/src/a.ts')).toBe('app');
    expect(frameKind('/app/node_modules/express/lib/router.js')).toBe('dependency');
    expect(frameKind('node:internal/process/task_queues')).toBe('runtime');
    expect(frameKind('node:events')).toBe('runtime');
    expect(frameKind(undefined)).toBe('runtime');
  });

  it('parses a real stack, bounded', () => {
    const frames = parseStack(new Error('x').stack);
    expect(frames[0]).toMatchObject({
      kind: 'app',
      file: expect.stringContaining('stack-frames.test.ts'),
    });
    const long = `Error: x\n${'    at f (/a.js:1:1)\n'.repeat(500)}`;
    expect(parseStack(long)).toHaveLength(60);
    expect(parseStack(undefined)).toEqual([]);
  });
});
