/**
 * Fidelity of the AWS fakes: one test per behaviour the CloudFront adapter and createRoute53Dns rely on,
 * asserted on the wire (status, headers, body as AWS sends them), each citing its evidence. The
 * official SDK clients are run against the same fakes in packages/cloudfront/test/aws-fakes.test.ts.
 */
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox.js';
import type { Sandbox } from '../sandbox.js';
import { AWS_DENIED_CREDENTIALS, AWS_TEST_CREDENTIALS, startAwsApi } from './aws-api.js';
import type { AwsApi } from './aws-api.js';
import { buildXml, cloudFrontNamespace, route53Namespace } from './aws-wire.js';
import { minimalDistributionConfig } from './cloudfront-api.js';

const distributionId = /^E[A-Z0-9]{13}$/;
const etag = /^E[A-Z0-9]{12,13}$/;
const acmArn = /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sandbox: Sandbox;
let aws: AwsApi;
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });

beforeAll(async () => {
  sandbox = await startSandbox();
  aws = await startAwsApi(sandbox, { deployDelayMs: 200, certificateIssueDelayMs: 50, changePropagationDelayMs: 100 });
});

afterAll(async () => {
  await aws?.close();
  await sandbox?.close();
});

type Service = 'cloudfront' | 'acm' | 'route53';

function authorization(service: Service, accessKeyId = AWS_TEST_CREDENTIALS.accessKeyId): string {
  // The fakes read the access key id from the SigV4 header; the signature is not checked.
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20261202/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
}

interface WireAnswer {
  status: number;
  headers: Headers;
  text: string;
  xml: Record<string, any>;
}

async function rest(service: 'cloudfront' | 'route53', method: string, path: string, options: { body?: string; headers?: Record<string, string>; accessKeyId?: string } = {}): Promise<WireAnswer> {
  const response = await fetch(`${aws.endpoints[service]}${path}`, {
    method,
    headers: { authorization: authorization(service, options.accessKeyId), 'x-amz-date': '20261202T000000Z', ...(options.body ? { 'content-type': 'application/xml' } : {}), ...options.headers },
    ...(options.body ? { body: options.body } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, xml: text === '' ? {} : (parser.parse(text) as Record<string, any>) };
}

async function acm(operation: string, body: Record<string, unknown>, accessKeyId?: string): Promise<{ status: number; headers: Headers; json: Record<string, any> }> {
  const response = await fetch(`${aws.endpoints.acm}/`, {
    method: 'POST',
    headers: {
      authorization: authorization('acm', accessKeyId),
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `CertificateManager.${operation}`,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, any> };
}

function distributionBody(options: Parameters<typeof minimalDistributionConfig>[0]): string {
  return buildXml('DistributionConfigWithTags', cloudFrontNamespace, {
    DistributionConfig: minimalDistributionConfig(options),
    Tags: { Items: { Tag: [{ Key: 'managed-by', Value: 'sslclick' }] } },
  });
}

async function createDistribution(options: Parameters<typeof minimalDistributionConfig>[0] = { aliases: [] }): Promise<WireAnswer> {
  return rest('cloudfront', 'POST', '/2020-05-31/distribution?WithTags', { body: distributionBody(options) });
}

async function issuedCertificate(hostname: string): Promise<string> {
  const requested = await acm('RequestCertificate', { DomainName: hostname, ValidationMethod: 'DNS', IdempotencyToken: hostname.replace(/\W/g, '').slice(0, 32) });
  const arn = requested.json.CertificateArn as string;
  const record = (await acm('DescribeCertificate', { CertificateArn: arn })).json.Certificate.DomainValidationOptions[0].ResourceRecord;
  sandbox.dns.zone.setRecord({ name: record.Name, type: 'CNAME', value: record.Value });
  await acm('DescribeCertificate', { CertificateArn: arn });
  sandbox.clock.advance(100);
  expect((await acm('DescribeCertificate', { CertificateArn: arn })).json.Certificate.Status).toBe('ISSUED');
  return arn;
}

describe('CloudFront (REST-XML, 2020-05-31)', () => {
  it('CreateDistributionWithTags: 201, Location and ETag headers, Id E + 13, InProgress, d….cloudfront.net, ARN', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistributionWithTags.html
    // (201, Location and ETag headers; Distribution.Id/ARN/Status/DomainName), and the ids in
    // @aws-sdk/client-cloudfront dist-types/commands/*.d.ts examples ("E1F83G8C2ARO7P", ETag "E2QWRUHAPOMQZL").
    const created = await createDistribution();
    expect(created.status).toBe(201);
    const distribution = created.xml.Distribution;
    expect(distribution['@_xmlns']).toBe(cloudFrontNamespace);
    expect(distribution.Id).toMatch(distributionId);
    expect(distribution.ARN).toBe(`arn:aws:cloudfront::123456789012:distribution/${distribution.Id}`);
    expect(distribution.Status).toBe('InProgress');
    expect(distribution.DomainName).toMatch(/^d[a-z0-9]{13}\.cloudfront\.net$/);
    expect(created.headers.get('etag')).toMatch(etag);
    expect(created.headers.get('location')).toBe(`https://cloudfront.amazonaws.com/2020-05-31/distribution/${distribution.Id}`);
    expect(created.headers.get('x-amzn-requestid')).toMatch(uuid);
  });

  it('GetDistribution: ETag header; Status moves from InProgress to Deployed on its own', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistribution.html;
    // the SDK waiter waitUntilDistributionDeployed (@aws-sdk/client-cloudfront dist-cjs, polls
    // GetDistribution until Distribution.Status === "Deployed"), which the adapter's wait mirrors.
    const id = (await createDistribution()).xml.Distribution.Id as string;
    const first = await rest('cloudfront', 'GET', `/2020-05-31/distribution/${id}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toMatch(etag);
    expect(first.xml.Distribution.Status).toBe('InProgress');
    sandbox.clock.advance(300);
    expect((await rest('cloudfront', 'GET', `/2020-05-31/distribution/${id}`)).xml.Distribution.Status).toBe('Deployed');
  });

  it('UpdateDistribution: If-Match missing is 400 InvalidIfMatchVersion, stale is 412 PreconditionFailed, a match gets a new ETag', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistribution.html
    // (errors InvalidIfMatchVersion 400, PreconditionFailed 412; "the ETag ... from GetDistributionConfig").
    const id = (await createDistribution()).xml.Distribution.Id as string;
    const current = await rest('cloudfront', 'GET', `/2020-05-31/distribution/${id}/config`);
    const body = buildXml('DistributionConfig', cloudFrontNamespace, current.xml.DistributionConfig);
    const missing = await rest('cloudfront', 'PUT', `/2020-05-31/distribution/${id}/config`, { body });
    expect([missing.status, missing.xml.ErrorResponse?.Error?.Code]).toEqual([400, 'InvalidIfMatchVersion']);
    const stale = await rest('cloudfront', 'PUT', `/2020-05-31/distribution/${id}/config`, { body, headers: { 'if-match': 'E0000000000000' } });
    expect([stale.status, stale.xml.ErrorResponse?.Error?.Code]).toEqual([412, 'PreconditionFailed']);
    const updated = await rest('cloudfront', 'PUT', `/2020-05-31/distribution/${id}/config`, { body, headers: { 'if-match': current.headers.get('etag') ?? '' } });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toMatch(etag);
    expect(updated.headers.get('etag')).not.toBe(current.headers.get('etag'));
  });

  it('an alias held by another distribution is 409 CNAMEAlreadyExists', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistributionWithTags.html
    // (CNAMEAlreadyExists, HTTP 409); the adapter's conflict and adopt paths key on the name.
    const hostname = 'url1.fidelity.example';
    const arn = await issuedCertificate(hostname);
    expect((await createDistribution({ aliases: [hostname], certificateArn: arn })).status).toBe(201);
    const again = await createDistribution({ aliases: [hostname], certificateArn: arn });
    expect(again.status).toBe(409);
    expect(again.xml.ErrorResponse.Error).toMatchObject({ Type: 'Sender', Code: 'CNAMEAlreadyExists' });
  });

  it('a reused CallerReference is 409 DistributionAlreadyExists, whatever the config', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistributionWithTags.html
    // (DistributionAlreadyExists 409: "The caller reference you attempted to create the distribution
    // with is associated with another distribution"); so the adapter finds its own by alias and tags.
    const config = minimalDistributionConfig({ aliases: [] });
    const body = buildXml('DistributionConfigWithTags', cloudFrontNamespace, { DistributionConfig: config, Tags: { Items: { Tag: [] } } });
    expect((await rest('cloudfront', 'POST', '/2020-05-31/distribution?WithTags', { body })).status).toBe(201);
    const reused = buildXml('DistributionConfigWithTags', cloudFrontNamespace, { DistributionConfig: { ...config, Comment: 'another config' }, Tags: { Items: { Tag: [] } } });
    const again = await rest('cloudfront', 'POST', '/2020-05-31/distribution?WithTags', { body: reused });
    expect([again.status, again.xml.ErrorResponse?.Error?.Code]).toEqual([409, 'DistributionAlreadyExists']);
  });

  it('errors are <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>: 404 NoSuchDistribution', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/CommonErrors.html and
    // API_GetDistribution.html (NoSuchDistribution 404); @aws-sdk/core
    // dist-cjs/submodules/protocols/index.js loadRestXmlErrorCode reads Error.Code for the exception name.
    const missing = await rest('cloudfront', 'GET', '/2020-05-31/distribution/E000000000000X');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/xml');
    expect(missing.xml.ErrorResponse['@_xmlns']).toBe(cloudFrontNamespace);
    expect(missing.xml.ErrorResponse.Error).toEqual({ Type: 'Sender', Code: 'NoSuchDistribution', Message: expect.any(String) });
    expect(missing.xml.ErrorResponse.RequestId).toMatch(uuid);
  });

  it('DeleteDistribution of an enabled or undeployed distribution is 409 DistributionNotDisabled', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DeleteDistribution.html
    // ("disable it ... wait until Status is Deployed"; DistributionNotDisabled 409).
    const created = await createDistribution();
    const id = created.xml.Distribution.Id as string;
    const early = await rest('cloudfront', 'DELETE', `/2020-05-31/distribution/${id}`, { headers: { 'if-match': created.headers.get('etag') ?? '' } });
    expect([early.status, early.xml.ErrorResponse?.Error?.Code]).toEqual([409, 'DistributionNotDisabled']);
  });

  it('ListDistributions pages with Marker / NextMarker / IsTruncated', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListDistributions.html
    // (DistributionList: Marker, NextMarker, MaxItems, IsTruncated, Quantity, Items/DistributionSummary).
    for (let index = 0; index < 3; index += 1) await createDistribution();
    const first = await rest('cloudfront', 'GET', '/2020-05-31/distribution?MaxItems=2');
    expect(first.xml.DistributionList).toMatchObject({ IsTruncated: 'true', MaxItems: '2', Quantity: '2' });
    const second = await rest('cloudfront', 'GET', `/2020-05-31/distribution?MaxItems=2&Marker=${first.xml.DistributionList.NextMarker}`);
    const ids = [first, second].flatMap((page) => [page.xml.DistributionList.Items?.DistributionSummary ?? []].flat().map((summary: { Id: string }) => summary.Id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => distributionId.test(id))).toBe(true);
  });

  it('ListTagsForResource by distribution ARN returns the tags set at creation', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListTagsForResource.html
    // (GET /2020-05-31/tagging?Resource=<ARN>, Tags/Items/Tag); the adapter finds what it owns by tag.
    const arn = (await createDistribution()).xml.Distribution.ARN as string;
    const tags = await rest('cloudfront', 'GET', `/2020-05-31/tagging?Resource=${encodeURIComponent(arn)}`);
    expect(tags.status).toBe(200);
    expect(tags.xml.Tags.Items.Tag).toEqual({ Key: 'managed-by', Value: 'sslclick' });
  });

  it('a tag value may hold an ACM certificate ARN, kept as sent', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Tag.html (Value: 0-256
    // characters, pattern ([\p{L}\p{Z}\p{N}_.:/=+\-@]*), so `arn:aws:acm:…:certificate/<uuid>` fits);
    // sslclick's distribution names its own certificate in the tag `sslclick:certificate`.
    const arn = (await createDistribution()).xml.Distribution.ARN as string;
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    const body = buildXml('Tags', cloudFrontNamespace, { Items: { Tag: [{ Key: 'sslclick:certificate', Value: certificateArn }] } });
    expect((await rest('cloudfront', 'POST', `/2020-05-31/tagging?Operation=Tag&Resource=${encodeURIComponent(arn)}`, { body })).status).toBe(204);
    const tags = await rest('cloudfront', 'GET', `/2020-05-31/tagging?Resource=${encodeURIComponent(arn)}`);
    expect(tags.xml.Tags.Items.Tag).toContainEqual({ Key: 'sslclick:certificate', Value: certificateArn });
  });

  it('TagResource (POST /tagging?Operation=Tag) answers 204 and the tags show in ListTagsForResource', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_TagResource.html
    // (POST /2020-05-31/tagging?Operation=Tag&Resource=<ARN>, 204 with no body); adopt tags a distribution.
    const arn = (await createDistribution()).xml.Distribution.ARN as string;
    const body = buildXml('Tags', cloudFrontNamespace, { Items: { Tag: [{ Key: 'sslclick:hostname', Value: 'url9.fidelity.example' }] } });
    const tagged = await rest('cloudfront', 'POST', `/2020-05-31/tagging?Operation=Tag&Resource=${encodeURIComponent(arn)}`, { body });
    expect([tagged.status, tagged.text]).toEqual([204, '']);
    const tags = await rest('cloudfront', 'GET', `/2020-05-31/tagging?Resource=${encodeURIComponent(arn)}`);
    expect(tags.xml.Tags.Items.Tag).toContainEqual({ Key: 'sslclick:hostname', Value: 'url9.fidelity.example' });
  });

  it('DeleteDistribution of a disabled, deployed distribution with its current ETag answers 204', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DeleteDistribution.html
    // (204 No Content; If-Match = the ETag from disabling it); then GetDistribution is 404 NoSuchDistribution.
    const id = (await createDistribution()).xml.Distribution.Id as string;
    const current = await rest('cloudfront', 'GET', `/2020-05-31/distribution/${id}/config`);
    const disabled = buildXml('DistributionConfig', cloudFrontNamespace, { ...current.xml.DistributionConfig, Enabled: 'false' });
    const updated = await rest('cloudfront', 'PUT', `/2020-05-31/distribution/${id}/config`, { body: disabled, headers: { 'if-match': current.headers.get('etag') ?? '' } });
    sandbox.clock.advance(300);
    const deployed = await rest('cloudfront', 'GET', `/2020-05-31/distribution/${id}`);
    expect(deployed.xml.Distribution.Status).toBe('Deployed');
    expect(deployed.headers.get('etag')).toBe(updated.headers.get('etag'));
    const deleted = await rest('cloudfront', 'DELETE', `/2020-05-31/distribution/${id}`, { headers: { 'if-match': deployed.headers.get('etag') ?? '' } });
    expect(deleted.status).toBe(204);
    expect((await rest('cloudfront', 'GET', `/2020-05-31/distribution/${id}`)).status).toBe(404);
  });

  it('a caller without the IAM permission gets 403 AccessDenied naming the action', async () => {
    // Evidence: https://docs.aws.amazon.com/cloudfront/latest/APIReference/CommonErrors.html
    // (AccessDenied 403); the adapter turns it into PERMISSION naming the IAM action.
    const denied = await rest('cloudfront', 'GET', '/2020-05-31/distribution', { accessKeyId: AWS_DENIED_CREDENTIALS.accessKeyId });
    expect(denied.status).toBe(403);
    expect(denied.xml.ErrorResponse.Error.Code).toBe('AccessDenied');
    expect(denied.xml.ErrorResponse.Error.Message).toContain('cloudfront:ListDistributions');
  });
});

describe('ACM (JSON 1.1, CertificateManager.*)', () => {
  it('RequestCertificate: an us-east-1 ARN ending in a UUID; the same IdempotencyToken returns the same ARN', async () => {
    // Evidence: https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html
    // (CertificateArn "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
    // IdempotencyToken: the same token within one hour returns the same certificate).
    const first = await acm('RequestCertificate', { DomainName: 'url2.fidelity.example', ValidationMethod: 'DNS', IdempotencyToken: 'url2fidelity' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(first.json.CertificateArn).toMatch(acmArn);
    const again = await acm('RequestCertificate', { DomainName: 'url2.fidelity.example', ValidationMethod: 'DNS', IdempotencyToken: 'url2fidelity' });
    expect(again.json.CertificateArn).toBe(first.json.CertificateArn);
  });

  it('DescribeCertificate: a CNAME ResourceRecord to publish; PENDING_VALIDATION until it resolves, then ISSUED', async () => {
    // Evidence: https://docs.aws.amazon.com/acm/latest/APIReference/API_DescribeCertificate.html,
    // API_DomainValidation.html and API_ResourceRecord.html (Name, Type CNAME, Value); the SDK
    // waiter waitUntilCertificateValidated (@aws-sdk/client-acm dist-cjs) waits for SUCCESS.
    const arn = (await acm('RequestCertificate', { DomainName: 'url3.fidelity.example', ValidationMethod: 'DNS', IdempotencyToken: 'url3fidelityexample' })).json.CertificateArn as string;
    const pending = (await acm('DescribeCertificate', { CertificateArn: arn })).json.Certificate;
    expect(pending.Status).toBe('PENDING_VALIDATION');
    expect(pending.DomainValidationOptions[0]).toMatchObject({ DomainName: 'url3.fidelity.example', ValidationMethod: 'DNS', ValidationStatus: 'PENDING_VALIDATION' });
    expect(pending.DomainValidationOptions[0].ResourceRecord).toMatchObject({ Type: 'CNAME', Name: expect.stringMatching(/^_[0-9a-f]+\.url3\.fidelity\.example\.$/) });
    expect(await issuedCertificate('url3.fidelity.example')).toBe(arn);
    const issued = (await acm('DescribeCertificate', { CertificateArn: arn })).json.Certificate;
    expect(issued.DomainValidationOptions[0].ValidationStatus).toBe('SUCCESS');
    expect(typeof issued.NotAfter).toBe('number');
  });

  it('errors are HTTP 400 {"__type", "message"} in application/x-amz-json-1.1: ResourceNotFoundException', async () => {
    // Evidence: https://docs.aws.amazon.com/acm/latest/APIReference/API_DescribeCertificate.html
    // (ResourceNotFoundException, HTTP 400) and CommonErrors.html; @aws-sdk/core protocols
    // loadRestJsonErrorCode reads "__type" (the part after '#') for the exception name.
    const missing = await acm('DescribeCertificate', { CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(missing.json).toEqual({ __type: 'ResourceNotFoundException', message: expect.any(String) });
  });

  it('DeleteCertificate of a certificate a distribution uses is ResourceInUseException', async () => {
    // Evidence: https://docs.aws.amazon.com/acm/latest/APIReference/API_DeleteCertificate.html
    // ("You cannot delete an ACM certificate that is being used by another AWS service";
    // ResourceInUseException); the adapter leaves such a certificate in place.
    const hostname = 'url4.fidelity.example';
    const arn = await issuedCertificate(hostname);
    await createDistribution({ aliases: [hostname], certificateArn: arn });
    const refused = await acm('DeleteCertificate', { CertificateArn: arn });
    expect([refused.status, refused.json.__type]).toEqual([400, 'ResourceInUseException']);
  });

  it('ListCertificates and ListTagsForCertificate find the certificates sslclick requested by tag', async () => {
    // Evidence: https://docs.aws.amazon.com/acm/latest/APIReference/API_ListCertificates.html
    // (CertificateSummaryList[].CertificateArn, DomainName, Status) and API_ListTagsForCertificate.html.
    const arn = (await acm('RequestCertificate', { DomainName: 'url5.fidelity.example', ValidationMethod: 'DNS', Tags: [{ Key: 'managed-by', Value: 'sslclick' }] })).json.CertificateArn as string;
    const listed = await acm('ListCertificates', {});
    expect(listed.json.CertificateSummaryList).toContainEqual(expect.objectContaining({ CertificateArn: arn, DomainName: 'url5.fidelity.example', Status: 'PENDING_VALIDATION' }));
    expect((await acm('ListTagsForCertificate', { CertificateArn: arn })).json.Tags).toEqual([{ Key: 'managed-by', Value: 'sslclick' }]);
  });
});

describe('Route 53 (REST-XML, 2013-04-01)', () => {
  it('ListHostedZonesByName: Id "/hostedzone/Z…", Name with the trailing dot', async () => {
    // Evidence: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html
    // (HostedZones/HostedZone/Id "/hostedzone/Z…"; Name fully qualified); @aws-sdk/middleware-sdk-route53
    // strips "/hostedzone/" from ids the client sends.
    const zone = aws.addHostedZone('zones.fidelity.example');
    expect(zone.id).toMatch(/^Z[A-Z0-9]{12,31}$/);
    const listed = await rest('route53', 'GET', '/2013-04-01/hostedzonesbyname?dnsname=zones.fidelity.example&maxitems=1');
    expect(listed.status).toBe(200);
    expect(listed.xml.ListHostedZonesByNameResponse.HostedZones.HostedZone).toMatchObject({ Id: `/hostedzone/${zone.id}`, Name: 'zones.fidelity.example.' });
  });

  it('GetHostedZone: the zone by id, with its name fully qualified', async () => {
    // Evidence: https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html
    // (GET /2013-04-01/hostedzone/{Id}; HostedZone Id, Name, Config); createRoute53Dns checks a given
    // hostedZoneId holds the name this way.
    const zone = aws.addHostedZone('byid.fidelity.example');
    const answer = await rest('route53', 'GET', `/2013-04-01/hostedzone/${zone.id}`);
    expect(answer.status).toBe(200);
    expect(answer.xml.GetHostedZoneResponse.HostedZone).toMatchObject({ Id: `/hostedzone/${zone.id}`, Name: 'byid.fidelity.example.' });
  });

  it('ChangeResourceRecordSets: ChangeInfo Id "/change/C…" PENDING, then GetChange INSYNC', async () => {
    // Evidence: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
    // (ChangeInfo Id "/change/C2682N5HXP0BZ4" in its examples, Status PENDING|INSYNC) and API_GetChange.html.
    const zone = aws.addHostedZone('change.fidelity.example');
    const body = buildXml('ChangeResourceRecordSetsRequest', route53Namespace, {
      ChangeBatch: { Changes: { Change: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'url6.change.fidelity.example', Type: 'CNAME', TTL: '300', ResourceRecords: { ResourceRecord: [{ Value: 'd123.cloudfront.net' }] } } }] } },
    });
    const changed = await rest('route53', 'POST', `/2013-04-01/hostedzone/${zone.id}/rrset`, { body });
    expect(changed.status).toBe(200);
    const info = changed.xml.ChangeResourceRecordSetsResponse.ChangeInfo;
    expect(info.Id).toMatch(/^\/change\/C[A-Z0-9]{13}$/);
    expect(info.Status).toBe('PENDING');
    sandbox.clock.advance(200);
    expect((await rest('route53', 'GET', `/2013-04-01${info.Id}`)).xml.GetChangeResponse.ChangeInfo.Status).toBe('INSYNC');
  });

  it('ListResourceRecordSets from a name: its sets first, names and CNAME values fully qualified', async () => {
    // Evidence: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html
    // ("sorted by name ... starting at StartRecordName"); createRoute53Dns reads a name's sets this way.
    const zone = aws.addHostedZone('list.fidelity.example');
    sandbox.dns.zone.setRecord({ name: 'url7.list.fidelity.example', type: 'CNAME', value: 'sendgrid.net' });
    const listed = await rest('route53', 'GET', `/2013-04-01/hostedzone/${zone.id}/rrset?name=url7.list.fidelity.example&maxitems=5`);
    const sets = [listed.xml.ListResourceRecordSetsResponse.ResourceRecordSets.ResourceRecordSet].flat();
    expect(sets[0]).toMatchObject({ Name: 'url7.list.fidelity.example.', Type: 'CNAME', ResourceRecords: { ResourceRecord: { Value: 'sendgrid.net.' } } });
  });

  it('a refused change batch is 400 with root <InvalidChangeBatch><Messages><Message>, not <ErrorResponse>', async () => {
    // Evidence: aws/aws-sdk-go service/route53/unmarshal_error.go (invalidChangeBatchXMLErrorResponse:
    // XMLName "InvalidChangeBatch", Messages>Message) and API_ChangeResourceRecordSets.html
    // (InvalidChangeBatch, HTTP 400). The JS SDK names this body "Unknown"; the adapter reads its Messages.
    const zone = aws.addHostedZone('refuse.fidelity.example');
    const body = buildXml('ChangeResourceRecordSetsRequest', route53Namespace, {
      ChangeBatch: { Changes: { Change: [{ Action: 'DELETE', ResourceRecordSet: { Name: 'url8.refuse.fidelity.example', Type: 'CNAME', TTL: '300', ResourceRecords: { ResourceRecord: [{ Value: 'd1.cloudfront.net' }] } } }] } },
    });
    const refused = await rest('route53', 'POST', `/2013-04-01/hostedzone/${zone.id}/rrset`, { body });
    expect(refused.status).toBe(400);
    expect(refused.xml.ErrorResponse).toBeUndefined();
    expect(refused.xml.InvalidChangeBatch['@_xmlns']).toBe(route53Namespace);
    expect(refused.xml.InvalidChangeBatch.Messages.Message).toBe("Tried to delete resource record set [name='url8.refuse.fidelity.example.', type='CNAME'] but it was not found");
    expect(refused.xml.InvalidChangeBatch.RequestId).toMatch(uuid);
  });

  it('an unknown zone is 404 NoSuchHostedZone in <ErrorResponse>', async () => {
    // Evidence: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html
    // (NoSuchHostedZone, HTTP 404) and aws/aws-sdk-go service/route53/unmarshal_error.go (standard
    // errors: ErrorResponse>Error>Code).
    const missing = await rest('route53', 'GET', '/2013-04-01/hostedzone/Z0000000000000000000/rrset');
    expect(missing.status).toBe(404);
    expect(missing.xml.ErrorResponse.Error).toMatchObject({ Type: 'Sender', Code: 'NoSuchHostedZone' });
  });
});
