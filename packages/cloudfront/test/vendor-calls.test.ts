/**
 * How many operations the AWS fakes receive (issue 14, "reads once"): a no-op apply reads each
 * thing once (before, it inspected everything again for the final status and read the host's
 * record three times), and status makes one lookup plus one read per resource: ListDistributions
 * finds the distribution (its summary is the distribution as status shows it), its tags prove it
 * is sslclick's and name sslclick's certificate and the Route 53 zone holding the host's record,
 * and DescribeCertificate reads that certificate (before, ListTagsForCertificate proved the
 * certificate too, and a new adapter looked the zone up: 4 calls for 2 resources).
 */
import { CloudFrontClient, UntagResourceCommand } from '@aws-sdk/client-cloudfront';
import { createLookupCache } from '@sslclick/core';
import { AWS_TEST_CREDENTIALS } from '@sslclick/sandbox';
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
      // The certificate it uses; the distribution's tags name it as sslclick's, so its own tags are not read.
      'read DescribeCertificate': 1,
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
    });
    expect(status.resources.map((resource) => [resource.kind, resource.owned])).toEqual([
      ['acm-certificate', true],
      ['cloudfront-distribution', true],
    ]);

    // A new adapter (nothing cached anywhere) makes the same three: the distribution's tags name
    // the Route 53 zone holding the host's record, so status does not look the zone up by name.
    start = world.aws.operations.length;
    const fresh = await createTestAdapter(world).status({ hostname });
    expect(fresh.ready).toBe(true);
    expect(fresh.dns.managed).toBe(true);
    expect(operationsSince(start)).toEqual({
      'read ListDistributions': 1,
      'read ListTagsForResource': 1,
      'read DescribeCertificate': 1,
    });
  });

  it('a distribution whose tags do not name its Route 53 zone (made before the tag) has the zone looked up by name', async () => {
    const hostname = prepareBrandedHost(world, zone);
    expect((await createTestAdapter(world).apply({ hostname })).ready).toBe(true);
    const distribution = world.aws.distributions().find((candidate) => candidate.aliases.includes(hostname));
    const cloudFront = new CloudFrontClient({ region: 'us-east-1', credentials: AWS_TEST_CREDENTIALS, endpoint: world.aws.endpoints.cloudfront, maxAttempts: 1 });
    await cloudFront.send(new UntagResourceCommand({ Resource: distribution?.arn, TagKeys: { Items: ['sslclick:route53-zone'] } }));
    const start = world.aws.operations.length;
    const status = await createTestAdapter(world).status({ hostname });
    expect(status.ready).toBe(true);
    expect(status.dns.managed).toBe(true);
    expect(operationsSince(start)).toEqual({
      'read ListHostedZonesByName': 1,
      'read ListDistributions': 1,
      'read ListTagsForResource': 1,
      'read DescribeCertificate': 1,
    });
  });

  it('a distribution whose tags do not name the certificate it uses proves the certificate by its own tags', async () => {
    const hostname = prepareBrandedHost(world, zone);
    expect((await createTestAdapter(world).apply({ hostname })).ready).toBe(true);
    // As a distribution made before the tag existed.
    const distribution = world.aws.distributions().find((candidate) => candidate.aliases.includes(hostname));
    const cloudFront = new CloudFrontClient({ region: 'us-east-1', credentials: AWS_TEST_CREDENTIALS, endpoint: world.aws.endpoints.cloudfront, maxAttempts: 1 });
    await cloudFront.send(new UntagResourceCommand({ Resource: distribution?.arn, TagKeys: { Items: ['sslclick:certificate'] } }));
    const start = world.aws.operations.length;
    const status = await createTestAdapter(world).status({ hostname });
    expect(status.resources.find((resource) => resource.kind === 'acm-certificate')?.owned).toBe(true);
    expect(operationsSince(start)).toMatchObject({ 'read DescribeCertificate': 1, 'read ListTagsForCertificate': 1 });
  });

  it('hosts of one run list the distributions once, and each sees what the others created or deleted', async () => {
    const hostnames = [prepareBrandedHost(world, zone), prepareBrandedHost(world, zone), prepareBrandedHost(world, zone)];
    const adapter = createTestAdapter(world);
    const lookupCache = createLookupCache();
    const writes = (counts: Record<string, number>): string[] => Object.keys(counts).filter((key) => key.startsWith('write'));

    let start = world.aws.operations.length;
    for (const hostname of hostnames) expect((await adapter.apply({ hostname }, { lookupCache })).ready).toBe(true);
    expect(operationsSince(start)).toMatchObject({ 'read ListDistributions': 1, 'write CreateDistributionWithTags': 3 });

    // The run's listing holds the three distributions it created: applying again lists nothing and writes nothing.
    start = world.aws.operations.length;
    for (const hostname of hostnames) expect((await adapter.apply({ hostname }, { lookupCache })).ready).toBe(true);
    expect(operationsSince(start)['read ListDistributions']).toBeUndefined();
    expect(writes(operationsSince(start))).toEqual([]);

    // Status of each: its tags and its certificate, the distribution found in the run's listing.
    start = world.aws.operations.length;
    for (const hostname of hostnames) expect((await adapter.status({ hostname }, { lookupCache })).ready).toBe(true);
    expect(operationsSince(start)).toEqual({ 'read ListTagsForResource': 3, 'read DescribeCertificate': 3 });

    // A distribution deleted in the run is gone from its listing: status finds none, apply makes a new one.
    const [first] = hostnames as [string, string, string];
    expect((await adapter.destroy({ hostname: first }, { lookupCache })).edge.state).toBe('absent');
    expect(world.aws.distributions().some((distribution) => distribution.aliases.includes(first))).toBe(false);
    start = world.aws.operations.length;
    expect((await adapter.status({ hostname: first }, { lookupCache })).edge.state).toBe('absent');
    expect((await adapter.apply({ hostname: first }, { lookupCache })).ready).toBe(true);
    expect(operationsSince(start)).toMatchObject({ 'write CreateDistributionWithTags': 1 });
    expect(operationsSince(start)['read ListDistributions']).toBeUndefined();
    expect(world.aws.distributions().filter((distribution) => distribution.aliases.includes(first))).toHaveLength(1);
  });

  it('hosts of one run list the ACM certificates once, and a certificate requested in the run is found by its later applies', async () => {
    const hostnames = [prepareBrandedHost(world, zone), prepareBrandedHost(world, zone), prepareBrandedHost(world, zone)];
    const adapter = createTestAdapter(world);
    const lookupCache = createLookupCache();

    // Three hosts from nothing: one listing for the three (before, each paged through every certificate).
    let start = world.aws.operations.length;
    for (const hostname of hostnames) expect((await adapter.apply({ hostname }, { lookupCache })).ready).toBe(true);
    expect(operationsSince(start)).toMatchObject({ 'read ListCertificates': 1, 'write RequestCertificate': 3 });

    // A certificate requested in the run is in its listing for what follows: an apply stopped
    // right after requesting it is resumed by the next one, which lists nothing and requests
    // nothing (the certificate found there proven by its own tags and described).
    const [first] = hostnames as [string, string, string];
    const stopped = prepareBrandedHost(world, zone);
    const controller = new AbortController();
    const onProgress = (event: { type: string }): void => {
      if (event.type === 'certificate-requested') controller.abort();
    };
    await expect(adapter.apply({ hostname: stopped }, { lookupCache, signal: controller.signal, onProgress })).rejects.toThrow();
    const requested = world.aws.operations.filter((operation) => operation.operation === 'RequestCertificate').length;
    start = world.aws.operations.length;
    const resumed = await adapter.apply({ hostname: stopped }, { lookupCache });
    expect(resumed.ready).toBe(true);
    expect(operationsSince(start)['read ListCertificates']).toBeUndefined();
    expect(operationsSince(start)['write RequestCertificate']).toBeUndefined();
    expect(operationsSince(start)).toMatchObject({ 'read ListTagsForCertificate': 1 });
    expect(world.aws.operations.filter((operation) => operation.operation === 'RequestCertificate')).toHaveLength(requested);

    const certificateArn = (await adapter.status({ hostname: first }, { lookupCache })).resources.find((resource) => resource.kind === 'acm-certificate')?.id;
    expect(certificateArn).toBeDefined();
    // A certificate this run deleted is gone from its listing: the host's next apply requests a new one.
    expect((await adapter.destroy({ hostname: first }, { lookupCache })).certificate.state).toBe('absent');
    start = world.aws.operations.length;
    const renewed = await adapter.apply({ hostname: first }, { lookupCache });
    expect(renewed.ready).toBe(true);
    expect(renewed.resources.find((resource) => resource.kind === 'acm-certificate')?.id).not.toBe(certificateArn);
    expect(renewed.resources.find((resource) => resource.kind === 'acm-certificate')?.id).toBeDefined();
    expect(operationsSince(start)).toMatchObject({ 'write RequestCertificate': 1 });
    expect(operationsSince(start)['read ListCertificates']).toBeUndefined();
  });

  it('in tenants mode too, hosts of one run list the ACM certificates once and resume a certificate requested in the run', async () => {
    const adapter = createTestAdapter(world, { mode: 'tenants' });
    const lookupCache = createLookupCache();
    let start = world.aws.operations.length;
    for (const hostname of [prepareBrandedHost(world, zone), prepareBrandedHost(world, zone), prepareBrandedHost(world, zone)]) {
      expect((await adapter.apply({ hostname }, { lookupCache })).ready).toBe(true);
    }
    expect(operationsSince(start)).toMatchObject({ 'read ListCertificates': 1, 'write RequestCertificate': 3 });

    const stopped = prepareBrandedHost(world, zone);
    const controller = new AbortController();
    const onProgress = (event: { type: string }): void => {
      if (event.type === 'certificate-requested') controller.abort();
    };
    await expect(adapter.apply({ hostname: stopped }, { lookupCache, signal: controller.signal, onProgress })).rejects.toThrow();
    start = world.aws.operations.length;
    expect((await adapter.apply({ hostname: stopped }, { lookupCache })).ready).toBe(true);
    expect(operationsSince(start)['read ListCertificates']).toBeUndefined();
    expect(operationsSince(start)['write RequestCertificate']).toBeUndefined();
    expect(operationsSince(start)).toMatchObject({ 'read ListTagsForCertificate': 1 });
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
