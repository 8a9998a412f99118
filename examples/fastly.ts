/**
 * SSL click tracking through Fastly (a Compute service running sslclick's edge program). With
 * FASTLY_API_TOKEN set it runs against your real Fastly account (SSLCLICK_HOSTNAME names the
 * branded host; with CLOUDFLARE_API_TOKEN also set, the DNS records are written in your Cloudflare
 * zone, else you publish them); without it, against a local sandbox world, with DNS at Cloudflare.
 *
 * With `--shared` (or SSLCLICK_FASTLY_SHARED=1) the host joins one shared service that holds
 * many branded hosts, as a fleet would (see "When to choose the shared service" in the
 * @sslclick/fastly README); in the sandbox too.
 *
 *   npm run example:fastly    # add -- --json for the status as JSON, -- --shared for the shared service
 */
import { createCloudflareDns } from '@sslclick/cloudflare';
import { createFastlyProxy } from '@sslclick/fastly';
import { startSandboxWorld } from '@sslclick/sandbox';
import { liveHostname, liveSendGrid, sandboxFields, withOptional } from './support/example-world.js';
import { runExample } from './support/run-example.js';

const shared = process.argv.includes('--shared') || process.env.SSLCLICK_FASTLY_SHARED === '1';

await runExample(async () => {
  if (process.env.FASTLY_API_TOKEN) {
    const dns = process.env.CLOUDFLARE_API_TOKEN ? createCloudflareDns() : undefined;
    return {
      mode: 'live',
      banner: `Running against your real Fastly account (FASTLY_API_TOKEN is set)${shared ? ', on the shared service "sslclick shared"' : ''}; DNS ${dns ? 'in your Cloudflare zone' : 'published by you'}.`,
      adapter: createFastlyProxy(withOptional({ dns, shared: shared || undefined })),
      hostname: liveHostname('FASTLY_API_TOKEN'),
      waitForDns: dns === undefined,
      ...withOptional({ sendgrid: liveSendGrid(), sampleLink: process.env.SSLCLICK_SAMPLE_LINK }),
      async close() {},
    };
  }
  const world = await startSandboxWorld({ cdn: 'fastly' });
  return {
    mode: 'sandbox',
    banner: `Running against the local sandbox (no FASTLY_API_TOKEN set): a fake Fastly API, Cloudflare DNS API, SendGrid API, DNS, CA and CDN edge on loopback. Branded host: ${world.hostname}${shared ? ', on one shared service' : ''}.`,
    // The shared mode batches concurrent hosts for a second; one host alone need not wait.
    adapter: createFastlyProxy({ ...world.adapter, dns: createCloudflareDns(world.dns), ...(shared ? { shared: { batchWindowMs: 0 } } : {}) }),
    ...sandboxFields(world),
  };
});
