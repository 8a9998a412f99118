/**
 * Issue 16: CloudFront, ACM and Route 53 (or a gateway in front of them) quoting the request's
 * credentials back in their errors. Each fake answers 401/403/400/500 with the access key id and
 * session token in every field of its error format (REST-XML Type, Code, Message, RequestId; JSON
 * 1.1 `__type` and message), at each request of each operation in turn; every error thrown,
 * progress event sent and status returned is walked in depth for the canaries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoSweepRecord, recordingRunOptions, secretsInSweep, sweepEchoFaults } from '@sslclick/core/testing';
import { createRoute53Dns } from '../src/index.js';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

// Not in the AKIA… shape on purpose: only registration can catch them, not a credential pattern.
const canary = {
  accessKeyId: 'CANARYKEYID7F3B9E21A4',
  secretAccessKey: 'canary-aws-secret-5c1e9a7b3d2f8e6a4c0b',
  sessionToken: 'canary-aws-session-token-9e8d7c6b5a4f3e2d1c',
};
const secrets = Object.values(canary);
const statuses = [401, 403, 400, 500] as const;
const oneAttempt = { maxAttempts: 1, minDelay: 1, maxDelay: 1 };
let world: CloudFrontWorld;

beforeAll(async () => {
  world = await startCloudFrontWorld({ deployDelayMs: 30, certificateIssueDelayMs: 20, changePropagationDelayMs: 10 });
  world.aws.addHostedZone('echo.example');
});

afterAll(async () => {
  await world?.close();
});

describe('AWS APIs that quote the credentials back in their errors', () => {
  it('the fakes really quote them, in the SDK error as it comes', async () => {
    world.aws.injectFault('acm', { kind: 'echo-credential', status: 403 });
    const response = await fetch(world.aws.endpoints.acm, {
      method: 'POST',
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${canary.accessKeyId}/20260101/us-east-1/acm/aws4_request, SignedHeaders=host, Signature=00`, 'x-amz-security-token': canary.sessionToken, 'x-amz-target': 'CertificateManager.ListCertificates' },
      body: '{}',
    });
    const body = (await response.json()) as Record<string, string>;
    expect(response.status).toBe(403);
    expect(body.__type).toBe(`AccessDeniedException:${canary.accessKeyId} ${canary.sessionToken}`);
    expect(body.message).toContain(canary.sessionToken);
  });

  it('createCloudFrontProxy with Route 53: plan, apply, status and destroy never show them, at any depth', async () => {
    const hostname = prepareBrandedHost(world, 'echo.example');
    const adapter = createTestAdapter(world, { credentials: { ...canary }, retry: oneAttempt });
    const record = createEchoSweepRecord();
    const run = recordingRunOptions(record);
    for (const operation of [() => adapter.plan({ hostname }), () => adapter.apply({ hostname }, run), () => adapter.status({ hostname }, run), () => adapter.destroy({ hostname }, run)]) {
      for (const service of ['cloudfront', 'acm', 'route53'] as const) {
        await sweepEchoFaults({ server: world.aws.servers[service], operation, statuses, record });
      }
    }
    expect(record.thrown.length).toBeGreaterThan(10);
    expect(record.events.length).toBeGreaterThan(0);
    expect(secretsInSweep(record, secrets)).toEqual([]);
    // What helps a person stays: the AWS exception name, our code, the HTTP status.
    const denied = record.thrown.find((error) => (error as { httpStatus?: number }).httpStatus === 403) as Error & { code: string; cause: { name: string; Code?: string } };
    expect(denied.code).toBe('PERMISSION');
    expect(denied.cause.name).toMatch(/^AccessDenied(Exception)?$/);
    expect(denied.message).toContain('Refused: [redacted]');
  }, 30_000);

  it('createRoute53Dns: findZone, getRecords, upsertCname and deleteCname never show them', async () => {
    const name = `r53.echo.example`;
    world.dns.zone.setRecord({ name, type: 'CNAME', value: 'sendgrid.net' });
    const dns = createRoute53Dns({ endpoint: world.aws.endpoints.route53, credentials: { ...canary }, retry: oneAttempt });
    const record = createEchoSweepRecord();
    const target = 'd111111abcdef8.cloudfront.net';
    for (const operation of [
      () => dns.findZone(name),
      () => dns.getRecords(name, undefined, recordingRunOptions(record)),
      () => dns.upsertCname(name, target, { replaceable: ['sendgrid.net'], ...recordingRunOptions(record) }),
      () => dns.deleteCname(name, target, recordingRunOptions(record)),
    ]) {
      await sweepEchoFaults({ server: world.aws.servers.route53, operation, statuses, record });
    }
    expect(record.thrown.length).toBeGreaterThan(3);
    expect(secretsInSweep(record, secrets)).toEqual([]);
  });
});
