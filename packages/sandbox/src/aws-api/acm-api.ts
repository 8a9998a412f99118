import { randomUUID } from 'node:crypto';
import { normalizeDnsName } from '../dns-zone.js';
import type { VendorRequest, VendorResponse, VendorRouter } from '../vendor-api-server.js';
import { authorize, logged } from './aws-api-state.js';
import type { AwsApiState, CertificateState } from './aws-api-state.js';
import { childNode, childText, digest, jsonError, jsonResponse } from './aws-wire.js';

const oneHour = 3_600_000;
const certificateLifetime = 395 * 24 * oneHour;
const validationTimeout = 72 * oneHour;
const domainPattern = /^(\*\.)?(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const writeOperations = new Set(['RequestCertificate', 'DeleteCertificate', 'AddTagsToCertificate', 'RemoveTagsFromCertificate']);

/** Whether a certificate name (possibly a wildcard) covers a host name. */
export function certificateNameCovers(certificateName: string, hostname: string): boolean {
  if (certificateName === hostname) return true;
  if (!certificateName.startsWith('*.')) return false;
  const suffix = certificateName.slice(1);
  return hostname.endsWith(suffix) && !hostname.slice(0, -suffix.length).includes('.');
}

/** Every name of a certificate: the domain name and the alternative names. */
export function certificateNames(certificate: CertificateState): string[] {
  return [...new Set([certificate.domainName, ...certificate.subjectAlternativeNames])];
}

/**
 * The ARNs of the certificates some distribution or tenant uses, found in one pass: a page of
 * ListCertificates answers `InUse` for each of its (up to 1,000) certificates, and asking
 * `certificateUsers` for each scanned every distribution per certificate, per listing.
 */
export function certificatesInUse(state: AwsApiState): Set<string> {
  const inUse = new Set<string>();
  for (const distribution of state.distributions.values()) {
    const arn = childText(childNode(distribution.config, 'ViewerCertificate'), 'ACMCertificateArn');
    if (arn !== undefined) inUse.add(arn);
  }
  for (const tenant of state.tenants.values()) if (tenant.certificateArn !== undefined) inUse.add(tenant.certificateArn);
  return inUse;
}

/** The distributions (ARNs) whose config uses the certificate. */
export function certificateUsers(state: AwsApiState, arn: string): string[] {
  return [
    ...[...state.distributions.values()]
      .filter((distribution) => childText(childNode(distribution.config, 'ViewerCertificate'), 'ACMCertificateArn') === arn)
      .map((distribution) => distribution.arn),
    // A distribution tenant using it through Customizations.Certificate (CloudFront SaaS Manager).
    ...[...state.tenants.values()].filter((tenant) => tenant.certificateArn === arn).map((tenant) => tenant.arn),
  ];
}

/**
 * Moves a certificate along on the sandbox clock: `PENDING_VALIDATION` until every validation
 * CNAME is in the sandbox DNS zone with the right value, then `ISSUED` after the issue delay;
 * `VALIDATION_TIMED_OUT` after 72 hours pending, as ACM does.
 */
export function settleCertificate(state: AwsApiState, certificate: CertificateState): void {
  if (certificate.status !== 'PENDING_VALIDATION') return;
  const now = state.now();
  if (now - certificate.createdAt > validationTimeout) {
    certificate.status = 'VALIDATION_TIMED_OUT';
    return;
  }
  if (certificate.validationMethod !== 'DNS') return;
  const zone = state.sandbox.dns.zone;
  const allPresent = [...certificate.validationRecords.values()].every((record) =>
    zone.getRecords(record.name).some((found) => found.type === 'CNAME' && found.value === normalizeDnsName(record.value)),
  );
  if (!allPresent) {
    delete certificate.validationSeenAt;
    return;
  }
  certificate.validationSeenAt ??= now;
  const issuedAt = certificate.validationSeenAt + state.options.certificateIssueDelayMs;
  if (now < issuedAt) return;
  certificate.status = 'ISSUED';
  certificate.issuedAt = issuedAt;
  certificate.notBefore = issuedAt;
  certificate.notAfter = issuedAt + certificateLifetime;
}

function seconds(milliseconds: number | undefined): number | undefined {
  return milliseconds === undefined ? undefined : milliseconds / 1000;
}

function describe(state: AwsApiState, certificate: CertificateState): Record<string, unknown> {
  const recordReady = state.now() >= certificate.createdAt + state.options.validationRecordDelayMs;
  const validationStatus =
    certificate.status === 'ISSUED' ? 'SUCCESS' : certificate.status === 'PENDING_VALIDATION' ? 'PENDING_VALIDATION' : 'FAILED';
  return {
    CertificateArn: certificate.arn,
    DomainName: certificate.domainName,
    SubjectAlternativeNames: certificateNames(certificate),
    DomainValidationOptions: certificateNames(certificate).map((name) => {
      const record = certificate.validationRecords.get(name);
      return {
        DomainName: name,
        ValidationDomain: name,
        ValidationStatus: validationStatus,
        ValidationMethod: certificate.validationMethod,
        ...(record && recordReady && certificate.validationMethod === 'DNS'
          ? { ResourceRecord: { Name: `${record.name}.`, Type: 'CNAME', Value: record.value } }
          : {}),
      };
    }),
    Serial: certificate.status === 'ISSUED' ? digest(certificate.arn, 32).replace(/(..)(?!$)/g, '$1:') : undefined,
    Subject: `CN=${certificate.domainName}`,
    Issuer: 'Amazon',
    CreatedAt: seconds(certificate.createdAt),
    IssuedAt: seconds(certificate.issuedAt),
    NotBefore: seconds(certificate.notBefore),
    NotAfter: seconds(certificate.notAfter),
    Status: certificate.status,
    ...(certificate.failureReason ? { FailureReason: certificate.failureReason } : {}),
    KeyAlgorithm: 'RSA-2048',
    SignatureAlgorithm: 'SHA256WITHRSA',
    InUseBy: certificateUsers(state, certificate.arn),
    Type: 'AMAZON_ISSUED',
    RenewalEligibility: certificate.status === 'ISSUED' && certificateUsers(state, certificate.arn).length > 0 ? 'ELIGIBLE' : 'INELIGIBLE',
    Options: { CertificateTransparencyLoggingPreference: 'ENABLED' },
  };
}

function summary(certificate: CertificateState, inUse: ReadonlySet<string>): Record<string, unknown> {
  return {
    CertificateArn: certificate.arn,
    DomainName: certificate.domainName,
    SubjectAlternativeNameSummaries: certificateNames(certificate),
    HasAdditionalSubjectAlternativeNames: false,
    Status: certificate.status,
    Type: 'AMAZON_ISSUED',
    KeyAlgorithm: 'RSA_2048',
    InUse: inUse.has(certificate.arn),
    RenewalEligibility: 'INELIGIBLE',
    CreatedAt: seconds(certificate.createdAt),
    ...(certificate.issuedAt === undefined ? {} : { IssuedAt: seconds(certificate.issuedAt) }),
    ...(certificate.notAfter === undefined ? {} : { NotAfter: seconds(certificate.notAfter), NotBefore: seconds(certificate.notBefore) }),
  };
}

type Body = Record<string, unknown>;

function readTags(value: unknown): Array<{ Key: string; Value: string }> | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return 'Tags must be a list.';
  const tags: Array<{ Key: string; Value: string }> = [];
  for (const tag of value) {
    const key = (tag as { Key?: unknown } | null)?.Key;
    const tagValue = (tag as { Value?: unknown } | null)?.Value ?? '';
    if (typeof key !== 'string' || key.length === 0 || key.length > 128 || typeof tagValue !== 'string') return 'Each tag needs a Key of 1-128 characters and a string Value.';
    if (key.startsWith('aws:')) return `Tag key ${key} uses the reserved prefix aws:.`;
    tags.push({ Key: key, Value: tagValue });
  }
  return tags;
}

function findCertificate(state: AwsApiState, body: Body): CertificateState | VendorResponse {
  const arn = body.CertificateArn;
  if (typeof arn !== 'string' || !arn.startsWith('arn:aws:acm:')) {
    return jsonError(400, 'ValidationException', `1 validation error detected: Value '${String(arn)}' at 'certificateArn' failed to satisfy constraint: the ARN is malformed`);
  }
  const certificate = state.certificates.get(arn);
  if (!certificate) return jsonError(400, 'ResourceNotFoundException', `Could not find certificate ${arn}.`);
  settleCertificate(state, certificate);
  return certificate;
}

function requestCertificate(state: AwsApiState, body: Body): VendorResponse {
  const domainName = typeof body.DomainName === 'string' ? normalizeDnsName(body.DomainName) : '';
  if (!domainPattern.test(domainName)) {
    return jsonError(400, 'ValidationException', `1 validation error detected: Value '${String(body.DomainName)}' at 'domainName' failed to satisfy constraint.`);
  }
  const alternativeNames = Array.isArray(body.SubjectAlternativeNames) ? body.SubjectAlternativeNames.map(String).map(normalizeDnsName) : [];
  const invalidName = alternativeNames.find((name) => !domainPattern.test(name));
  if (invalidName !== undefined) return jsonError(400, 'InvalidDomainValidationOptionsException', `${invalidName} is not a valid domain name.`);
  const token = body.IdempotencyToken;
  if (token !== undefined && (typeof token !== 'string' || !/^\w{1,32}$/.test(token))) {
    return jsonError(400, 'ValidationException', "1 validation error detected: Value at 'idempotencyToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \\w+ and have length <= 32");
  }
  const tags = readTags(body.Tags);
  if (typeof tags === 'string') return jsonError(400, 'InvalidTagException', tags);
  const now = state.now();
  if (typeof token === 'string') {
    // The same token within an hour means the same request: ACM returns the first certificate.
    const earlier = [...state.certificates.values()].find(
      (certificate) => certificate.idempotencyToken === token && certificate.domainName === domainName && now - certificate.createdAt < oneHour,
    );
    if (earlier) return jsonResponse({ CertificateArn: earlier.arn });
  }
  const validationMethod = body.ValidationMethod === 'DNS' ? 'DNS' : 'EMAIL';
  const arn = `arn:aws:acm:us-east-1:${state.options.accountId}:certificate/${randomUUID()}`;
  const names = [...new Set([domainName, ...alternativeNames])];
  const validationRecords = new Map<string, { name: string; value: string }>();
  for (const name of names) {
    const base = name.startsWith('*.') ? name.slice(2) : name;
    validationRecords.set(name, {
      name: `_${digest(`${arn}:${base}:name`)}.${base}`,
      value: `_${digest(`${arn}:${base}:value`)}.${digest(arn, 10)}.acm-validations.aws.`,
    });
  }
  state.certificates.set(arn, {
    arn,
    domainName,
    subjectAlternativeNames: alternativeNames,
    status: 'PENDING_VALIDATION',
    validationMethod,
    validationRecords,
    tags: new Map(tags.map((tag) => [tag.Key, tag.Value])),
    ...(typeof token === 'string' ? { idempotencyToken: token } : {}),
    createdAt: now,
  });
  return jsonResponse({ CertificateArn: arn });
}

function listCertificates(state: AwsApiState, body: Body): VendorResponse {
  const statuses = Array.isArray(body.CertificateStatuses) ? body.CertificateStatuses.map(String) : undefined;
  const maxItems = typeof body.MaxItems === 'number' ? Math.max(1, Math.min(1000, body.MaxItems)) : 1000;
  const start = typeof body.NextToken === 'string' ? Number.parseInt(body.NextToken, 10) || 0 : 0;
  const all = [...state.certificates.values()];
  for (const certificate of all) settleCertificate(state, certificate);
  const matching = all.filter((certificate) => !statuses || statuses.includes(certificate.status));
  const page = matching.slice(start, start + maxItems);
  const next = start + maxItems < matching.length ? String(start + maxItems) : undefined;
  const inUse = certificatesInUse(state);
  return jsonResponse({ CertificateSummaryList: page.map((certificate) => summary(certificate, inUse)), ...(next ? { NextToken: next } : {}) });
}

function handle(state: AwsApiState, operation: string, body: Body): VendorResponse {
  switch (operation) {
    case 'RequestCertificate':
      return requestCertificate(state, body);
    case 'DescribeCertificate': {
      const found = findCertificate(state, body);
      return 'arn' in found ? jsonResponse({ Certificate: describe(state, found) }) : found;
    }
    case 'ListCertificates':
      return listCertificates(state, body);
    case 'DeleteCertificate': {
      const found = findCertificate(state, body);
      if (!('arn' in found)) return found;
      const users = certificateUsers(state, found.arn);
      if (users.length > 0) return jsonError(400, 'ResourceInUseException', `Certificate ${found.arn} is in use by ${users.join(', ')}.`);
      state.certificates.delete(found.arn);
      return jsonResponse({});
    }
    case 'ListTagsForCertificate': {
      const found = findCertificate(state, body);
      if (!('arn' in found)) return found;
      return jsonResponse({ Tags: [...found.tags].map(([Key, Value]) => ({ Key, Value })) });
    }
    case 'AddTagsToCertificate': {
      const found = findCertificate(state, body);
      if (!('arn' in found)) return found;
      const tags = readTags(body.Tags);
      if (typeof tags === 'string') return jsonError(400, 'InvalidTagException', tags);
      if (found.tags.size + tags.length > 50) return jsonError(400, 'TooManyTagsException', 'A certificate can have at most 50 tags.');
      for (const tag of tags) found.tags.set(tag.Key, tag.Value);
      return jsonResponse({});
    }
    case 'RemoveTagsFromCertificate': {
      const found = findCertificate(state, body);
      if (!('arn' in found)) return found;
      const tags = readTags(body.Tags);
      if (typeof tags === 'string') return jsonError(400, 'InvalidTagException', tags);
      for (const tag of tags) found.tags.delete(tag.Key);
      return jsonResponse({});
    }
    default:
      return jsonError(400, 'UnknownOperationException', `The operation ${operation} is not supported by the sandbox's ACM.`);
  }
}

/**
 * The fake ACM API in AWS JSON 1.1 (`POST /` with `X-Amz-Target: CertificateManager.<Operation>`):
 * request, describe, list, delete and tag certificates.
 */
export function acmRoutes(state: AwsApiState): (router: VendorRouter) => void {
  return (router) => {
    router.add('POST', '/', async (request: VendorRequest): Promise<VendorResponse> => {
      const target = request.headers['x-amz-target'];
      const operation = typeof target === 'string' && target.startsWith('CertificateManager.') ? target.slice('CertificateManager.'.length) : '';
      const write = writeOperations.has(operation);
      const denied = authorize(state, request, `acm:${operation}`, {
        missing: () => jsonError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
        denied: (message) => jsonError(400, 'AccessDeniedException', message),
        expired: () => jsonError(400, 'ExpiredTokenException', 'The security token included in the request is expired'),
        revoked: () => jsonError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.'),
      });
      if (denied) return logged(state, 'acm', operation, write, denied);
      let body: Body;
      try {
        const parsed: unknown = request.json() ?? {};
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('not an object');
        body = parsed as Body;
      } catch {
        return logged(state, 'acm', operation, write, jsonError(400, 'SerializationException', 'The request body is not a JSON object.'));
      }
      const response = handle(state, operation, body);
      await state.syncDataPlane();
      return logged(state, 'acm', operation, write, response, typeof body.CertificateArn === 'string' ? body.CertificateArn : undefined);
    });
  };
}
