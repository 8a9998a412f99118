// CloudFront tenants mode through the sandbox: a fleet shares one multi-tenant distribution, the
// certificate is validated and the edge proven before DNS moves, a failing cutover is rolled
// back, adopt rules, and the shared distribution going with its last tenant.
import { ACMClient, DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CloudFrontClient, CreateDistributionTenantCommand, CreateDistributionWithTagsCommand } from '@aws-sdk/client-cloudfront';
import { SslClickError, verifyHostname, type Plan, type ProgressEvent } from '@sslclick/core';
import { AWS_TEST_CREDENTIALS } from '@sslclick/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudFrontProxy } from '../src/index.js';
import { allViewerPolicyId, cachingDisabledPolicyId } from '../src/distribution-config.js';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

const zone = 'fleet.example';

describe('createCloudFrontProxy({ mode: "tenants" }) through the sandbox', () => {
  let world: CloudFrontWorld;

  beforeAll(async () => {
    world = await startCloudFrontWorld();
    world.aws.addHostedZone(zone);
  });
  afterAll(async () => {
    await world?.close();
  });

  const tenantsAdapter = (extra: Parameters<typeof createTestAdapter>[1] = {}) => createTestAdapter(world, { mode: 'tenants', ...extra });
  const multiTenant = () => world.aws.distributions().filter((distribution) => (distribution.config as Record<string, unknown>).ConnectionMode === 'tenant-only');

  it('sets up a fleet on ONE multi-tenant distribution: a tenant, a certificate and a CNAME to the routing endpoint per host', async () => {
    const hostnames = [prepareBrandedHost(world, zone), prepareBrandedHost(world, zone), prepareBrandedHost(world, zone)];
    const adapter = tenantsAdapter();
    const events: ProgressEvent[] = [];
    world.aws.clearLog();
    // At the same time, as setupAccount runs a fleet: the three share one create.
    const statuses = await Promise.all(hostnames.map((hostname) => adapter.apply({ hostname }, { onProgress: (event) => events.push(event) })));

    expect(statuses.map((status) => status.ready)).toEqual([true, true, true]);
    expect(multiTenant()).toHaveLength(1);
    expect(world.aws.operationNames('cloudfront').filter((name) => name === 'CreateDistributionWithTags')).toHaveLength(1);
    const shared = multiTenant()[0];
    const behavior = shared?.config.DefaultCacheBehavior as Record<string, unknown>;
    expect(behavior).toMatchObject({ CachePolicyId: cachingDisabledPolicyId, OriginRequestPolicyId: allViewerPolicyId });
    expect(shared?.config.Aliases).toBeUndefined();
    expect(shared?.tags).toMatchObject({ 'managed-by': 'sslclick', 'sslclick:role': 'multi-tenant-distribution' });

    const tenants = world.aws.tenants().filter((tenant) => hostnames.includes(tenant.domains[0] ?? ''));
    expect(tenants).toHaveLength(3);
    const groups = world.aws.connectionGroups();
    expect(groups).toHaveLength(1);
    const endpoint = groups[0]?.routingEndpoint ?? '';
    for (const [index, hostname] of hostnames.entries()) {
      const tenant = tenants.find((candidate) => candidate.domains[0] === hostname);
      const certificate = world.aws.certificates().find((candidate) => candidate.domainName === hostname);
      expect(tenant).toMatchObject({ name: hostname, distributionId: shared?.id, enabled: true, status: 'Deployed', certificateArn: certificate?.arn, tags: { 'managed-by': 'sslclick', 'sslclick:hostname': hostname } });
      expect(certificate?.status).toBe('ISSUED');
      expect(world.dns.zone.getRecords(hostname)).toMatchObject([{ type: 'CNAME', value: endpoint }]);
      expect(statuses[index]).toMatchObject({ edge: { state: 'deployed', target: endpoint }, certificate: { state: 'issued' }, dns: { pointsToCdn: true } });
      expect(statuses[index]?.resources).toEqual(
        expect.arrayContaining([
          { kind: 'cloudfront-distribution-tenant', id: tenant?.id, owned: true },
          { kind: 'cloudfront-distribution', id: shared?.id, owned: false },
        ]),
      );
    }
    // Certificate first, then the tenant, the edge check through the routing endpoint, DNS last.
    const types = events.map((event) => event.type);
    expect(types.indexOf('certificate-requested')).toBeLessThan(types.indexOf('distribution-tenant-created'));
    expect(types.lastIndexOf('dns-cutover')).toBeGreaterThan(types.indexOf('edge-verified'));

    const link = world.origin.createLink(hostnames[0] ?? '', 'https://shop.example.org/fleet');
    const verified = await verifyHostname(hostnames[0] ?? '', { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, sampleLink: link.clickUrl, timeoutMs: 3_000, expectedTargets: [endpoint] });
    expect(verified.ok).toBe(true);
  });

  it('plans the shared distribution once for a fleet: 1 distribution create, 1 tenant create per host', async () => {
    const world2 = await startCloudFrontWorld();
    try {
      world2.aws.addHostedZone(zone);
      const adapter = createTestAdapter(world2, { mode: 'tenants' });
      const plans: Plan[] = [];
      for (let index = 0; index < 4; index += 1) plans.push(await adapter.plan({ hostname: prepareBrandedHost(world2, zone) }));
      const creates = (kind: string) => plans.flatMap((plan) => plan.changes).filter((change) => change.action === 'create' && change.resource.kind === kind).length;
      expect(creates('cloudfront-distribution')).toBe(1);
      expect(creates('cloudfront-distribution-tenant')).toBe(4);
      expect(creates('acm-certificate')).toBe(4);
      expect(world2.aws.writes()).toBe(0);
    } finally {
      await world2.close();
    }
  });

  it('never moves DNS when the edge does not serve the host: the pre-cutover check fails and the CNAME stays at sendgrid.net', async () => {
    const hostname = prepareBrandedHost(world, zone);
    const adapter = tenantsAdapter({ cutoverCheckTimeoutMs: 800, verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 300 } });
    const error = await adapter
      .apply(
        { hostname },
        {
          onProgress: (event) => {
            // The tenant is deployed: from now on the edge answers 502 for it.
            if (event.type !== 'edge-ready') return;
            const route = world.edge.getRoute(hostname);
            if (route) world.edge.setRoute({ ...route, failure: '502' });
          },
        },
      )
      .catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.operation).toBe('pre-cutover-check');
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
  });

  it('rolls a failing cutover back: the edge breaks right after the CNAME moved, the CNAME goes back to sendgrid.net', async () => {
    const hostname = prepareBrandedHost(world, zone);
    const events: string[] = [];
    const error = await tenantsAdapter()
      .apply(
        { hostname },
        {
          onProgress: (event) => {
            events.push(event.type);
            if (event.type !== 'dns-cutover') return;
            const route = world.edge.getRoute(hostname);
            if (route) world.edge.setRoute({ ...route, failure: 'refuse' });
          },
        },
      )
      .catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error)).toBe(true);
    expect(events).toContain('dns-restored');
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
  });

  it('leaves a tenant it did not create alone (CONFLICT, nothing written), and takes it over with adopt: true', async () => {
    const hostname = prepareBrandedHost(world, zone);
    const credentials = { ...AWS_TEST_CREDENTIALS };
    const client = new CloudFrontClient({ region: 'us-east-1', endpoint: world.aws.endpoints.cloudfront, credentials, maxAttempts: 1 });
    const acm = new ACMClient({ region: 'us-east-1', endpoint: world.aws.endpoints.acm, credentials, maxAttempts: 1 });
    // Someone else's certificate for the host, validated in DNS, their multi-tenant distribution and their tenant.
    const theirCertificate = (await acm.send(new RequestCertificateCommand({ DomainName: hostname, ValidationMethod: 'DNS' }))).CertificateArn ?? '';
    const record = (await acm.send(new DescribeCertificateCommand({ CertificateArn: theirCertificate }))).Certificate?.DomainValidationOptions?.[0]?.ResourceRecord;
    world.dns.zone.setRecord({ name: record?.Name ?? '', type: 'CNAME', value: record?.Value ?? '' });
    await world.aws.sync();
    world.clock.advance(1_000);
    await world.aws.sync();
    const theirs = await client.send(
      new CreateDistributionWithTagsCommand({
        DistributionConfigWithTags: {
          DistributionConfig: {
            CallerReference: `theirs-${hostname}`,
            Comment: 'their multi-tenant distribution',
            Enabled: true,
            ConnectionMode: 'tenant-only',
            Origins: { Quantity: 1, Items: [{ Id: 'o', DomainName: 'sendgrid.net', CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } }] },
            DefaultCacheBehavior: { TargetOriginId: 'o', ViewerProtocolPolicy: 'allow-all', CachePolicyId: cachingDisabledPolicyId },
            ViewerCertificate: { CloudFrontDefaultCertificate: true },
          },
          Tags: { Items: [] },
        },
      }),
    );
    await client.send(
      new CreateDistributionTenantCommand({ DistributionId: theirs.Distribution?.Id ?? '', Name: `theirs-${hostname}`, Domains: [{ Domain: hostname }], Customizations: { Certificate: { Arn: theirCertificate } } }),
    );
    // Deployed long since, as someone else's tenant usually is: its snapshot must not change with the clock.
    world.clock.advance(5_000);
    await world.aws.sync();
    const foreign = () => world.aws.tenants().find((candidate) => candidate.name === `theirs-${hostname}`);
    const before = foreign();
    expect(before?.status).toBe('Deployed');
    expect(before).toBeDefined();

    const adapter = tenantsAdapter();
    const writes = world.aws.writes();
    const refusal = await adapter.apply({ hostname }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(refusal) && refusal.code).toBe('CONFLICT');
    expect((refusal as Error).message).toContain(before?.id ?? '-');
    expect(world.aws.writes()).toBe(writes);
    expect(foreign()).toEqual(before);
    const status = await adapter.status({ hostname });
    expect(status.resources).toContainEqual({ kind: 'cloudfront-distribution-tenant', id: before?.id, owned: false });

    const adopted = await adapter.apply({ hostname, adopt: true });
    expect(adopted.ready).toBe(true);
    const shared = multiTenant().find((distribution) => distribution.tags['sslclick:role'] === 'multi-tenant-distribution');
    expect(foreign()).toMatchObject({ distributionId: shared?.id, enabled: true, tags: { 'managed-by': 'sslclick', 'sslclick:hostname': hostname } });
    expect(foreign()?.certificateArn).not.toBe(theirCertificate);
  });

  it('removes the shared distribution with its last tenant, and only then', async () => {
    const world2 = await startCloudFrontWorld();
    try {
      world2.aws.addHostedZone(zone);
      const adapter = createTestAdapter(world2, { mode: 'tenants' });
      const first = prepareBrandedHost(world2, zone);
      const second = prepareBrandedHost(world2, zone);
      await Promise.all([adapter.apply({ hostname: first }), adapter.apply({ hostname: second })]);
      expect(world2.aws.distributions()).toHaveLength(1);

      const afterFirst = await adapter.destroy({ hostname: first });
      expect(afterFirst.resources.filter((resource) => resource.owned)).toEqual([]);
      expect(world2.aws.distributions()).toHaveLength(1);
      expect(world2.aws.tenants().map((tenant) => tenant.name)).toEqual([second]);
      expect(world2.dns.zone.getRecords(first)).toMatchObject([{ type: 'CNAME', value: 'sendgrid.net' }]);

      await adapter.destroy({ hostname: second });
      expect(world2.aws.tenants()).toEqual([]);
      expect(world2.aws.distributions()).toEqual([]);
      expect(world2.aws.certificates()).toEqual([]);
      expect(world2.dns.zone.getRecords(second)).toMatchObject([{ type: 'CNAME', value: 'sendgrid.net' }]);
      const writes = world2.aws.writes();
      await adapter.destroy({ hostname: second });
      expect(world2.aws.writes()).toBe(writes);
    } finally {
      await world2.close();
    }
  });

  it('points hosts at a connection group of your choice with connectionGroupId', async () => {
    const group = world.aws.addConnectionGroup('sslclick-links');
    const hostname = prepareBrandedHost(world, zone);
    const status = await tenantsAdapter({ connectionGroupId: group.id }).apply({ hostname });
    expect(status.ready).toBe(true);
    expect(status.edge.target).toBe(group.routingEndpoint);
    expect(world.dns.zone.getRecords(hostname)).toMatchObject([{ type: 'CNAME', value: group.routingEndpoint }]);
  });
});

describe('createCloudFrontProxy tenants mode input checks', () => {
  it('rejects settings tenants mode cannot honour with INVALID_INPUT, before any AWS call', () => {
    const base = { credentials: { ...AWS_TEST_CREDENTIALS } };
    const attempts = [
      () => createCloudFrontProxy({ ...base, mode: 'tenants', priceClass: 'PriceClass_100' }),
      () => createCloudFrontProxy({ ...base, mode: 'tenants', connectionGroupId: 'not-a-group' }),
      () => createCloudFrontProxy({ ...base, connectionGroupId: 'cg_2whCJoXMYCjHcxaLGrkllvyABC' }),
      () => createCloudFrontProxy({ ...base, mode: 'shared' as 'tenants' }),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(SslClickError.isInstance(caught) && caught.code).toBe('INVALID_INPUT');
    }
  });
});
