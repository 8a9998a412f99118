/**
 * SSL click tracking through AWS CloudFront, with the certificate from ACM and DNS in Route 53.
 * With AWS credentials in the environment (AWS_ACCESS_KEY_ID or AWS_PROFILE) it runs against
 * your real AWS account (SSLCLICK_HOSTNAME names the branded host; expect the distribution to
 * take several minutes to deploy); without them, against a local sandbox world.
 *
 *   npm run example:cloudfront    # add -- --json for the status as JSON
 */
import { createCloudFrontProxy } from '@sslclick/cloudfront';
import { startSandboxWorld } from '@sslclick/sandbox';
import { liveHostname, liveSendGrid, sandboxFields, withOptional } from './support/example-world.js';
import { runExample } from './support/run-example.js';

await runExample(async () => {
  if (process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE) {
    return {
      mode: 'live',
      banner: 'Running against your real AWS account (AWS credentials are set). CloudFront deployments take minutes; progress is shown as it goes.',
      adapter: createCloudFrontProxy({}),
      hostname: liveHostname('AWS_ACCESS_KEY_ID'),
      waitForDns: true,
      ...withOptional({ sendgrid: liveSendGrid(), sampleLink: process.env.SSLCLICK_SAMPLE_LINK }),
      async close() {},
    };
  }
  const world = await startSandboxWorld({ cdn: 'cloudfront' });
  return {
    mode: 'sandbox',
    banner: `Running against the local sandbox (no AWS credentials set): fake CloudFront, ACM and Route 53 APIs, SendGrid API, DNS, CA and CDN edge on loopback. Branded host: ${world.hostname}.`,
    adapter: createCloudFrontProxy(world.adapter),
    ...sandboxFields(world),
  };
});
