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
});
