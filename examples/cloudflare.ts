/**
 * SSL click tracking through Cloudflare. With CLOUDFLARE_API_TOKEN set it runs against your real
 * Cloudflare account (SSLCLICK_HOSTNAME names the branded host; SENDGRID_API_KEY and
 * SSLCLICK_SAMPLE_LINK are optional); without it, against the local sandbox.
 *
 *   npm start                 # or: npm run example:cloudflare -- --json
 */
import { createCloudflareProxy } from '@sslclick/cloudflare';
import { runExample } from './support/run-example.js';
import { liveHostname, liveSendGrid, startSandboxAccount, startSandboxCloudflareZone, withOptional } from './support/sandbox-account.js';

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
  const account = await startSandboxAccount({ publishBrandingDns: false });
  const { cloudflare, token: cloudflareToken } = await startSandboxCloudflareZone(account);
  return {
    mode: 'sandbox',
    banner: `Running against the local sandbox (no CLOUDFLARE_API_TOKEN set): a fake Cloudflare API, SendGrid API, DNS, CA and CDN edge on loopback. Branded host: ${account.hostname}.`,
    adapter: createCloudflareProxy({
      apiToken: cloudflareToken,
      baseURL: cloudflare.url,
      verification: account.sandbox.verification,
      wait: { minDelay: 250, maxDelay: 1_000 },
    }),
    ...account.exampleFields(),
    async close() {
      await cloudflare.close();
      await account.close();
    },
  };
});
