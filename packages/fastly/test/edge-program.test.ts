import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('the viewer address the Compute edge program passes on', () => {
  // Fastly adds X-Forwarded-For in VCL services only ("Fastly does not modify this header in
  // Compute services": https://www.fastly.com/documentation/reference/http/http-headers/X-Forwarded-For),
  // and SendGrid records the address of whoever clicks or opens (Event Webhook `ip`,
  // https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event) and segments
  // statistics by country from it (GET /v3/geo/stats). So the program adds it as VCL would.
  let origin: Server;
  let originUrl: string;
  const received: Array<{ method: string; url: string; forwardedFor: string | undefined; body: string }> = [];

  beforeAll(async () => {
    origin = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', forwardedFor: request.headers['x-forwarded-for'] as string | undefined, body: Buffer.concat(chunks).toString() });
        response.writeHead(302, { location: 'https://shop.example.org/welcome' }).end();
      });
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => origin.close(resolve));
  });

  /** The static backend, as a plain HTTP hop to the local origin (the Host header is the edge's concern, tested above). */
  const toOrigin: Parameters<typeof handle>[1] = async (request) => {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete('host');
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return fetch(`${originUrl}${url.pathname}${url.search}`, { method: request.method, headers, redirect: 'manual', ...(body ? { body } : {}) });
  };

  it('the origin receives the viewer address in X-Forwarded-For, appended to one the viewer sent', async () => {
    received.length = 0;
    const click = await handle(new Request('https://url1234.example.com/ls/click?upn=abc'), toOrigin, { address: '203.0.113.7' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://shop.example.org/welcome');
    await handle(new Request('https://url1234.example.com/wf/open?upn=1', { headers: { 'x-forwarded-for': '198.51.100.1' } }), toOrigin, { address: '2001:db8::7' });
    expect(received).toEqual([
      { method: 'GET', url: '/ls/click?upn=abc', forwardedFor: '203.0.113.7', body: '' },
      { method: 'GET', url: '/wf/open?upn=1', forwardedFor: '198.51.100.1, 2001:db8::7', body: '' },
    ]);
  });

  it('a one-click unsubscribe POST keeps its body when the header is added', async () => {
    received.length = 0;
    const request = new Request('https://url1234.example.com/wf/unsubscribe?upn=xyz', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    await handle(request, toOrigin, { address: '203.0.113.9' });
    expect(received).toEqual([{ method: 'POST', url: '/wf/unsubscribe?upn=xyz', forwardedFor: '203.0.113.9', body: 'List-Unsubscribe=One-Click' }]);
  });
});
