/**
 * SSL click tracking through AWS CloudFront, with the certificate from ACM and DNS in Route 53.
 * With AWS credentials in the environment (AWS_ACCESS_KEY_ID or AWS_PROFILE) it runs against
 * your real AWS account (SSLCLICK_HOSTNAME names the branded host; expect the distribution to
 * take several minutes to deploy); without them, against a local sandbox world.
 *
 *   npm run example:cloudfront    # add -- --json for the status as JSON
 *   npm run example:cloudfront -- --mode tenants    # CloudFront SaaS Manager: a distribution tenant
 *                                                   # on one shared multi-tenant distribution
 *
 * The mode can also come from SSLCLICK_CLOUDFRONT_MODE (`distribution`, the default, or `tenants`).
 */
import { createCloudFrontProxy, type CloudFrontMode } from '@sslclick/cloudfront';
import { startSandboxWorld } from '@sslclick/sandbox';
import { liveHostname, liveSendGrid, sandboxFields, withOptional } from './support/example-world.js';
import { runExample } from './support/run-example.js';

/** `--mode tenants`, `--mode=tenants` or SSLCLICK_CLOUDFRONT_MODE; the adapter checks the value. */
function chosenMode(): CloudFrontMode {
  const flag = process.argv.findIndex((argument) => argument === '--mode' || argument.startsWith('--mode='));
  const value = flag === -1 ? process.env.SSLCLICK_CLOUDFRONT_MODE : process.argv[flag]?.includes('=') ? process.argv[flag]?.slice('--mode='.length) : process.argv[flag + 1];
  return (value ?? 'distribution') as CloudFrontMode;
}

const mode = chosenMode();
const modeNote = mode === 'tenants' ? ' Tenants mode: one shared multi-tenant distribution, a distribution tenant for the host.' : '';

await runExample(async () => {
  if (process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE) {
    return {
      mode: 'live',
      banner: `Running against your real AWS account (AWS credentials are set). CloudFront deployments take minutes; progress is shown as it goes.${modeNote}`,
      adapter: createCloudFrontProxy({ mode }),
      hostname: liveHostname('AWS_ACCESS_KEY_ID'),
      waitForDns: true,
      ...withOptional({ sendgrid: liveSendGrid(), sampleLink: process.env.SSLCLICK_SAMPLE_LINK }),
      async close() {},
    };
  }
  const world = await startSandboxWorld({ cdn: 'cloudfront' });
  return {
    mode: 'sandbox',
    banner: `Running against the local sandbox (no AWS credentials set): fake CloudFront, ACM and Route 53 APIs, SendGrid API, DNS, CA and CDN edge on loopback. Branded host: ${world.hostname}.${modeNote}`,
    adapter: createCloudFrontProxy({ ...world.adapter, mode }),
    ...sandboxFields(world),
  };
});
