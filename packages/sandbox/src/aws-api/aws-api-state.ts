import type { Sandbox } from '../sandbox.js';
import type { VendorRequest, VendorResponse } from '../vendor-api-server.js';
import { accessKeyIdOf } from './aws-wire.js';
import type { XmlNode } from './aws-wire.js';

/** The parts of the sandbox the AWS fakes drive: the clock, the DNS zone and the edge. */
export type AwsSandbox = Pick<Sandbox, 'clock' | 'dns' | 'edge'>;

/** The three AWS services the fakes answer for. */
export type AwsServiceName = 'cloudfront' | 'acm' | 'route53';

/** One operation an AWS fake handled (requests hit by an injected fault never reach it). */
export interface AwsOperationRecord {
  service: AwsServiceName;
  /** The API operation, e.g. `CreateDistributionWithTags`, `RequestCertificate`. */
  operation: string;
  /** Whether the operation changes state (ACM reads are POSTs, so this is not the HTTP method). */
  write: boolean;
  /** The HTTP status answered. */
  status: number;
  /** The distribution, certificate or zone it was about, when there is one. */
  resource?: string;
  /** Sandbox clock time it was handled. */
  at: number;
}

/** An ACM certificate in the fake. */
export interface CertificateState {
  arn: string;
  domainName: string;
  subjectAlternativeNames: string[];
  status: 'PENDING_VALIDATION' | 'ISSUED' | 'INACTIVE' | 'EXPIRED' | 'VALIDATION_TIMED_OUT' | 'REVOKED' | 'FAILED';
  failureReason?: string;
  validationMethod: 'DNS' | 'EMAIL';
  /** The validation CNAME of each name in the certificate. */
  validationRecords: Map<string, { name: string; value: string }>;
  tags: Map<string, string>;
  idempotencyToken?: string;
  createdAt: number;
  /** When every validation record was first seen in DNS. */
  validationSeenAt?: number;
  issuedAt?: number;
  notBefore?: number;
  notAfter?: number;
}

/** A CloudFront distribution in the fake. */
export interface DistributionState {
  id: string;
  arn: string;
  domainName: string;
  /** The current `DistributionConfig`, as sent (XML-shaped). */
  config: XmlNode;
  /** The config the edge serves: the last one that finished deploying. */
  deployedConfig?: XmlNode;
  tags: Map<string, string>;
  etag: string;
  lastModified: number;
  /** Sandbox time at which the current config is deployed (`InProgress` before it). */
  deployAt: number;
  /** Held by another AWS account: invisible to List/Get, but its aliases still conflict. */
  otherAccount: boolean;
}

/** A CloudFront distribution tenant (SaaS Manager) in the fake. */
export interface DistributionTenantState {
  /** `dt_` and 27 letters and digits, as CloudFront mints them. */
  id: string;
  arn: string;
  /** Unique in the account; `Identifier` in GetDistributionTenant may be the id, the name or the ARN. */
  name: string;
  distributionId: string;
  connectionGroupId: string;
  domains: string[];
  /** `Customizations.Certificate.Arn`, when the tenant brings its own ACM certificate. */
  certificateArn?: string;
  /** The other customizations and parameters, kept as sent (XML-shaped) so reads echo them. */
  customizations: XmlNode;
  parameters: XmlNode[];
  enabled: boolean;
  tags: Map<string, string>;
  etag: string;
  createdAt: number;
  lastModified: number;
  /** Sandbox time at which the current settings are deployed (`InProgress` before it). */
  deployAt: number;
  /** What the edge serves: the settings as they were when they last finished deploying. */
  deployed?: { enabled: boolean; domains: string[]; certificateArn?: string; distributionId: string; connectionGroupId: string };
}

/** A CloudFront connection group (SaaS Manager) in the fake: the routing endpoint tenants' CNAMEs point at. */
export interface ConnectionGroupState {
  /** `cg_` and 27 letters and digits. */
  id: string;
  arn: string;
  name: string;
  /** `dxxxxxxxxxxxxx.cloudfront.net`. */
  routingEndpoint: string;
  isDefault: boolean;
  enabled: boolean;
  ipv6Enabled: boolean;
  tags: Map<string, string>;
  etag: string;
  createdAt: number;
  lastModified: number;
  deployAt: number;
}

/** A Route 53 public hosted zone in the fake; its records live in the sandbox DNS zone. */
export interface HostedZoneState {
  id: string;
  name: string;
  callerReference: string;
  comment?: string;
}

/** Options for `startAwsApi`. */
export interface AwsApiOptions {
  /**
   * How long a distribution stays `InProgress` after a create or update, in sandbox-clock ms.
   * @default 1500
   */
  deployDelayMs?: number;
  /**
   * How long ACM takes to issue once every validation record is in DNS, in sandbox-clock ms.
   * @default 500
   */
  certificateIssueDelayMs?: number;
  /**
   * How long after a request ACM leaves out the validation `ResourceRecord`, in sandbox-clock ms
   * (the real one takes a few seconds to compute it).
   * @default 0
   */
  validationRecordDelayMs?: number;
  /**
   * How long a Route 53 change stays `PENDING` before `INSYNC`, in sandbox-clock ms.
   * @default 200
   */
  changePropagationDelayMs?: number;
  /**
   * Access key ids whose every request is refused with `AccessDenied`, as for a user without
   * any of the needed IAM permissions.
   * @default ['AKIASANDBOXDENIED000']
   */
  deniedAccessKeyIds?: string[];
  /**
   * Access key ids whose session token has expired: every request is refused as AWS does
   * (`ExpiredToken`, `ExpiredTokenException` in JSON services).
   * @default ['AKIASANDBOXEXPIRED00']
   */
  expiredAccessKeyIds?: string[];
  /**
   * Access key ids AWS does not know (deleted or revoked keys): every request is refused with
   * `InvalidClientTokenId` (`UnrecognizedClientException` in JSON services).
   * @default ['AKIASANDBOXREVOKED00']
   */
  revokedAccessKeyIds?: string[];
  /**
   * The element name of each member of a distribution tenant's `Domains` in answers. The AWS SDK
   * for JavaScript reads (and sends) `<member>`, as the Smithy model's default says; the API
   * reference's syntax shows `<DomainItem>`/`<DomainResult>`. Either way sslclick must not depend
   * on reading it back, so tests run the adapter under both.
   * @default 'member'
   */
  tenantDomainMemberName?: 'member' | 'DomainResult';
  /**
   * A tenant domain's `Status` before its CNAME points at the routing endpoint: `active` from the
   * start, or `inactive` until the CNAME is there (the reference says only "active or inactive").
   * @default 'active'
   */
  tenantDomainStatusBeforeCutover?: 'active' | 'inactive';
  /**
   * Whether ListDistributions lists multi-tenant distributions too. The SDK model gives
   * DistributionSummary a `ConnectionMode` (so it would), and a separate
   * ListDistributionsByConnectionMode exists (so it might not): unsure, so switchable.
   * @default true
   */
  listDistributionsShowsMultiTenant?: boolean;
  /** The account id in ARNs. @default '123456789012' */
  accountId?: string;
  /**
   * How often the fakes re-evaluate slow transitions and push them to the data plane without a
   * request, in real ms (so a deploy finishing on the clock reaches the edge by itself).
   * @default 100
   */
  syncIntervalMs?: number;
}

/** The state the three fakes share, and their common plumbing. */
export interface AwsApiState {
  readonly sandbox: AwsSandbox;
  readonly options: Required<AwsApiOptions>;
  readonly certificates: Map<string, CertificateState>;
  readonly distributions: Map<string, DistributionState>;
  readonly hostedZones: Map<string, HostedZoneState>;
  /** Distribution tenants by id. */
  readonly tenants: Map<string, DistributionTenantState>;
  /** Connection groups by id. */
  readonly connectionGroups: Map<string, ConnectionGroupState>;
  readonly changes: Map<string, { submittedAt: number }>;
  readonly operations: AwsOperationRecord[];
  /** IAM actions (`cloudfront:CreateDistribution`) refused for every key. */
  readonly deniedActions: Set<string>;
  /** Distribution ids whose next update or delete finds the ETag changed by someone else first. */
  readonly concurrentChanges: Set<string>;
  now(): number;
  /** Brings the edge and DNS in line with the deployed state. */
  syncDataPlane(): Promise<void>;
}

/** The options with their defaults. */
export function resolveAwsApiOptions(options: AwsApiOptions = {}): Required<AwsApiOptions> {
  return {
    deployDelayMs: options.deployDelayMs ?? 1_500,
    certificateIssueDelayMs: options.certificateIssueDelayMs ?? 500,
    validationRecordDelayMs: options.validationRecordDelayMs ?? 0,
    changePropagationDelayMs: options.changePropagationDelayMs ?? 200,
    deniedAccessKeyIds: options.deniedAccessKeyIds ?? ['AKIASANDBOXDENIED000'],
    expiredAccessKeyIds: options.expiredAccessKeyIds ?? ['AKIASANDBOXEXPIRED00'],
    revokedAccessKeyIds: options.revokedAccessKeyIds ?? ['AKIASANDBOXREVOKED00'],
    tenantDomainMemberName: options.tenantDomainMemberName ?? 'member',
    tenantDomainStatusBeforeCutover: options.tenantDomainStatusBeforeCutover ?? 'active',
    listDistributionsShowsMultiTenant: options.listDistributionsShowsMultiTenant ?? true,
    accountId: options.accountId ?? '123456789012',
    syncIntervalMs: options.syncIntervalMs ?? 100,
  };
}

/**
 * The authorization gate every AWS fake runs first. The fakes do not verify SigV4 signatures,
 * but as AWS they refuse an unsigned request (`MissingAuthenticationToken`), an expired or
 * unknown key (`ExpiredToken`, `InvalidClientTokenId`), and answer `AccessDenied` for a denied
 * key or action, naming the IAM action the way IAM does.
 */
export function authorize(
  state: AwsApiState,
  request: VendorRequest,
  action: string,
  errors: {
    missing: () => VendorResponse;
    denied: (message: string) => VendorResponse;
    expired: () => VendorResponse;
    revoked: () => VendorResponse;
  },
): VendorResponse | undefined {
  const accessKeyId = accessKeyIdOf(request);
  if (accessKeyId === undefined) return errors.missing();
  if (state.options.expiredAccessKeyIds.includes(accessKeyId)) return errors.expired();
  if (state.options.revokedAccessKeyIds.includes(accessKeyId)) return errors.revoked();
  if (state.options.deniedAccessKeyIds.includes(accessKeyId) || state.deniedActions.has(action)) {
    return errors.denied(
      `User: arn:aws:iam::${state.options.accountId}:user/sandbox is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
    );
  }
  return undefined;
}

/** Logs an operation and returns its response unchanged. */
export function logged(
  state: AwsApiState,
  service: AwsServiceName,
  operation: string,
  write: boolean,
  response: VendorResponse,
  resource?: string,
): VendorResponse {
  state.operations.push({
    service,
    operation,
    write,
    status: response.status,
    ...(resource === undefined ? {} : { resource }),
    at: state.now(),
  });
  return response;
}
