import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  CloudFrontClient,
  CreateDistributionWithTagsCommand,
  DeleteDistributionCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { ChangeResourceRecordSetsCommand, ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AWS_DENIED_CREDENTIALS, AWS_TEST_CREDENTIALS, startAwsApi, startSandbox, type AwsApi, type Sandbox } from '@sslclick/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsErrorNameOf, translateAwsError } from '../src/aws-errors.js';

describe('the sandbox AWS fakes, through the official SDK clients', () => {
  let sandbox: Sandbox;
  let aws: AwsApi;
  let cloudFront: CloudFrontClient;
  let acm: ACMClient;
  let route53: Route53Client;

  beforeAll(async () => {
    sandbox = await startSandbox();
    aws = await startAwsApi(sandbox, { deployDelayMs: 200, certificateIssueDelayMs: 50 });
    const common = { region: 'us-east-1', credentials: AWS_TEST_CREDENTIALS, maxAttempts: 1 };
    cloudFront = new CloudFrontClient({ ...common, endpoint: aws.endpoints.cloudfront });
    acm = new ACMClient({ ...common, endpoint: aws.endpoints.acm });
    route53 = new Route53Client({ ...common, endpoint: aws.endpoints.route53 });
  });

  afterAll(async () => {
    await aws?.close();
    await sandbox?.close();
  });

  async function issuedCertificate(hostname: string): Promise<string> {
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: hostname, ValidationMethod: 'DNS', IdempotencyToken: 'token1' }));
    const described = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    const record = described.Certificate?.DomainValidationOptions?.[0]?.ResourceRecord;
    expect(described.Certificate?.Status).toBe('PENDING_VALIDATION');
    expect(record?.Type).toBe('CNAME');
    sandbox.dns.zone.setRecord({ name: record?.Name ?? '', type: 'CNAME', value: record?.Value ?? '' });
    await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    sandbox.clock.advance(100);
    const issued = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    expect(issued.Certificate?.Status).toBe('ISSUED');
    expect(issued.Certificate?.NotAfter).toBeInstanceOf(Date);
    return CertificateArn ?? '';
  }

  function config(hostname: string, certificateArn: string): DistributionConfig {
    return {
      CallerReference: `${hostname}-1`,
      Comment: 'test',
      Enabled: true,
      Aliases: { Quantity: 1, Items: [hostname] },
      Origins: {
        Quantity: 1,
        Items: [{ Id: 'sendgrid', DomainName: 'sendgrid.net', CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only', OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] } } }],
      },
      DefaultCacheBehavior: {
        TargetOriginId: 'sendgrid',
        ViewerProtocolPolicy: 'allow-all',
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        OriginRequestPolicyId: '216adef6-5c7f-47e4-b989-5492eafa07d3',
        AllowedMethods: { Quantity: 2, Items: ['GET', 'HEAD'], CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] } },
      },
      ViewerCertificate: { ACMCertificateArn: certificateArn, SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
    };
  }

  it('issues an ACM certificate once its validation CNAME is in sandbox DNS', async () => {
    const arn = await issuedCertificate('url1.fakes.example');
    const listed = await acm.send(new ListCertificatesCommand({}));
    expect(listed.CertificateSummaryList?.map((summary) => summary.CertificateArn)).toContain(arn);
    expect(aws.operationNames('acm')).toContain('RequestCertificate');
  });

  it('creates, lists, updates with If-Match and deletes a distribution', async () => {
    const hostname = 'url2.fakes.example';
    const arn = await issuedCertificate(hostname);
    const created = await cloudFront.send(
      new CreateDistributionWithTagsCommand({ DistributionConfigWithTags: { DistributionConfig: config(hostname, arn), Tags: { Items: [{ Key: 'managed-by', Value: 'sslclick' }] } } }),
    );
    const id = created.Distribution?.Id ?? '';
    expect(created.Distribution?.Status).toBe('InProgress');
    expect(created.Distribution?.DomainName).toMatch(/^d[a-z0-9]+\.cloudfront\.net$/);
    expect(created.ETag).toBeTruthy();
    expect(created.Distribution?.DistributionConfig?.Aliases?.Items).toEqual([hostname]);

    const duplicate = await cloudFront
      .send(new CreateDistributionWithTagsCommand({ DistributionConfigWithTags: { DistributionConfig: { ...config(hostname, arn), CallerReference: 'other' }, Tags: { Items: [] } } }))
      .catch((error: unknown) => error as { name: string; $metadata: { httpStatusCode: number } });
    expect(duplicate).toMatchObject({ name: 'CNAMEAlreadyExists', $metadata: { httpStatusCode: 409 } });

    const listed = await cloudFront.send(new ListDistributionsCommand({}));
    expect(listed.DistributionList?.Items?.find((item) => item.Id === id)?.Aliases?.Items).toEqual([hostname]);
    const tags = await cloudFront.send(new ListTagsForResourceCommand({ Resource: created.Distribution?.ARN }));
    expect(tags.Tags?.Items).toEqual([{ Key: 'managed-by', Value: 'sslclick' }]);

    const current = await cloudFront.send(new GetDistributionConfigCommand({ Id: id }));
    const stale = await cloudFront
      .send(new UpdateDistributionCommand({ Id: id, IfMatch: 'EWRONG', DistributionConfig: { ...current.DistributionConfig!, Enabled: false } }))
      .catch((error: unknown) => error as { name: string });
    expect(stale).toMatchObject({ name: 'PreconditionFailed' });
    const updated = await cloudFront.send(new UpdateDistributionCommand({ Id: id, IfMatch: current.ETag, DistributionConfig: { ...current.DistributionConfig!, Enabled: false } }));
    expect(updated.ETag).not.toBe(current.ETag);
    const early = await cloudFront.send(new DeleteDistributionCommand({ Id: id, IfMatch: updated.ETag })).catch((error: unknown) => error as { name: string });
    expect(early).toMatchObject({ name: 'DistributionNotDisabled' });
    sandbox.clock.advance(300);
    const deployed = await cloudFront.send(new GetDistributionCommand({ Id: id }));
    expect(deployed.Distribution?.Status).toBe('Deployed');
    await cloudFront.send(new DeleteDistributionCommand({ Id: id, IfMatch: deployed.ETag }));
    const gone = await cloudFront.send(new GetDistributionCommand({ Id: id })).catch((error: unknown) => error as { name: string });
    expect(gone).toMatchObject({ name: 'NoSuchDistribution' });
  });

  it('pages ListDistributions with Marker', async () => {
    for (let index = 0; index < 3; index += 1) await aws.addForeignDistribution({ alias: `page${index}.fakes.example` });
    const first = await cloudFront.send(new ListDistributionsCommand({ MaxItems: 2 }));
    expect(first.DistributionList?.IsTruncated).toBe(true);
    const second = await cloudFront.send(new ListDistributionsCommand({ MaxItems: 2, Marker: first.DistributionList?.NextMarker }));
    const ids = [...(first.DistributionList?.Items ?? []), ...(second.DistributionList?.Items ?? [])].map((item) => item.Id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(3);
  });

  it('serves Route 53 zones and record sets from sandbox DNS', async () => {
    const zone = aws.addHostedZone('zone.example');
    sandbox.dns.zone.setRecord({ name: 'url3.zone.example', type: 'CNAME', value: 'sendgrid.net' });
    const zones = await route53.send(new ListHostedZonesByNameCommand({ DNSName: 'zone.example', MaxItems: 1 }));
    expect(zones.HostedZones?.[0]?.Name).toBe('zone.example.');
    expect(zones.HostedZones?.[0]?.Id).toBe(`/hostedzone/${zone.id}`);
    const records = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, StartRecordName: 'url3.zone.example', StartRecordType: 'CNAME', MaxItems: 1 }));
    expect(records.ResourceRecordSets?.[0]).toMatchObject({ Name: 'url3.zone.example.', Type: 'CNAME', ResourceRecords: [{ Value: 'sendgrid.net.' }] });
    const change = await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.id,
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'url3.zone.example', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'd123.cloudfront.net' }] } }] },
      }),
    );
    expect(change.ChangeInfo?.Status).toBe('PENDING');
    expect(sandbox.dns.zone.getRecords('url3.zone.example')).toMatchObject([{ type: 'CNAME', value: 'd123.cloudfront.net' }]);
    const invalid = await route53
      .send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone.id, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'url3.zone.example', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'x.example' }] } }] } }))
      .catch((error: unknown) => error);
    // Route 53 sends InvalidChangeBatch under its own root element, with no <Error><Code>; the JS
    // SDK therefore names it "Unknown" and keeps the messages (aws/aws-sdk-go
    // service/route53/unmarshal_error.go parses the same body). The adapter recognises this shape.
    expect(invalid).toMatchObject({ name: 'Unknown', $metadata: { httpStatusCode: 400 }, Messages: { Message: expect.stringContaining('already exists') } });
    expect(awsErrorNameOf(translateAwsError(invalid, { provider: 'cloudfront', operation: 'route53:ChangeResourceRecordSets' }))).toBe('InvalidChangeBatch');
  });

  it('refuses unsigned requests and denied keys as AWS does', async () => {
    const response = await fetch(`${aws.endpoints.cloudfront}/2020-05-31/distribution`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('MissingAuthenticationToken');
    const denied = new CloudFrontClient({ region: 'us-east-1', credentials: AWS_DENIED_CREDENTIALS, endpoint: aws.endpoints.cloudfront, maxAttempts: 1 });
    const error = (await denied.send(new ListDistributionsCommand({})).catch((caught: unknown) => caught)) as { name: string; message: string };
    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(error.message).toContain('cloudfront:ListDistributions');
    const deniedAcm = new ACMClient({ region: 'us-east-1', credentials: AWS_DENIED_CREDENTIALS, endpoint: aws.endpoints.acm, maxAttempts: 1 });
    expect(await deniedAcm.send(new ListCertificatesCommand({})).catch((caught: unknown) => caught)).toMatchObject({ name: 'AccessDeniedException' });
  });
});
