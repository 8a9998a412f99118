/**
 * The CloudFront adapter draws from the run's write budget (issue 14, `RunOptions.budget`): each
 * attempt of an AWS write (ACM, CloudFront, and the built-in Route 53, which uses the same AWS
 * account) takes one write first, so writes reach AWS at the budget's pace. A DNS provider given
 * in the settings may be another account's: its writes take nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCountingWriteBudget } from '@sslclick/core/testing';
import { createRoute53Dns } from '../src/index.js';
import { AWS_TEST_CREDENTIALS } from '@sslclick/sandbox';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

let world: CloudFrontWorld;
const zone = 'budget.example.org';
// Date.now() has a millisecond's grain on each side.
const timerSlackMs = 2;
// One write every 300 ms, no burst beyond one.
const budgetSettings = { name: 'cloudfront account', capacity: 1, intervalMs: 300 };

beforeAll(async () => {
  world = await startCloudFrontWorld({ deployDelayMs: 0, certificateIssueDelayMs: 0, changePropagationDelayMs: 0 });
  world.aws.addHostedZone(zone);
});

afterAll(async () => {
  await world?.close();
});


describe('CloudFront writes under a shared write budget', () => {
  it('takes one write per AWS write, Route 53 included, and AWS receives them at the budget pace', async () => {
    const hostname = prepareBrandedHost(world, zone);
    const budget = createCountingWriteBudget(budgetSettings);
    const start = world.aws.operations.length;
    expect((await createTestAdapter(world).apply({ hostname }, { budget })).ready).toBe(true);
    const writes = world.aws.operations.slice(start).filter((operation) => operation.write);
    expect(writes.map((operation) => operation.service).sort()).toEqual(['acm', 'cloudfront', 'route53', 'route53']);
    expect(writes.every((operation) => operation.status < 400)).toBe(true);
    expect(budget.taken()).toBe(writes.length);
    // The bucket starts with one write and refills one per interval, so the last write cannot reach
    // the vendor before one interval per write after the first has passed since the budget was
    // made (measured from there, not from the first request's arrival, which a busy machine delays).
    expect(writes[writes.length - 1]!.at - budget.createdAt).toBeGreaterThanOrEqual((writes.length - 1) * budgetSettings.intervalMs - timerSlackMs);
  });

  it('a DNS provider given in the settings takes nothing from the budget', async () => {
    const hostname = prepareBrandedHost(world, zone);
    const budget = createCountingWriteBudget(budgetSettings);
    const start = world.aws.operations.length;
    const dns = createRoute53Dns({ credentials: { ...AWS_TEST_CREDENTIALS }, endpoint: world.aws.endpoints.route53 });
    expect((await createTestAdapter(world, { dns, route53: false }).apply({ hostname }, { budget })).ready).toBe(true);
    const writes = world.aws.operations.slice(start).filter((operation) => operation.write);
    expect(writes.filter((operation) => operation.service === 'route53')).toHaveLength(2);
    expect(budget.taken()).toBe(writes.filter((operation) => operation.service !== 'route53').length);
  });
});
