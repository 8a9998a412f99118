/**
 * SSL click tracking through Cloudflare. With CLOUDFLARE_API_TOKEN set it runs against your real
 * Cloudflare account (SSLCLICK_HOSTNAME names the branded host; SENDGRID_API_KEY and
 * SSLCLICK_SAMPLE_LINK are optional); without it, against a local sandbox world.
 *
 * `--mode saas` (or SSLCLICK_CLOUDFLARE_MODE=saas) uses Cloudflare for SaaS instead: the branded
 * host becomes a custom hostname of a provider zone (SSLCLICK_SAAS_ZONE_ID when live), whatever
 * DNS it lives in. Live, its TXT records and CNAME are for you to publish (setup waits for them);
 * in the sandbox they are written to the host's own zone through createCloudflareDns.
 *
 *   npm start                 # or: npm start -- --json, npm start -- --mode saas
 */
import { createCloudflareDns, createCloudflareProxy } from '@sslclick/cloudflare';
import { startSandboxWorld } from '@sslclick/sandbox';
import { liveHostname, liveSendGrid, sandboxFields, withOptional } from './support/example-world.js';
import { runExample } from './support/run-example.js';

const modeFlag = process.argv.indexOf('--mode');
const mode = (modeFlag >= 0 ? process.argv[modeFlag + 1] : undefined) ?? process.env.SSLCLICK_CLOUDFLARE_MODE ?? 'zone';

await runExample(async () => {
  if (mode !== 'zone' && mode !== 'saas') throw new Error(`--mode must be "zone" or "saas", not "${mode}".`);
  if (process.env.CLOUDFLARE_API_TOKEN) {
    const zoneId = process.env.SSLCLICK_SAAS_ZONE_ID;
    if (mode === 'saas' && !zoneId) throw new Error('--mode saas against your real account needs SSLCLICK_SAAS_ZONE_ID: the id of your Cloudflare for SaaS provider zone.');
    return {
      mode: 'live',
      banner: `Running against your real Cloudflare account (CLOUDFLARE_API_TOKEN is set)${mode === 'saas' ? ', Cloudflare for SaaS: publish the records it lists at your DNS host' : ''}.`,
      adapter: mode === 'saas' ? createCloudflareProxy({ mode: 'saas', zoneId: zoneId as string }) : createCloudflareProxy({ orderCertificate: process.env.SSLCLICK_ORDER_CERTIFICATE === 'true' }),
      hostname: liveHostname('CLOUDFLARE_API_TOKEN'),
      ...withOptional({ sendgrid: liveSendGrid(), sampleLink: process.env.SSLCLICK_SAMPLE_LINK }),
      ...(mode === 'saas' ? { waitForDns: true } : {}),
      async close() {},
    };
  }
  if (mode === 'saas') {
    const world = await startSandboxWorld({ cdn: 'cloudflare', mode: 'saas' });
    const saas = world.saas;
    if (!saas) throw new Error('The sandbox world has no Cloudflare for SaaS part.');
    return {
      mode: 'sandbox',
      banner: `Running against the local sandbox (no CLOUDFLARE_API_TOKEN set), Cloudflare for SaaS: ${world.hostname} becomes a custom hostname of the provider zone saas-provider.example; its TXT records and CNAME go to its own zone through createCloudflareDns.`,
      adapter: createCloudflareProxy({ ...saas.adapter, dns: createCloudflareDns(saas.dns) }),
      ...sandboxFields(world),
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
