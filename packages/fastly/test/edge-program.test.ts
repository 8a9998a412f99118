import { describe, expect, it } from 'vitest';
import { backendName, handle, type SendOptions } from '../edge/handler.js';

describe('the Compute edge program', () => {
  it('forwards a click to the sendgrid backend exactly as received and returns the answer unchanged', async () => {
    const request = new Request('https://url1234.example.com/ls/click?upn=abc%3D%3D&x=1', {
      method: 'GET',
      headers: { host: 'url1234.example.com', 'user-agent': 'Mail client', cookie: 'a=b' },
    });
    const seen: Array<{ request: Request; options: SendOptions }> = [];
    const answer = new Response(null, { status: 302, headers: { location: 'https://shop.example.org/welcome' } });
    const response = await handle(request, async (forwarded, options) => {
      seen.push({ request: forwarded, options });
      return answer;
    });
    expect(response).toBe(answer);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://shop.example.org/welcome');
    expect(seen).toHaveLength(1);
    const forwarded = seen[0]!;
    expect(forwarded.options).toEqual({ backend: 'sendgrid', cache: 'pass' });
    expect(backendName).toBe('sendgrid');
    // The very request object goes out: method, URL (path and query), headers and body untouched.
    expect(forwarded.request).toBe(request);
    expect(forwarded.request.method).toBe('GET');
    expect(new URL(forwarded.request.url).pathname).toBe('/ls/click');
    expect(new URL(forwarded.request.url).search).toBe('?upn=abc%3D%3D&x=1');
    expect(forwarded.request.headers.get('host')).toBe('url1234.example.com');
    expect(forwarded.request.headers.get('cookie')).toBe('a=b');
  });

  it('forwards a one-click unsubscribe POST with its body', async () => {
    const request = new Request('https://url1234.example.com/wf/unsubscribe?upn=xyz', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    let body = '';
    let method = '';
    const response = await handle(request, async (forwarded) => {
      method = forwarded.method;
      body = await forwarded.text();
      return new Response('ok', { status: 200 });
    });
    expect(method).toBe('POST');
    expect(body).toBe('List-Unsubscribe=One-Click');
    expect(await response.text()).toBe('ok');
  });

  it('adds nothing of its own to an open pixel answer', async () => {
    const pixel = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
    const response = await handle(new Request('https://url1234.example.com/wf/open?upn=1'), async () => new Response(pixel, { status: 200, headers: { 'content-type': 'image/gif' } }));
    expect([...response.headers.keys()]).toEqual(['content-type']);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pixel);
  });
});
