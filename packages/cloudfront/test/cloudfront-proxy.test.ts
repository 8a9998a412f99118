import { CloudFrontClient, GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { SslClickError, verifyHostname, type ProgressEvent, type ProxyStatus } from '@sslclick/core';
import { AWS_DENIED_CREDENTIALS, AWS_TEST_CREDENTIALS } from '@sslclick/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsErrorNameOf } from '../src/aws-errors.js';
import { allViewerExceptHostHeaderPolicyId, allViewerPolicyId, cachingDisabledPolicyId } from '../src/distribution-config.js';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

const managedZone = 'managed.example';
const unmanagedZone = 'elsewhere.example';

describe('createCloudFrontProxy through the sandbox', () => {
  let world: CloudFrontWorld;

  beforeAll(async () => {
    world = await startCloudFrontWorld();
    world.aws.addHostedZone(managedZone);
  });
  afterAll(async () => {
    await world?.close();
  });

  function verifyThroughSandbox(hostname: string, status: ProxyStatus): ReturnType<typeof verifyHostname> {
    const link = world.origin.createLink(hostname, 'https://shop.example.org/p');
    return verifyHostname(hostname, {
      resolver: world.dns.address,
      ca: world.ca.certificate,
      ports: world.ports,
      sampleLink: link.clickUrl,
      timeoutMs: 3_000,
      expectedTargets: status.edge.target ? [status.edge.target] : [],
    });
  }

  it('applies from nothing to ready with Route 53: validation record written, deployed, pre-cutover check, CNAME moved; re-apply writes nothing', async () => {
    const hostname = prepareBrandedHost(world, managedZone);
    const events: ProgressEvent[] = [];
    world.aws.clearLog();
    const status = await createTestAdapter(world).apply({ hostname }, { onProgress: (event) => events.push(event) });

    expect(status).toMatchObject({ state: 'ready', ready: true, provider: 'cloudfront', dns: { managed: true, pointsToCdn: true } });
    expect(status.edge).toMatchObject({ state: 'deployed', raw: { Status: 'Deployed', Enabled: true } });
    expect(status.certificate).toMatchObject({ state: 'issued', raw: { Status: 'ISSUED' } });
    const target = status.edge.target ?? '';
    expect(target).toMatch(/\.cloudfront\.net$/);

    // The certificate was validated by the record sslclick wrote in Route 53.
    const certificate = world.aws.certificates().find((candidate) => candidate.domainName === hostname);
    expect(certificate).toMatchObject({ status: 'ISSUED', tags: { 'managed-by': 'sslclick', 'sslclick:hostname': hostname } });
    const validation = certificate?.validationRecords[0];
    expect(world.dns.zone.getRecords(validation?.name ?? '')).toMatchObject([{ type: 'CNAME', value: validation?.value.replace(/\.$/, '') }]);
    expect(status.dns.required).toContainEqual(expect.objectContaining({ name: validation?.name, type: 'CNAME' }));

    // The distribution is what SendGrid needs.
    const distribution = world.aws.distributions().find((candidate) => candidate.aliases.includes(hostname));
    const behavior = distribution?.config.DefaultCacheBehavior as Record<string, unknown>;
    expect(behavior).toMatchObject({ CachePolicyId: cachingDisabledPolicyId, OriginRequestPolicyId: allViewerPolicyId, ViewerProtocolPolicy: 'allow-all' });
    expect(behavior.AllowedMethods).toMatchObject({ Quantity: '7' });
    expect(distribution?.config.ViewerCertificate).toMatchObject({ ACMCertificateArn: certificate?.arn, SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    expect(distribution?.config.Comment).toContain(hostname);
    // The certificate it uses is named in its tags: status then proves both with one read each.
    expect(distribution?.tags).toMatchObject({ 'managed-by': 'sslclick', 'sslclick:hostname': hostname, 'sslclick:certificate': certificate?.arn });
    expect(JSON.stringify(distribution?.config.Origins)).toContain('"OriginProtocolPolicy":"https-only"');

    // Order: validation record, certificate issued, distribution created and deployed, pre-cutover check, then the CNAME.
    const types = events.map((event) => event.type);
    expect(types.indexOf('certificate-requested')).toBeLessThan(types.indexOf('distribution-created'));
    expect(types).toContain('edge-waiting');
    expect(types.indexOf('edge-verified')).toBeGreaterThan(types.indexOf('distribution-created'));
    expect(types.indexOf('dns-cutover')).toBeGreaterThan(types.indexOf('edge-verified'));
    expect(world.dns.zone.getRecords(hostname)).toMatchObject([{ type: 'CNAME', value: target }]);
    const writes = world.aws.operations.filter((operation) => operation.write).map((operation) => operation.operation);
    expect(writes).toEqual(['RequestCertificate', 'ChangeResourceRecordSets', 'CreateDistributionWithTags', 'ChangeResourceRecordSets']);

    // Through the edge, as SendGrid support checks it.
    const verified = await verifyThroughSandbox(hostname, status);
    expect(verified.ok).toBe(true);

    const writesBefore = world.aws.writes();
    const again = await createTestAdapter(world).apply({ hostname });
    expect(again.ready).toBe(true);
    expect(world.aws.writes()).toBe(writesBefore);
  });

  it('without Route 53 stops at "publish this record" and becomes ready once the records exist', async () => {
    const hostname = prepareBrandedHost(world, unmanagedZone);
    const adapter = createTestAdapter(world);
    const first = await adapter.apply({ hostname });
    expect(first).toMatchObject({ ready: false, state: 'provisioning', dns: { managed: false }, certificate: { state: 'pending' }, edge: { state: 'absent' } });
    const validation = first.dns.required.find((record) => record.purpose?.includes('validation'));
    expect(validation).toMatchObject({ type: 'CNAME' });
    expect(first.nextSteps.join(' ')).toContain(`Publish the certificate validation record: CNAME ${validation?.name}`);
    expect(world.aws.distributions().some((distribution) => distribution.aliases.includes(hostname))).toBe(false);

    // The user publishes the validation record; apply issues, creates, deploys, checks the edge, then asks for the CNAME.
    world.dns.zone.setRecord({ name: validation?.name ?? '', type: 'CNAME', value: validation?.value ?? '' });
    const second = await adapter.apply({ hostname });
    expect(second).toMatchObject({ ready: false, certificate: { state: 'issued' }, edge: { state: 'deployed' }, dns: { managed: false, pointsToCdn: false } });
    const cutover = second.dns.required.find((record) => record.name === hostname);
    expect(cutover).toMatchObject({ type: 'CNAME', value: second.edge.target });
    expect(second.checks.find((check) => check.id === 'tls-valid')?.ok).toBe(true);
    // Without a tracked link the edge's answer cannot prove SendGrid knows the Host (issue 12).
    expect(second.checks.find((check) => check.id === 'reaches-sendgrid')).toMatchObject({ ok: null, detail: expect.stringContaining('only a tracked link shows that SendGrid knows the Host') });
    expect(second.nextSteps.join(' ')).toContain(`Point the CNAME of ${hostname} at ${second.edge.target}`);
    expect(world.dns.zone.getRecords(hostname)).toMatchObject([{ value: 'sendgrid.net' }]);

    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: cutover?.value ?? '' });
    const status = await adapter.status({ hostname });
    expect(status).toMatchObject({ ready: true, dns: { pointsToCdn: true } });
    const writesBefore = world.aws.writes();
    const third = await adapter.apply({ hostname });
    expect(third.ready).toBe(true);
    expect(world.aws.writes()).toBe(writesBefore);

    // destroy refuses to delete a distribution that DNS still points at when it cannot move DNS itself.
    const unsafe = await adapter.destroy({ hostname }).catch((error: unknown) => error);
    expect(SslClickError.isInstance(unsafe) && unsafe.code).toBe('UNSAFE');
  });

  it('detects drift to the "except Host" policy in plan and repairs it in apply; the verifier fails before and passes after', async () => {
    const hostname = prepareBrandedHost(world, managedZone);
    const adapter = createTestAdapter(world);
    const ready = await adapter.apply({ hostname });
    expect(ready.ready).toBe(true);
    const id = String((ready.edge.raw as { Id: string }).Id);

    // Someone switches the distribution to AllViewerExceptHostHeader with the official client.
    const client = new CloudFrontClient({ region: 'us-east-1', endpoint: world.aws.endpoints.cloudfront, credentials: { ...AWS_TEST_CREDENTIALS }, maxAttempts: 1 });
    const current = await client.send(new GetDistributionConfigCommand({ Id: id }));
    const config = current.DistributionConfig!;
    await client.send(
      new UpdateDistributionCommand({ Id: id, IfMatch: current.ETag, DistributionConfig: { ...config, DefaultCacheBehavior: { ...config.DefaultCacheBehavior!, OriginRequestPolicyId: allViewerExceptHostHeaderPolicyId } } }),
    );
    world.clock.advance(1_000);
    await world.aws.sync();
    expect(world.edge.getRoute(hostname)?.hostHeader).toBe('origin');

    const broken = await verifyThroughSandbox(hostname, ready);
    expect(broken.checks.find((check) => check.id === 'reaches-sendgrid')).toMatchObject({ ok: false });
    expect(broken.observed.https?.status).toBe(404);

    const plan = await adapter.plan({ hostname });
    const change = plan.changes.find((candidate) => candidate.resource.kind === 'cloudfront-distribution');
    expect(change).toMatchObject({ action: 'update', resource: { id } });
    expect(change?.description).toContain('OriginRequestPolicyId');
    expect(change?.description).toContain('AllViewerExceptHostHeader');
    expect(plan.changes.filter((candidate) => candidate.action !== 'none')).toHaveLength(1);

    world.aws.clearLog();
    // Someone else changes it again between sslclick's read and write: the stale ETag is retried once.
    world.aws.simulateConcurrentChange(id);
    const repaired = await adapter.apply({ hostname });
    expect(repaired.ready).toBe(true);
    const updates = world.aws.operations.filter((operation) => operation.write);
    expect(updates.map((operation) => [operation.operation, operation.status])).toEqual([
      ['UpdateDistribution', 412],
      ['UpdateDistribution', 200],
    ]);
    expect((world.aws.getDistribution(id)?.config.DefaultCacheBehavior as Record<string, unknown>).OriginRequestPolicyId).toBe(allViewerPolicyId);
    expect(world.edge.getRoute(hostname)?.hostHeader).toBe('viewer');
    const fixed = await verifyThroughSandbox(hostname, repaired);
    expect(fixed.ok).toBe(true);
  });

  it('treats a foreign distribution holding the alias as a conflict naming it, in this account or another', async () => {
    const hostname = prepareBrandedHost(world, managedZone);
    const foreign = await world.aws.addForeignDistribution({ alias: hostname });
    const writesBefore = world.aws.writes();
    const error = await createTestAdapter(world).apply({ hostname }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('CONFLICT');
    expect((error as Error).message).toContain(foreign.id);
    expect(world.aws.writes()).toBe(writesBefore);
    const planError = await createTestAdapter(world).plan({ hostname }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(planError) && planError.code).toBe('CONFLICT');

    const elsewhere = prepareBrandedHost(world, managedZone);
    await world.aws.addForeignDistribution({ alias: elsewhere, otherAccount: true });
    const hidden = await createTestAdapter(world).apply({ hostname: elsewhere }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(hidden) && hidden.code).toBe('CONFLICT');
    expect((hidden as Error).message).toContain('already an alternate domain name (CNAME) of another CloudFront distribution');
    expect(awsErrorNameOf(hidden)).toBe('CNAMEAlreadyExists');
    expect(world.dns.zone.getRecords(elsewhere)).toMatchObject([{ value: 'sendgrid.net' }]);
  });

  it('destroys in order (DNS back, disable, wait, delete, certificate) and a second destroy writes nothing', async () => {
    const hostname = prepareBrandedHost(world, managedZone);
    const adapter = createTestAdapter(world);
    const ready = await adapter.apply({ hostname });
    const id = String((ready.edge.raw as { Id: string }).Id);
    world.aws.clearLog();
    const events: string[] = [];
    const destroyed = await adapter.destroy({ hostname }, { onProgress: (event) => events.push(event.type) });
    expect(destroyed).toMatchObject({ state: 'absent', ready: false, resources: [] });

    const names = world.aws.operations.filter((operation) => operation.write || operation.operation === 'GetDistribution').map((operation) => operation.operation);
    const disable = names.indexOf('UpdateDistribution');
    const remove = names.indexOf('DeleteDistribution');
    expect(names.indexOf('ChangeResourceRecordSets')).toBeLessThan(disable);
    expect(names.slice(disable + 1, remove)).toContain('GetDistribution');
    expect(remove).toBeGreaterThan(disable);
    expect(names.indexOf('DeleteCertificate')).toBeGreaterThan(remove);
    expect(events).toEqual(expect.arrayContaining(['dns-restored', 'distribution-disabled', 'edge-waiting', 'distribution-deleted', 'certificate-deleted']));
    expect(events.indexOf('distribution-disabled')).toBeLessThan(events.indexOf('distribution-deleted'));
    expect(world.aws.getDistribution(id)).toBeUndefined();
    expect(world.dns.zone.getRecords(hostname)).toMatchObject([{ type: 'CNAME', value: 'sendgrid.net' }]);
    expect(world.edge.getRoute(hostname)).toBeUndefined();
    expect(world.aws.certificates().some((certificate) => certificate.domainName === hostname)).toBe(false);

    const writes = world.aws.writes();
    const again = await adapter.destroy({ hostname });
    expect(again.state).toBe('absent');
    expect(world.aws.writes()).toBe(writes);
  });

  it('rides out throttling, 5xx and dropped connections', async () => {
    const hostname = prepareBrandedHost(world, managedZone);
    world.aws.injectFault('cloudfront', { kind: 'rate-limit', match: { path: '/2020-05-31/distribution' }, times: 2, retryAfterSeconds: 0 });
    world.aws.injectFault('acm', { kind: 'rate-limit', times: 1, retryAfterSeconds: 0 });
    world.aws.injectFault('route53', { kind: 'server-error', match: { write: true }, times: 1 });
    world.aws.injectFault('cloudfront', { kind: 'reset', match: { method: 'GET', path: /\/distribution\/E/ }, times: 1 });
    const retries: ProgressEvent[] = [];
    const status = await createTestAdapter(world).apply({ hostname }, { onProgress: (event) => event.type === 'request-retrying' && retries.push(event) });
    expect(status.ready).toBe(true);
    const faulted = [...world.aws.servers.cloudfront.requests, ...world.aws.servers.acm.requests, ...world.aws.servers.route53.requests].filter((request) => request.fault);
    expect(faulted.map((request) => request.fault).sort()).toEqual(['rate-limit', 'rate-limit', 'rate-limit', 'reset', 'server-error']);
    expect(retries.length).toBeGreaterThanOrEqual(5);
    expect(world.aws.distributions().filter((distribution) => distribution.aliases.includes(hostname))).toHaveLength(1);
  });

  it('gives up on endless throttling with RATE_LIMITED', async () => {
    const hostname = prepareBrandedHost(world, managedZone);
    world.aws.injectFault('cloudfront', { kind: 'rate-limit', times: 10, retryAfterSeconds: 0 });
    const error = await createTestAdapter(world, { retry: { maxAttempts: 3, minDelay: 5, maxDelay: 10 } }).status({ hostname }).catch((caught: unknown) => caught);
    world.aws.clearFaults();
    expect(SslClickError.isInstance(error) && error.code).toBe('RATE_LIMITED');
  });

  it('translates AccessDenied into PERMISSION naming the IAM action, before any write', async () => {
    const hostname = prepareBrandedHost(world, managedZone);
    const writes = world.aws.writes();
    const denied = await createTestAdapter(world, { credentials: { ...AWS_DENIED_CREDENTIALS }, hostedZoneId: world.aws.addHostedZone(managedZone).id })
      .apply({ hostname })
      .catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(denied) && denied.code).toBe('PERMISSION');
    expect((denied as Error).message).toContain('route53:GetHostedZone');
    expect((denied as Error).message).not.toContain(AWS_DENIED_CREDENTIALS.secretAccessKey);

    world.aws.denyAction('cloudfront:CreateDistribution');
    try {
      const error = await createTestAdapter(world).apply({ hostname }).catch((caught: unknown) => caught);
      expect(SslClickError.isInstance(error) && error.code).toBe('PERMISSION');
      expect((error as Error).message).toContain('cloudfront:CreateDistribution');
    } finally {
      world.aws.allowAction('cloudfront:CreateDistribution');
    }
    expect(world.aws.operationNames().filter((name) => name === 'CreateDistributionWithTags').length).toBeGreaterThan(0);
    expect(world.aws.writes()).toBeGreaterThan(writes);
  });

  it('reports a failed certificate as failed, keeping the raw ACM values', async () => {
    const hostname = prepareBrandedHost(world, unmanagedZone);
    const adapter = createTestAdapter(world);
    await adapter.apply({ hostname });
    const certificate = world.aws.certificates().find((candidate) => candidate.domainName === hostname);
    world.aws.setCertificateStatus(certificate?.arn ?? '', 'FAILED', 'CAA_ERROR');
    // A FAILED certificate is no longer "ours to resume": status finds none of ours to use, apply would request anew.
    const status = await createTestAdapter(world, { certificateArn: certificate?.arn ?? '' }).status({ hostname });
    expect(status.certificate).toMatchObject({ state: 'failed', raw: { Status: 'FAILED', FailureReason: 'CAA_ERROR' } });
    expect(status.state).toBe('failed');
    expect(status.nextSteps.join(' ')).toContain('CAA_ERROR');
  });

  it('gives up on an edge that never answers after cutoverCheckTimeoutMs, not 60 s, and leaves DNS alone', { timeout: 30_000 }, async () => {
    const hostname = prepareBrandedHost(world, managedZone);
    const cutoverCheckTimeoutMs = 1_000;
    const adapter = createTestAdapter(world, {
      cutoverCheckTimeoutMs,
      verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 400 },
    });
    let checkStartedAt = 0;
    const error = await adapter
      .apply(
        { hostname },
        {
          onProgress: (event) => {
            // Deployed: from now on the edge accepts connections for the host and never answers.
            if (event.type !== 'edge-ready') return;
            const route = world.edge.getRoute(hostname);
            if (route) world.edge.setRoute({ ...route, failure: 'hang' });
            checkStartedAt = Date.now();
          },
        },
      )
      .catch((caught: unknown) => caught);
    const elapsed = Date.now() - checkStartedAt;
    expect(checkStartedAt).toBeGreaterThan(0);
    expect(SslClickError.isInstance(error) && error.code).toBe('PROVIDER');
    expect((error as SslClickError).operation).toBe('pre-cutover-check');
    expect(elapsed).toBeLessThan(cutoverCheckTimeoutMs + 5_000);
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
  });

  it('names the cutover check setting cutoverCheckTimeoutMs, as every adapter does, and rejects the old name', async () => {
    const codeOf = (settings: Record<string, unknown>): string | undefined => {
      try {
        createTestAdapter(world, settings);
      } catch (error) {
        return SslClickError.isInstance(error) ? `${error.code}: ${error.message}` : 'other';
      }
      return undefined;
    };
    expect(codeOf({ cutoverCheckTimeoutMs: 0 })).toBeUndefined();
    expect(codeOf({ cutoverCheckTimeoutMs: -1 })).toMatch(/^INVALID_INPUT: cutoverCheckTimeoutMs must be/);
    expect(codeOf({ cutoverCheckTimeoutMs: 3_600_001 })).toMatch(/^INVALID_INPUT/);
    expect(codeOf({ cutoverCheckTimeout: 5_000 })).toMatch(/^INVALID_INPUT: cutoverCheckTimeout was renamed cutoverCheckTimeoutMs/);
  });
});

describe('createCloudFrontProxy input checks', () => {
  it('rejects bad settings and requests with INVALID_INPUT before any AWS call', async () => {
    const invalid = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        return SslClickError.isInstance(error) ? error.code : 'other';
      }
      return undefined;
    };
    const { createCloudFrontProxy } = await import('../src/index.js');
    expect(invalid(() => createCloudFrontProxy({ certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }))).toBe('INVALID_INPUT');
    expect(invalid(() => createCloudFrontProxy({ endpoints: { cloudfront: 'not a url' } }))).toBe('INVALID_INPUT');
    expect(invalid(() => createCloudFrontProxy({ originProtocol: 'ftp' as 'http' }))).toBe('INVALID_INPUT');
    expect(invalid(() => createCloudFrontProxy({ tags: { 'managed-by': 'me' } }))).toBe('INVALID_INPUT');
    const adapter = createCloudFrontProxy({ endpoints: { cloudfront: 'http://127.0.0.1:9', acm: 'http://127.0.0.1:9', route53: 'http://127.0.0.1:9' }, credentials: { ...AWS_TEST_CREDENTIALS }, verification: {} });
    for (const hostname of ['', 'example.com', '*.example.com', 'https://url1.example.com/', '127.0.0.1']) {
      const error = await adapter.apply({ hostname }).catch((caught: unknown) => caught);
      expect(SslClickError.isInstance(error) && error.code).toBe('INVALID_INPUT');
    }
    expect(await adapter.apply({ hostname: 'url1.example.com', origin: 'not a host' }).catch((caught: unknown) => (caught as SslClickError).code)).toBe('INVALID_INPUT');
  });
});
