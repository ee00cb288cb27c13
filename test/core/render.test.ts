import { describe, expect, it } from 'vitest';
import { toFault } from '../../src/core/classify.js';
import { HttpError } from '../../src/core/http-error.js';
import { Renderer } from '../../src/core/render.js';

describe('Renderer', () => {
  const r = new Renderer();

  it('renders RFC 9457 problem+json with the incident spliced in', () => {
    const f = toFault(new Error('private'));
    const { contentType, body } = r.render(f.public, 'json');
    expect(contentType).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(body)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      code: 'internal_error',
      instance: `urn:faultline:incident:${f.public.incident}`,
      incident: f.public.incident,
    });
    const g = toFault(new Error('other'));
    expect(JSON.parse(r.render(g.public, 'json').body).incident).toBe(g.public.incident);
  });

  it('escapes exposed detail in HTML and never shows private messages', () => {
    const f = toFault(new HttpError(400, '<script>alert(1)</script>"\'`'));
    const { body, contentType } = r.render(f.public, 'html');
    expect(contentType).toBe('text/html; charset=utf-8');
    expect(body).not.toContain('<script>alert');
    expect(body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#96;');
    const five = toFault(new Error('<b>secret</b>'));
    const html = r.render(five.public, 'html').body;
    expect(html).not.toContain('secret');
    expect(html).toContain(five.public.incident);
    expect(html).toContain('<p class="status">500</p>');
  });

  it('renders plain text', () => {
    const f = toFault(new HttpError(503, 'maint'));
    expect(r.render(f.public, 'text').body).toBe(
      `503 Service Unavailable\nIncident: ${f.public.incident}\n`,
    );
    expect(r.render(toFault(new HttpError(422, 'bad email')).public, 'text').body).toBe(
      '422 Unprocessable Content\nbad email\n',
    );
  });

  it('adds debug output only when given, escaped', () => {
    const f = toFault(new Error('<img src=x onerror=alert(1)>'));
    const dbg = { name: 'Error', message: f.private.message, stack: f.private.stack };
    expect(r.render(f.public, 'html', dbg).body).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(JSON.parse(r.render(f.public, 'json', dbg).body).debug.message).toBe(
      '<img src=x onerror=alert(1)>',
    );
  });

  it('shows the debug message once: the V8 stack already starts with it', () => {
    const f = toFault(new Error('only once'));
    const dbg = { name: 'Error', message: 'only once', stack: f.private.stack };
    for (const format of ['html', 'text'] as const) {
      const body = r.render(f.public, format, dbg).body;
      expect(body.split('Error: only once').length - 1).toBe(1);
      expect(body).toContain('render.test.ts');
    }
    const noStack = r.render(f.public, 'text', { ...dbg, stack: undefined }).body;
    expect(noStack).toContain('[debug] Error: only once\n');
  });
});
