/**
 * Issue 16 in tenants mode: CloudFront (or a gateway in front of it) quoting the request's
 * credentials back in its errors, at each request of the SaaS Manager calls in turn (tenants,
 * connection groups, the multi-tenant listing); nothing thrown, sent as progress or returned
 * shows them. ACM and Route 53 calls are the per-host mode's, swept in credential-echo.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoSweepRecord, recordingRunOptions, secretsInSweep, sweepEchoFaults } from '@sslclick/core/testing';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

const canary = {
  accessKeyId: 'CANARYKEYIDTENANTS7F3',
  secretAccessKey: 'canary-aws-secret-tenants-5c1e9a7b3d2f',
  sessionToken: 'canary-aws-session-token-tenants-9e8d7c',
};
let world: CloudFrontWorld;

beforeAll(async () => {
  world = await startCloudFrontWorld({ deployDelayMs: 30, certificateIssueDelayMs: 20, changePropagationDelayMs: 10 });
  world.aws.addHostedZone('echo-tenants.example');
});

afterAll(async () => {
  await world?.close();
});

describe('tenants mode against a CloudFront that quotes the credentials back', () => {
  it('apply, status and destroy never show them, at any depth', async () => {
    const hostname = prepareBrandedHost(world, 'echo-tenants.example');
    const adapter = createTestAdapter(world, { mode: 'tenants', credentials: { ...canary }, retry: { maxAttempts: 1, minDelay: 1, maxDelay: 1 } });
    const record = createEchoSweepRecord();
    const run = recordingRunOptions(record);
    for (const operation of [() => adapter.apply({ hostname }, run), () => adapter.status({ hostname }, run), () => adapter.destroy({ hostname }, run)]) {
      await sweepEchoFaults({ server: world.aws.servers.cloudfront, operation, statuses: [403, 500], record });
    }
    expect(record.thrown.length).toBeGreaterThan(10);
    expect(secretsInSweep(record, Object.values(canary))).toEqual([]);
  });
});
