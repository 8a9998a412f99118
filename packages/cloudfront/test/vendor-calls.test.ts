/**
 * How many operations the AWS fakes receive (issue 14, "reads once"): a no-op apply reads each
 * thing once (before, it inspected everything again for the final status and read the host's
 * record three times), and status finds the distribution and certificate with their tags.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

let world: CloudFrontWorld;
const zone = 'calls.example.org';

beforeAll(async () => {
  world = await startCloudFrontWorld({ deployDelayMs: 0, certificateIssueDelayMs: 0, changePropagationDelayMs: 0 });
  world.aws.addHostedZone(zone);
});

afterAll(async () => {
  await world?.close();
});

function operationsSince(start: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const operation of world.aws.operations.slice(start)) {
    const key = `${operation.write ? 'write' : 'read'} ${operation.operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('CloudFront vendor calls', () => {
  it('apply again with nothing to do reads each thing once, and status finds and reads the two resources', async () => {
    const hostname = prepareBrandedHost(world, zone);
    const adapter = createTestAdapter(world);
    expect((await adapter.apply({ hostname })).ready).toBe(true);

    let start = world.aws.operations.length;
    const again = await adapter.apply({ hostname });
    expect(again.ready).toBe(true);
    expect(again.resources.map((resource) => [resource.kind, resource.owned])).toEqual([
      ['acm-certificate', true],
      ['cloudfront-distribution', true],
    ]);
    expect(operationsSince(start)).toEqual({
      // Find the distribution, prove it is sslclick's, read its configuration for drift.
      'read ListDistributions': 1,
      'read ListTagsForResource': 1,
      'read GetDistributionConfig': 1,
      // The certificate it uses, with its tags (the ownership proof).
      'read DescribeCertificate': 1,
      'read ListTagsForCertificate': 1,
      // The host's record, and the validation record (kept for renewals: upsert finds nothing to write).
      'read ListResourceRecordSets': 2,
    });

    start = world.aws.operations.length;
    const status = await adapter.status({ hostname });
    expect(status.ready).toBe(true);
    expect(operationsSince(start)).toEqual({
      'read ListDistributions': 1,
      'read ListTagsForResource': 1,
      'read DescribeCertificate': 1,
      'read ListTagsForCertificate': 1,
    });
  });

  it('apply from nothing re-reads only what it wrote (before, the final status inspected all four things again)', async () => {
    const hostname = prepareBrandedHost(world, zone);
    const start = world.aws.operations.length;
    expect((await createTestAdapter(world).apply({ hostname })).ready).toBe(true);
    expect(operationsSince(start)).toEqual({
      'read ListHostedZonesByName': 1,
      'read ListDistributions': 1,
      'read ListCertificates': 1,
      'write RequestCertificate': 1,
      // Until ACM shows the validation record, then the issued certificate (the fake is instant).
      'read DescribeCertificate': 2,
      // The host's record once before the cutover; the validation record and the cutover each read by their upsert.
      'read ListResourceRecordSets': 3,
      'write ChangeResourceRecordSets': 2,
      'write CreateDistributionWithTags': 1,
      // The one read of what was written: the new distribution, until deployed. No second inspection.
      'read GetDistribution': 1,
    });
  });
});
