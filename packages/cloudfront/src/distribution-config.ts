import type { CacheBehavior, DefaultCacheBehavior, DistributionConfig, Origin } from '@aws-sdk/client-cloudfront';
import { distributionComment, newCallerReference } from './ownership.js';

/** CloudFront's managed cache policy that caches nothing: every click reaches SendGrid. */
export const cachingDisabledPolicyId = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
/** Managed origin request policy AllViewer: forwards every viewer header, `Host` included. */
export const allViewerPolicyId = '216adef6-5c7f-47e4-b989-5492eafa07d3';
/** Managed AllViewerExceptHostHeader: sends `Host: sendgrid.net`, which breaks SendGrid's routing. */
export const allViewerExceptHostHeaderPolicyId = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** All seven methods: one-click unsubscribe (RFC 8058) is a POST. */
export const allMethods = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'] as const;
const originId = 'sendgrid';

/** What the distribution must be, from the settings and the request. */
export interface DesiredDistribution {
  hostname: string;
  origin: string;
  certificateArn: string;
  originProtocol: 'https' | 'http';
  viewerProtocol: 'allow-all' | 'redirect-to-https';
  priceClass: 'PriceClass_All' | 'PriceClass_200' | 'PriceClass_100';
}

/** One way a distribution differs from what sslclick needs. */
export interface ConfigDifference {
  field: string;
  current: string;
  desired: string;
}

function desiredOrigin(desired: DesiredDistribution, id: string): Origin {
  return {
    Id: id,
    DomainName: desired.origin,
    OriginPath: '',
    CustomHeaders: { Quantity: 0 },
    CustomOriginConfig: {
      HTTPPort: 80,
      HTTPSPort: 443,
      OriginProtocolPolicy: desired.originProtocol === 'https' ? 'https-only' : 'http-only',
      OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
      OriginReadTimeout: 30,
      OriginKeepaliveTimeout: 5,
    },
  };
}

function desiredBehavior(desired: DesiredDistribution, base: Partial<DefaultCacheBehavior> = {}): DefaultCacheBehavior {
  // A cache policy excludes the legacy TTL and ForwardedValues fields.
  const { ForwardedValues: _forwarded, MinTTL: _min, DefaultTTL: _default, MaxTTL: _max, ...rest } = base;
  return {
    ...rest,
    TargetOriginId: base.TargetOriginId ?? originId,
    ViewerProtocolPolicy: desired.viewerProtocol,
    CachePolicyId: cachingDisabledPolicyId,
    OriginRequestPolicyId: allViewerPolicyId,
    AllowedMethods: { Quantity: allMethods.length, Items: [...allMethods], CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] } },
    Compress: false,
  };
}

function desiredViewerCertificate(desired: DesiredDistribution): DistributionConfig['ViewerCertificate'] {
  return { ACMCertificateArn: desired.certificateArn, SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021', CloudFrontDefaultCertificate: false };
}

/**
 * The config of a new distribution: alias = hostname; one custom origin (SendGrid), HTTPS only
 * with TLS 1.2 (or HTTP by option); CachingDisabled and AllViewer (which forwards `Host`); all
 * seven methods; the ACM certificate, SNI only, TLSv1.2_2021; a comment naming sslclick.
 */
export function newDistributionConfig(desired: DesiredDistribution): DistributionConfig {
  return {
    CallerReference: newCallerReference(desired.hostname),
    Comment: distributionComment(desired.hostname),
    Enabled: true,
    Aliases: { Quantity: 1, Items: [desired.hostname] },
    Origins: { Quantity: 1, Items: [desiredOrigin(desired, originId)] },
    DefaultCacheBehavior: desiredBehavior(desired),
    ViewerCertificate: desiredViewerCertificate(desired),
    PriceClass: desired.priceClass,
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
  };
}

function sameSet(left: readonly string[] | undefined, right: readonly string[]): boolean {
  const a = new Set(left ?? []);
  return a.size === right.length && right.every((item) => a.has(item));
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(none)';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The origin the default cache behavior sends requests to. */
export function targetOrigin(config: DistributionConfig): Origin | undefined {
  const target = config.DefaultCacheBehavior?.TargetOriginId;
  return config.Origins?.Items?.find((origin) => origin.Id === target);
}

/**
 * How a distribution's config differs from what sslclick needs, field by field. Only what
 * matters for SendGrid is compared, so defaults CloudFront fills in are not drift.
 */
export function distributionDrift(config: DistributionConfig, desired: DesiredDistribution): ConfigDifference[] {
  const differences: ConfigDifference[] = [];
  const check = (field: string, current: unknown, wanted: unknown, same: boolean): void => {
    if (!same) differences.push({ field, current: show(current), desired: show(wanted) });
  };
  const behavior = config.DefaultCacheBehavior;
  const origin = targetOrigin(config);
  const originProtocol = desired.originProtocol === 'https' ? 'https-only' : 'http-only';
  check('Enabled', config.Enabled, true, config.Enabled === true);
  check('Aliases', config.Aliases?.Items, [desired.hostname], sameSet(config.Aliases?.Items, [desired.hostname]));
  check('Origin.DomainName', origin?.DomainName, desired.origin, origin?.DomainName === desired.origin);
  check('Origin.OriginProtocolPolicy', origin?.CustomOriginConfig?.OriginProtocolPolicy, originProtocol, origin?.CustomOriginConfig?.OriginProtocolPolicy === originProtocol);
  if (desired.originProtocol === 'https') {
    const protocols = origin?.CustomOriginConfig?.OriginSslProtocols?.Items;
    check('Origin.OriginSslProtocols', protocols, ['TLSv1.2'], protocols?.includes('TLSv1.2') === true);
  }
  check('DefaultCacheBehavior.CachePolicyId', behavior?.CachePolicyId, cachingDisabledPolicyId, behavior?.CachePolicyId === cachingDisabledPolicyId);
  check(
    'DefaultCacheBehavior.OriginRequestPolicyId',
    behavior?.OriginRequestPolicyId === allViewerExceptHostHeaderPolicyId ? `${allViewerExceptHostHeaderPolicyId} (AllViewerExceptHostHeader: SendGrid would get Host: ${desired.origin})` : behavior?.OriginRequestPolicyId,
    `${allViewerPolicyId} (AllViewer)`,
    behavior?.OriginRequestPolicyId === allViewerPolicyId,
  );
  check('DefaultCacheBehavior.ViewerProtocolPolicy', behavior?.ViewerProtocolPolicy, desired.viewerProtocol, behavior?.ViewerProtocolPolicy === desired.viewerProtocol);
  check('DefaultCacheBehavior.AllowedMethods', behavior?.AllowedMethods?.Items, allMethods, sameSet(behavior?.AllowedMethods?.Items, allMethods));
  const viewer = config.ViewerCertificate;
  check('ViewerCertificate.ACMCertificateArn', viewer?.ACMCertificateArn, desired.certificateArn, viewer?.ACMCertificateArn === desired.certificateArn);
  check('ViewerCertificate.SSLSupportMethod', viewer?.SSLSupportMethod, 'sni-only', viewer?.SSLSupportMethod === 'sni-only');
  check('ViewerCertificate.MinimumProtocolVersion', viewer?.MinimumProtocolVersion, 'TLSv1.2_2021', viewer?.MinimumProtocolVersion === 'TLSv1.2_2021');
  check('PriceClass', config.PriceClass, desired.priceClass, (config.PriceClass ?? 'PriceClass_All') === desired.priceClass);
  return differences;
}

/**
 * The repaired config: the current one (UpdateDistribution replaces the whole config, so every
 * field sslclick does not care about is carried over, CallerReference included) with the fields
 * that matter set to what SendGrid needs.
 */
export function repairedDistributionConfig(config: DistributionConfig, desired: DesiredDistribution): DistributionConfig {
  const target = targetOrigin(config);
  const id = target?.Id ?? originId;
  const others = (config.Origins?.Items ?? []).filter((origin) => origin.Id !== id);
  const origins = [...others, { ...(target ?? {}), ...desiredOrigin(desired, id) }];
  const cacheBehaviors: CacheBehavior[] = config.CacheBehaviors?.Items ?? [];
  return {
    ...config,
    Enabled: true,
    Aliases: { Quantity: 1, Items: [desired.hostname] },
    Origins: { Quantity: origins.length, Items: origins },
    DefaultCacheBehavior: desiredBehavior(desired, { ...config.DefaultCacheBehavior, TargetOriginId: id }),
    CacheBehaviors: { Quantity: cacheBehaviors.length, ...(cacheBehaviors.length > 0 ? { Items: cacheBehaviors } : {}) },
    ViewerCertificate: desiredViewerCertificate(desired),
    PriceClass: desired.priceClass,
  };
}
