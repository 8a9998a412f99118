/**
 * SSL click tracking through Fastly (a Compute service running sslclick's edge program). With
 * FASTLY_API_TOKEN set it runs against your real Fastly account (SSLCLICK_HOSTNAME names the
 * branded host; with CLOUDFLARE_API_TOKEN also set, the DNS records are written in your Cloudflare
 * zone, else you publish them); without it, against the local sandbox, with DNS at Cloudflare.
 *
 *   npm run example:fastly    # add -- --json for the status as JSON
 */
import { startFastlyApi } from '@sslclick/sandbox';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { createFastlyProxy } from '@sslclick/fastly';
import { runExample } from './support/run-example.js';
import { liveHostname, liveSendGrid, startSandboxAccount, startSandboxCloudflareZone, withOptional } from './support/sandbox-account.js';

await runExample(async () => {
  if (process.env.FASTLY_API_TOKEN) {
    const dns = process.env.CLOUDFLARE_API_TOKEN ? createCloudflareDns() : undefined;
    return {
      mode: 'live',
      banner: `Running against your real Fastly account (FASTLY_API_TOKEN is set); DNS ${dns ? 'in your Cloudflare zone' : 'published by you'}.`,
      adapter: createFastlyProxy(withOptional({ dns })),
      hostname: liveHostname('FASTLY_API_TOKEN'),
      waitForDns: dns === undefined,
      ...withOptional({ sendgrid: liveSendGrid(), sampleLink: process.env.SSLCLICK_SAMPLE_LINK }),
      async close() {},
    };
  }
  const account = await startSandboxAccount({ publishBrandingDns: false });
  const { cloudflare, token: cloudflareToken } = await startSandboxCloudflareZone(account);
  const fastly = await startFastlyApi(account.sandbox);
  return {
    mode: 'sandbox',
    banner: `Running against the local sandbox (no FASTLY_API_TOKEN set): a fake Fastly API, Cloudflare DNS API, SendGrid API, DNS, CA and CDN edge on loopback. Branded host: ${account.hostname}.`,
    adapter: createFastlyProxy({
      apiToken: fastly.tokens.admin,
      baseURL: fastly.url,
      dns: createCloudflareDns({ apiToken: cloudflareToken, baseURL: cloudflare.url }),
      verification: account.sandbox.verification,
      wait: { minDelay: 250, maxDelay: 1_000 },
    }),
    ...account.exampleFields(),
    async close() {
      await fastly.close();
      await cloudflare.close();
      await account.close();
    },
  };
});
