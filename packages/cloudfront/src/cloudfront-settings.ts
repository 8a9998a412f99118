import type { ACMClient } from '@aws-sdk/client-acm';
import type { CloudFrontClient, CloudFrontClientConfig } from '@aws-sdk/client-cloudfront';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { type DnsProvider, type LookupCache } from '@sslclick/core';
import { DEFAULT_CUTOVER_CHECK_TIMEOUT_MS, invalidInput, readCutoverCheckTimeoutMs, type CommonProxySettings } from '@sslclick/core/adapter';
import { registerAwsCredentials } from './aws-credentials.js';
import { defaultAwsTimeoutMs } from './aws-call.js';
import { acmSdk, cloudFrontSdk, route53Sdk } from './aws-sdk.js';
import { hostnameTagKey, managedByTag } from './ownership.js';

/** AWS credentials: static keys or a provider function. */
export type AwsCredentials = NonNullable<CloudFrontClientConfig['credentials']>;

/** The modes `createCloudFrontProxy` offers, for command lines and forms that let a user choose one. */
export const CLOUDFRONT_MODES = ['distribution', 'tenants'] as const;

/** A mode of `createCloudFrontProxy`: one distribution per host, or CloudFront SaaS Manager tenants. */
export type CloudFrontMode = (typeof CLOUDFRONT_MODES)[number];

/** Settings of `createCloudFrontProxy`. */
export interface CloudFrontProxySettings extends CommonProxySettings {
  /**
   * `distribution`: one CloudFront distribution per branded host. `tenants`: CloudFront SaaS
   * Manager, one multi-tenant distribution shared by every host of the adapter and a distribution
   * tenant per host, so a fleet is not bound by the 200-distributions quota (see the README's
   * "When to choose tenants mode").
   * @default 'distribution'
   */
  mode?: CloudFrontMode;
  /**
   * Tenants mode only: the connection group whose routing endpoint the hosts' CNAMEs point at
   * (`cg_…`). Without it CloudFront puts each tenant in the account's default connection group,
   * which it creates with the first tenant.
   */
  connectionGroupId?: string;
  /** AWS credentials. @default the AWS default credential chain (environment, profile, SSO, instance role…) */
  credentials?: AwsCredentials;
  /** Endpoint overrides per service, for tests and the sandbox. @default AWS's */
  endpoints?: {
    /** The CloudFront API endpoint. */
    cloudfront?: string;
    /** The ACM API endpoint (us-east-1). */
    acm?: string;
    /** The Route 53 API endpoint. */
    route53?: string;
  };
  /**
   * Ready-made clients (turn their own retries off with `maxAttempts: 1`: sslclick retries).
   * The ACM client must be in us-east-1, the only region CloudFront takes certificates from.
   */
  clients?: {
    /** The CloudFront client. */
    cloudfront?: CloudFrontClient;
    /** The ACM client, in us-east-1. */
    acm?: ACMClient;
    /** The Route 53 client. */
    route53?: Route53Client;
  };
  /** Use this ACM certificate (us-east-1, covering the hostname) instead of finding or requesting one. It is never deleted. */
  certificateArn?: string;
  /**
   * How CloudFront reaches SendGrid: `https` (HTTPS only, TLS 1.2) or `http` (the fallback if
   * SendGrid's certificate ever stops matching).
   * @default 'https'
   */
  originProtocol?: 'https' | 'http';
  /**
   * What viewers may use: `allow-all` keeps `http://` links in mail already sent working unchanged;
   * `redirect-to-https` upgrades them.
   * @default 'allow-all'
   */
  viewerProtocol?: 'allow-all' | 'redirect-to-https';
  /** The CloudFront price class. @default 'PriceClass_All' */
  priceClass?: 'PriceClass_All' | 'PriceClass_200' | 'PriceClass_100';
  /** The Route 53 hosted zone of the hostname. Without it (and without `dns`), the zone is looked up by name. */
  hostedZoneId?: string;
  /**
   * Look the hostname's zone up in Route 53 when neither `hostedZoneId` nor `dns` is given; when it
   * is not found, the records are returned in `status.dns.required` for you to publish.
   * @default true
   */
  route53?: boolean;
  /** Where the hostname's DNS lives when it is not Route 53, e.g. `createCloudflareDns()`. Excludes `hostedZoneId`. */
  dns?: DnsProvider;
  /** Extra tags on the distribution and the certificate sslclick creates. */
  tags?: Record<string, string>;
  /**
   * How long one AWS request may go unanswered before it is abandoned and retried, in ms (the
   * SDK's own default is to wait forever). When the retries run out it fails with `TIMEOUT`.
   * @default 30000
   */
  timeoutMs?: number;
}

/** The settings after validation, with the clients made. */
export interface ResolvedCloudFrontSettings {
  mode: CloudFrontMode;
  connectionGroupId: string | undefined;
  cloudFront: CloudFrontClient;
  acm: ACMClient;
  route53: Route53Client;
  certificateArn: string | undefined;
  originProtocol: 'https' | 'http';
  viewerProtocol: 'allow-all' | 'redirect-to-https';
  priceClass: 'PriceClass_All' | 'PriceClass_200' | 'PriceClass_100';
  hostedZoneId: string | undefined;
  route53Lookup: boolean;
  dns: DnsProvider | undefined;
  tags: Record<string, string>;
  timeoutMs: number;
  /** How long the pre-cutover check waits for the distribution to serve the hostname, in ms. */
  cutoverCheckTimeoutMs: number;
  verification: CommonProxySettings['verification'];
  wait: CommonProxySettings['wait'];
  retry: CommonProxySettings['retry'];
  /** Lookups shared by the runs of this adapter (a run's own `RunOptions.lookupCache` comes first). */
  lookupCache: LookupCache | undefined;
}

const provider = 'cloudfront';
const fail = (message: string): never => {
  throw invalidInput(message, { provider, operation: 'createCloudFrontProxy' });
};

function oneOf<Value extends string>(name: string, value: unknown, allowed: readonly Value[], fallback: Value): Value {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as Value)) fail(`${name} must be one of ${allowed.map((item) => `"${item}"`).join(', ')}, not ${JSON.stringify(value)}.`);
  return value as Value;
}

/** Validates the settings (before any AWS call) and makes the three clients, all in us-east-1 with the SDK's retries off. */
export function resolveCloudFrontSettings(settings: CloudFrontProxySettings = {}): ResolvedCloudFrontSettings {
  if (typeof settings !== 'object' || settings === null) fail('The settings must be an object.');
  const endpoints = settings.endpoints ?? {};
  for (const [service, endpoint] of Object.entries(endpoints)) {
    if (!['cloudfront', 'acm', 'route53'].includes(service)) fail(`endpoints.${service} is not a service sslclick uses (cloudfront, acm, route53).`);
    if (endpoint !== undefined && (typeof endpoint !== 'string' || !URL.canParse(endpoint))) fail(`endpoints.${service} "${String(endpoint)}" is not a URL.`);
  }
  if (settings.certificateArn !== undefined && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(settings.certificateArn)) {
    fail(`certificateArn "${settings.certificateArn}" is not an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1).`);
  }
  if (settings.hostedZoneId !== undefined && !/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/.test(settings.hostedZoneId)) {
    fail(`hostedZoneId "${settings.hostedZoneId}" is not a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ".`);
  }
  if (settings.hostedZoneId !== undefined && settings.dns !== undefined) fail('Pass either hostedZoneId (Route 53) or dns (another DNS provider), not both.');
  if (settings.dns !== undefined && (typeof settings.dns.upsertCname !== 'function' || typeof settings.dns.getRecords !== 'function')) {
    fail('dns must be a DnsProvider such as createCloudflareDns() or createRoute53Dns().');
  }
  const mode = oneOf('mode', settings.mode, CLOUDFRONT_MODES, 'distribution');
  if (settings.connectionGroupId !== undefined) {
    if (mode !== 'tenants') fail('connectionGroupId is a setting of tenants mode (mode: "tenants").');
    if (typeof settings.connectionGroupId !== 'string' || !/^cg_[0-9A-Za-z]{1,64}$/.test(settings.connectionGroupId)) {
      fail(`connectionGroupId "${String(settings.connectionGroupId)}" is not a CloudFront connection group id such as "cg_2whCJoXMYCjHcxaLGrkllvyABC".`);
    }
  }
  // A multi-tenant distribution has no price class: its connection group decides where it serves.
  if (mode === 'tenants' && settings.priceClass !== undefined) fail('priceClass is not supported in tenants mode: multi-tenant distributions take no price class (their connection group decides).');
  const tags = settings.tags ?? {};
  const tagEntries = Object.entries(tags);
  if (tagEntries.length > 40) fail('tags: at most 40 tags (sslclick adds its own two, and AWS allows 50).');
  for (const [key, value] of tagEntries) {
    if (key.length === 0 || key.length > 128 || key.startsWith('aws:')) fail(`tags: the key "${key}" must be 1-128 characters and not start with "aws:".`);
    if (key === managedByTag.key || key === hostnameTagKey) fail(`tags: the key "${key}" is sslclick's own.`);
    if (typeof value !== 'string' || value.length > 256) fail(`tags: the value of "${key}" must be a string of at most 256 characters.`);
  }
  if (settings.timeoutMs !== undefined && (typeof settings.timeoutMs !== 'number' || !Number.isFinite(settings.timeoutMs) || settings.timeoutMs < 1 || settings.timeoutMs > 600_000)) {
    fail(`timeoutMs must be a number of milliseconds between 1 and 600000, not ${JSON.stringify(settings.timeoutMs)}.`);
  }
  const cutoverCheckTimeoutMs = readCutoverCheckTimeoutMs(settings, provider) ?? DEFAULT_CUTOVER_CHECK_TIMEOUT_MS;
  const credentials = registerAwsCredentials(settings.credentials);
  const common = {
    region: 'us-east-1',
    // sslclick retries every call itself (core's withRetry); SDK retries would multiply with it.
    maxAttempts: 1,
    ...(credentials ? { credentials } : {}),
  };
  return {
    mode,
    connectionGroupId: settings.connectionGroupId,
    cloudFront: settings.clients?.cloudfront ?? new cloudFrontSdk.CloudFrontClient({ ...common, ...(endpoints.cloudfront ? { endpoint: endpoints.cloudfront } : {}) }),
    acm: settings.clients?.acm ?? new acmSdk.ACMClient({ ...common, ...(endpoints.acm ? { endpoint: endpoints.acm } : {}) }),
    route53: settings.clients?.route53 ?? new route53Sdk.Route53Client({ ...common, ...(endpoints.route53 ? { endpoint: endpoints.route53 } : {}) }),
    certificateArn: settings.certificateArn,
    originProtocol: oneOf('originProtocol', settings.originProtocol, ['https', 'http'], 'https'),
    viewerProtocol: oneOf('viewerProtocol', settings.viewerProtocol, ['allow-all', 'redirect-to-https'], 'allow-all'),
    priceClass: oneOf('priceClass', settings.priceClass, ['PriceClass_All', 'PriceClass_200', 'PriceClass_100'], 'PriceClass_All'),
    hostedZoneId: settings.hostedZoneId?.replace(/^\/hostedzone\//, ''),
    route53Lookup: settings.route53 ?? true,
    dns: settings.dns,
    tags,
    timeoutMs: settings.timeoutMs ?? defaultAwsTimeoutMs,
    cutoverCheckTimeoutMs,
    verification: settings.verification,
    wait: settings.wait,
    retry: settings.retry,
    lookupCache: settings.lookupCache,
  };
}
