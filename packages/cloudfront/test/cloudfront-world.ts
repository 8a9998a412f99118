import { AWS_TEST_CREDENTIALS, startAwsApi, startSandbox, type AwsApi, type AwsApiOptions, type Sandbox } from '@sslclick/sandbox';
import type { ProxyAdapter } from '@sslclick/core';
import { createCloudFrontProxy, type CloudFrontProxySettings } from '../src/index.js';

/** The sandbox plus its AWS fakes, as the CloudFront tests use them. */
export type CloudFrontWorld = Sandbox & { aws: AwsApi };

/** Short sandbox-clock delays: deploys and issuance still take a moment, so waits are exercised. */
export const testAwsOptions: AwsApiOptions = { deployDelayMs: 300, certificateIssueDelayMs: 100, changePropagationDelayMs: 50 };

/** Starts the sandbox and the AWS fakes; `close` stops both. */
export async function startCloudFrontWorld(options: AwsApiOptions = testAwsOptions): Promise<CloudFrontWorld> {
  const sandbox = await startSandbox();
  const aws = await startAwsApi(sandbox, options);
  return {
    ...sandbox,
    aws,
    close: async () => {
      await aws.close();
      await sandbox.close();
    },
  };
}

let counter = 0;

/** A fresh branded host in its starting state: CNAME to sendgrid.net in sandbox DNS, known to the fake SendGrid. */
export function prepareBrandedHost(world: CloudFrontWorld, zone: string): string {
  counter += 1;
  const hostname = `url${process.pid % 1000}${counter}.${zone}`;
  world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
  world.origin.addBrandedHost(hostname);
  return hostname;
}

/** The adapter pointed at the world's fakes, with short waits and retries. */
export function createTestAdapter(world: CloudFrontWorld, extra: CloudFrontProxySettings = {}): ProxyAdapter {
  return createCloudFrontProxy({
    credentials: { ...AWS_TEST_CREDENTIALS },
    endpoints: world.aws.endpoints,
    verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 3_000 },
    wait: { minDelay: 30, maxDelay: 100, maxWaitTime: 20_000 },
    retry: { minDelay: 10, maxDelay: 50 },
    ...extra,
  });
}
