/**
 * SSL click tracking through AWS CloudFront, with the certificate from ACM and DNS in Route 53.
 * With AWS credentials in the environment (AWS_ACCESS_KEY_ID or AWS_PROFILE) it runs against
 * your real AWS account (SSLCLICK_HOSTNAME names the branded host; expect the distribution to
 * take several minutes to deploy); without them, against the local sandbox.
 *
 *   npm run example:cloudfront    # add -- --json for the status as JSON
 */
import { AWS_TEST_CREDENTIALS, startAwsApi } from '@sslclick/sandbox';
import { createCloudFrontProxy } from '@sslclick/cloudfront';
import { runExample } from './support/run-example.js';
import { liveHostname, liveSendGrid, startSandboxAccount, withOptional } from './support/sandbox-account.js';

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
  // The branding's CNAME to sendgrid.net sits in the example.com hosted zone, as link branding left it.
  const account = await startSandboxAccount({ publishBrandingDns: true });
  const aws = await startAwsApi(account.sandbox);
  aws.addHostedZone('example.com');
  return {
    mode: 'sandbox',
    banner: `Running against the local sandbox (no AWS credentials set): fake CloudFront, ACM and Route 53 APIs, SendGrid API, DNS, CA and CDN edge on loopback. Branded host: ${account.hostname}.`,
    adapter: createCloudFrontProxy({
      credentials: { ...AWS_TEST_CREDENTIALS },
      endpoints: aws.endpoints,
      verification: account.sandbox.verification,
      wait: { minDelay: 250, maxDelay: 1_000 },
    }),
    ...account.exampleFields(),
    async close() {
      await aws.close();
      await account.close();
    },
  };
});
