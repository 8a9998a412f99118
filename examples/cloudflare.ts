/**
 * SSL click tracking through Cloudflare. With CLOUDFLARE_API_TOKEN set it runs against your real
 * Cloudflare account (SSLCLICK_HOSTNAME names the branded host; SENDGRID_API_KEY and
 * SSLCLICK_SAMPLE_LINK are optional); without it, against a local sandbox world.
 *
 *   npm start                 # or: npm start -- --json
 */
import { createCloudflareProxy } from '@sslclick/cloudflare';
import { startSandboxWorld } from '@sslclick/sandbox';
import { liveHostname, liveSendGrid, sandboxFields, withOptional } from './support/example-world.js';
import { runExample } from './support/run-example.js';

await runExample(async () => {
  if (process.env.CLOUDFLARE_API_TOKEN) {
    return {
      mode: 'live',
      banner: 'Running against your real Cloudflare account (CLOUDFLARE_API_TOKEN is set).',
      adapter: createCloudflareProxy({ orderCertificate: process.env.SSLCLICK_ORDER_CERTIFICATE === 'true' }),
      hostname: liveHostname('CLOUDFLARE_API_TOKEN'),
      ...withOptional({ sendgrid: liveSendGrid(), sampleLink: process.env.SSLCLICK_SAMPLE_LINK }),
      async close() {},
    };
  }
  const world = await startSandboxWorld({ cdn: 'cloudflare' });
  return {
    mode: 'sandbox',
    banner: `Running against the local sandbox (no CLOUDFLARE_API_TOKEN set): a fake Cloudflare API, SendGrid API, DNS, CA and CDN edge on loopback. Branded host: ${world.hostname}.`,
    adapter: createCloudflareProxy(world.adapter),
    ...sandboxFields(world),
  };
});
