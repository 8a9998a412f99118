/**
 * Against real Cloudflare, only when CLOUDFLARE_API_TOKEN and SSLCLICK_TEST_HOSTNAME are set: the
 * hostname must be a branded link host whose DNS-only CNAME to sendgrid.net is in a zone the token
 * can edit (and whose link branding is already validated in SendGrid). Applies, checks from the
 * outside, and destroys (which puts the record back DNS-only).
 */
import { describe, expect, it } from 'vitest';
import { verifyHostname } from '@sslclick/core';
import { createCloudflareProxy } from '../src/index.js';

const token = process.env.CLOUDFLARE_API_TOKEN;
const hostname = process.env.SSLCLICK_TEST_HOSTNAME;

describe.skipIf(!token || !hostname)('Cloudflare live', () => {
  it('applies, verifies from the outside, and destroys', async () => {
    const proxy = createCloudflareProxy({ orderCertificate: process.env.SSLCLICK_TEST_ORDER_CERTIFICATE === 'true' });
    const request = { hostname: hostname as string };
    const plan = await proxy.plan(request);
    expect(plan.provider).toBe('cloudflare');
    try {
      const status = await proxy.apply(request, { onProgress: (event) => console.log(event.type, event.message) });
      expect(status.ready).toBe(true);
      const verified = await verifyHostname(request.hostname, { checks: ['tls-valid', 'reaches-sendgrid'] });
      expect(verified.checks.find((check) => check.id === 'tls-valid')?.ok).toBe(true);
      expect((await proxy.status(request)).ready).toBe(true);
    } finally {
      const destroyed = await proxy.destroy(request);
      expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
    }
  }, 20 * 60_000);
});
