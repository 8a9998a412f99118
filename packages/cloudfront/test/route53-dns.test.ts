import { SslClickError } from '@sslclick/core';
import { AWS_TEST_CREDENTIALS } from '@sslclick/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Route53Client } from '@aws-sdk/client-route-53';
import { createRoute53Dns } from '../src/index.js';
import { awsErrorNameOf } from '../src/aws-errors.js';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

describe('createRoute53Dns', () => {
  let world: CloudFrontWorld;
  beforeAll(async () => {
    world = await startCloudFrontWorld();
    world.aws.addHostedZone('dns.example');
  });
  afterAll(async () => {
    await world?.close();
  });

  const dns = () => createRoute53Dns({ endpoint: world.aws.endpoints.route53, credentials: { ...AWS_TEST_CREDENTIALS }, retry: { minDelay: 5, maxDelay: 20 } });

  it('finds the zone, reads records and upserts a CNAME only over an expected value', async () => {
    world.dns.zone.setRecord({ name: 'a.dns.example', type: 'CNAME', value: 'sendgrid.net' });
    const provider = dns();
    expect(await provider.findZone('a.dns.example')).toMatchObject({ name: 'dns.example' });
    expect(await provider.findZone('a.nowhere.example')).toBeUndefined();
    expect(await provider.getRecords('a.dns.example', 'CNAME')).toMatchObject([{ name: 'a.dns.example', type: 'CNAME', value: 'sendgrid.net' }]);

    const conflict = await provider.upsertCname('a.dns.example', 'd1.cloudfront.net').catch((error: unknown) => error);
    expect(SslClickError.isInstance(conflict) && conflict.code).toBe('CONFLICT');
    expect(await provider.upsertCname('a.dns.example', 'd1.cloudfront.net', { replaceable: ['sendgrid.net'] })).toMatchObject({ changed: true });
    const writes = world.aws.writes('route53');
    expect(await provider.upsertCname('a.dns.example', 'd1.cloudfront.net')).toMatchObject({ changed: false });
    expect(world.aws.writes('route53')).toBe(writes);
    expect(world.dns.zone.getRecords('a.dns.example')).toMatchObject([{ value: 'd1.cloudfront.net' }]);

    world.dns.zone.setRecord({ name: 'b.dns.example', type: 'A', value: '192.0.2.1' });
    const blocked = await provider.upsertCname('b.dns.example', 'd1.cloudfront.net').catch((error: unknown) => error);
    expect(SslClickError.isInstance(blocked) && blocked.code).toBe('CONFLICT');
    expect(await provider.upsertCname('b.dns.example', 'd1.cloudfront.net', { adopt: true })).toMatchObject({ changed: true });
    expect(world.dns.zone.getRecords('b.dns.example')).toMatchObject([{ type: 'CNAME', value: 'd1.cloudfront.net' }]);

    expect(await provider.deleteCname('a.dns.example', 'other.example')).toEqual({ changed: false });
    expect(await provider.deleteCname('a.dns.example', 'd1.cloudfront.net')).toEqual({ changed: true });
    expect(await provider.deleteCname('a.dns.example', 'd1.cloudfront.net')).toEqual({ changed: false });
    expect(world.dns.zone.getRecords('a.dns.example')).toEqual([]);
  });

  it('works as the dns option of createCloudFrontProxy (DNS elsewhere than the auto-found zone)', async () => {
    const zone = world.aws.addHostedZone('plugged.example');
    const hostname = prepareBrandedHost(world, 'plugged.example');
    const adapter = createTestAdapter(world, {
      route53: false,
      dns: createRoute53Dns({ hostedZoneId: zone.id, endpoint: world.aws.endpoints.route53, credentials: { ...AWS_TEST_CREDENTIALS } }),
    });
    const status = await adapter.apply({ hostname });
    expect(status).toMatchObject({ ready: true, dns: { managed: true, pointsToCdn: true } });
    expect(world.dns.zone.getRecords(hostname)).toMatchObject([{ type: 'CNAME', value: status.edge.target }]);
  });

  it("deleteCname loses a race to another writer quietly: Route 53's InvalidChangeBatch body is recognised", async () => {
    world.dns.zone.setRecord({ name: 'race.dns.example', type: 'CNAME', value: 'd2.cloudfront.net' });
    const client = new Route53Client({ region: 'us-east-1', endpoint: world.aws.endpoints.route53, credentials: { ...AWS_TEST_CREDENTIALS }, maxAttempts: 1 });
    // Another writer moves the record between sslclick's read and its DELETE.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ChangeResourceRecordSetsCommand') world.dns.zone.setRecord({ name: 'race.dns.example', type: 'CNAME', value: 'elsewhere.example' });
        return next(args);
      },
      { step: 'initialize' },
    );
    expect(await createRoute53Dns({ client }).deleteCname('race.dns.example', 'd2.cloudfront.net')).toEqual({ changed: false });
    expect(world.dns.zone.getRecords('race.dns.example')).toMatchObject([{ type: 'CNAME', value: 'elsewhere.example' }]);
  });

  it('a refused change batch is CONFLICT quoting Route 53’s own message, not "UnknownError"', async () => {
    world.dns.zone.setRecord({ name: 'refused.dns.example', type: 'CNAME', value: 'sendgrid.net' });
    const client = new Route53Client({ region: 'us-east-1', endpoint: world.aws.endpoints.route53, credentials: { ...AWS_TEST_CREDENTIALS }, maxAttempts: 1 });
    // Another writer replaces the CNAME with an A record just before sslclick's UPSERT reaches Route 53.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ChangeResourceRecordSetsCommand') {
          world.dns.zone.deleteRecord('refused.dns.example');
          world.dns.zone.setRecord({ name: 'refused.dns.example', type: 'A', value: '192.0.2.7' });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const error = await createRoute53Dns({ client }).upsertCname('refused.dns.example', 'd3.cloudfront.net', { replaceable: ['sendgrid.net'] }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('CONFLICT');
    expect(awsErrorNameOf(error)).toBe('InvalidChangeBatch');
    expect((error as Error).message).toContain('conflicts with other records');
    expect((error as Error).message).not.toContain('UnknownError');
  });

  it('rejects a malformed hosted zone id', () => {
    expect(() => createRoute53Dns({ hostedZoneId: 'not-a-zone' })).toThrow(/hosted zone id/);
  });
});
