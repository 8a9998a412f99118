import { randomBytes } from 'node:crypto';
import { normalizeDnsName } from '../dns-zone.js';
import type { VendorRequest, VendorResponse, VendorRouter } from '../vendor-api-server.js';
import { certificateNameCovers, certificateNames, settleCertificate } from './acm-api.js';
import { logged } from './aws-api-state.js';
import { restXmlService } from './rest-xml-service.js';
import type { AwsApiState, DistributionState } from './aws-api-state.js';
import {
  childNode,
  childText,
  cloneNode,
  cloudFrontNamespace,
  isoTime,
  itemNodes,
  itemTexts,
  parseXml,
  quantityList,
  upperId,
  xmlError,
  xmlResponse,
} from './aws-wire.js';
import type { XmlNode } from './aws-wire.js';

/** CloudFront's managed cache policies, by id. */
export const managedCachePolicies: Readonly<Record<string, string>> = {
  '4135ea2d-6df8-44a3-9df3-4b5a84be39ad': 'Managed-CachingDisabled',
  '658327ea-f89d-4fab-a63d-7e88639e58f6': 'Managed-CachingOptimized',
  'b2884449-e4de-46a7-ac36-70bc7f1ddd6d': 'Managed-CachingOptimizedForUncompressedObjects',
  '83da9c7e-98b4-4e11-a168-04f0df8e2c65': 'UseOriginCacheControlHeaders',
  '4cc15a8a-d715-48a4-82b8-cc0b614638fe': 'UseOriginCacheControlHeaders-QueryStrings',
};

/** CloudFront's managed origin request policies, by id. */
export const managedOriginRequestPolicies: Readonly<Record<string, string>> = {
  '216adef6-5c7f-47e4-b989-5492eafa07d3': 'Managed-AllViewer',
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': 'Managed-AllViewerExceptHostHeader',
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': 'Managed-AllViewerAndCloudFrontHeaders-2022-06',
  '59781a5b-3903-41f3-afcb-af62929ccde1': 'Managed-CORS-CustomOrigin',
  '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf': 'Managed-CORS-S3Origin',
  'acba4595-bd28-49b8-b9fe-13317c0390fa': 'Managed-UserAgentRefererHeaders',
};

const apiPrefix = '/2020-05-31';

function error(status: number, code: string, message: string): VendorResponse {
  return xmlError(cloudFrontNamespace, status, code, message);
}

function newEtag(): string {
  return upperId('E', 13);
}

// A stored config is replaced on every change, never edited, so its aliases are read once: every
// create checks its aliases against every distribution, which a fleet would otherwise parse again
// for each of its hosts.
const aliasesByConfig = new WeakMap<XmlNode, readonly string[]>();

/** The aliases of a config, normalised. */
export function configAliases(config: XmlNode | undefined): readonly string[] {
  if (!config) return [];
  let aliases = aliasesByConfig.get(config);
  if (!aliases) aliasesByConfig.set(config, (aliases = Object.freeze(itemTexts(childNode(config, 'Aliases'), 'CNAME').map(normalizeDnsName))));
  return aliases;
}

/**
 * Moves a distribution along on the sandbox clock: once `deployAt` has passed its current config
 * is the one the edge serves. Returns the status CloudFront reports.
 */
export function settleDistribution(state: AwsApiState, distribution: DistributionState): 'InProgress' | 'Deployed' {
  if (state.now() < distribution.deployAt) return 'InProgress';
  if (distribution.deployedConfig !== distribution.config) distribution.deployedConfig = distribution.config;
  return 'Deployed';
}

function distributionXml(state: AwsApiState, distribution: DistributionState): XmlNode {
  return {
    Id: distribution.id,
    ARN: distribution.arn,
    Status: settleDistribution(state, distribution),
    LastModifiedTime: isoTime(distribution.lastModified),
    InProgressInvalidationBatches: '0',
    DomainName: distribution.domainName,
    ActiveTrustedSigners: { Enabled: 'false', Quantity: '0' },
    ActiveTrustedKeyGroups: { Enabled: 'false', Quantity: '0' },
    DistributionConfig: cloneNode(distribution.config),
  };
}

function summaryXml(state: AwsApiState, distribution: DistributionState): XmlNode {
  const config = distribution.config;
  const pick = (name: string, fallback: XmlNode | string): XmlNode | string => {
    const value = config[name];
    return value === undefined || Array.isArray(value) ? fallback : cloneNode(value);
  };
  return {
    Id: distribution.id,
    ARN: distribution.arn,
    ETag: distribution.etag,
    Status: settleDistribution(state, distribution),
    LastModifiedTime: isoTime(distribution.lastModified),
    DomainName: distribution.domainName,
    Aliases: pick('Aliases', { Quantity: '0' }),
    Origins: pick('Origins', { Quantity: '0' }),
    OriginGroups: pick('OriginGroups', { Quantity: '0' }),
    DefaultCacheBehavior: pick('DefaultCacheBehavior', {}),
    CacheBehaviors: pick('CacheBehaviors', { Quantity: '0' }),
    CustomErrorResponses: pick('CustomErrorResponses', { Quantity: '0' }),
    Comment: pick('Comment', ''),
    PriceClass: pick('PriceClass', 'PriceClass_All'),
    Enabled: pick('Enabled', 'false'),
    ViewerCertificate: pick('ViewerCertificate', { CloudFrontDefaultCertificate: 'true' }),
    Restrictions: pick('Restrictions', { GeoRestriction: { RestrictionType: 'none', Quantity: '0' } }),
    WebACLId: pick('WebACLId', ''),
    HttpVersion: pick('HttpVersion', 'http2'),
    IsIPV6Enabled: pick('IsIPV6Enabled', 'true'),
    Staging: pick('Staging', 'false'),
    ConnectionMode: pick('ConnectionMode', 'direct'),
  };
}

/** Fills the fields CloudFront fills when a config leaves them out, as the real one echoes them. */
function withDefaults(config: XmlNode): XmlNode {
  return {
    ...config,
    PriceClass: config.PriceClass ?? 'PriceClass_All',
    HttpVersion: config.HttpVersion ?? 'http2',
    IsIPV6Enabled: config.IsIPV6Enabled ?? 'true',
    Restrictions: config.Restrictions ?? { GeoRestriction: { RestrictionType: 'none', Quantity: '0' } },
    WebACLId: config.WebACLId ?? '',
  };
}

/** Checks a config the way CloudFront does; returns the error to send, or `undefined`. */
function validateConfig(
  state: AwsApiState,
  config: XmlNode | undefined,
  self: DistributionState | undefined,
  checkCertificate = true,
): VendorResponse | undefined {
  if (!config) return error(400, 'MalformedInput', 'The request body is not a DistributionConfig.');
  for (const required of ['CallerReference', 'Origins', 'DefaultCacheBehavior', 'Comment', 'Enabled']) {
    if (config[required] === undefined) return error(400, 'InvalidArgument', `The parameter ${required} is required.`);
  }
  const comment = childText(config, 'Comment') ?? '';
  if (comment.length > 128) return error(400, 'InvalidArgument', 'The parameter Comment is too long (at most 128 characters).');
  const origins = itemNodes(childNode(config, 'Origins'), 'Origin');
  if (origins.length === 0) return error(400, 'InvalidArgument', 'The parameter Origins must contain at least one origin.');
  const behavior = childNode(config, 'DefaultCacheBehavior');
  const target = childText(behavior, 'TargetOriginId');
  if (!origins.some((origin) => childText(origin, 'Id') === target)) {
    return error(404, 'NoSuchOrigin', `No origin has the id ${String(target)} that the default cache behavior targets.`);
  }
  const viewerPolicy = childText(behavior, 'ViewerProtocolPolicy');
  if (!['allow-all', 'https-only', 'redirect-to-https'].includes(viewerPolicy ?? '')) {
    return error(400, 'InvalidArgument', 'The parameter ViewerProtocolPolicy is invalid.');
  }
  const cachePolicy = childText(behavior, 'CachePolicyId');
  if (cachePolicy !== undefined && !(cachePolicy in managedCachePolicies)) {
    return error(404, 'NoSuchCachePolicy', `The cache policy ${cachePolicy} does not exist.`);
  }
  if (cachePolicy === undefined && behavior?.ForwardedValues === undefined) {
    return error(400, 'InvalidArgument', 'The parameter ForwardedValues is required when no cache policy is given.');
  }
  const originRequestPolicy = childText(behavior, 'OriginRequestPolicyId');
  if (originRequestPolicy !== undefined && originRequestPolicy !== '' && !(originRequestPolicy in managedOriginRequestPolicies)) {
    return error(404, 'NoSuchOriginRequestPolicy', `The origin request policy ${originRequestPolicy} does not exist.`);
  }
  const aliases = configAliases(config);
  // A multi-tenant distribution has no aliases: its tenants hold the domains (SaaS Manager's
  // unsupported features: "aliases - Managed by connection groups").
  if (childText(config, 'ConnectionMode') === 'tenant-only' && aliases.length > 0) {
    return error(400, 'InvalidArgument', 'A multi-tenant distribution cannot have alternate domain names (CNAMEs); add the domains to distribution tenants.');
  }
  if (aliases.length > 100) return error(400, 'TooManyDistributionCNAMEs', 'Your request contains more CNAMEs than are allowed per distribution.');
  for (const alias of aliases) {
    let holder: DistributionState | undefined;
    for (const other of state.distributions.values()) {
      if (other !== self && configAliases(other.config).includes(alias)) {
        holder = other;
        break;
      }
    }
    if (holder) {
      return error(409, 'CNAMEAlreadyExists', `One or more of the CNAMEs you provided are already associated with a different resource (${alias}).`);
    }
  }
  if (aliases.length > 0 && checkCertificate) {
    const viewer = childNode(config, 'ViewerCertificate');
    const arn = childText(viewer, 'ACMCertificateArn');
    const certificate = arn === undefined ? undefined : state.certificates.get(arn);
    if (certificate) settleCertificate(state, certificate);
    if (!certificate || certificate.status !== 'ISSUED') {
      return error(
        400,
        'InvalidViewerCertificate',
        arn === undefined
          ? 'To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted certificate that validates your authorization to use the domain name.'
          : "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.",
      );
    }
    const uncovered = aliases.find((alias) => !certificateNames(certificate).some((name) => certificateNameCovers(name, alias)));
    if (uncovered) {
      return error(400, 'InvalidViewerCertificate', `The certificate that is attached to your distribution doesn't cover the alternate domain name (CNAME) ${uncovered}.`);
    }
  }
  return undefined;
}

function readTags(node: XmlNode | undefined): Map<string, string> {
  return new Map(itemNodes(node, 'Tag').map((tag) => [childText(tag, 'Key') ?? '', childText(tag, 'Value') ?? '']));
}

function tagsXml(tags: Map<string, string>): XmlNode {
  return tags.size === 0 ? {} : { Items: { Tag: [...tags].map(([Key, Value]) => ({ Key, Value })) } };
}

function parseBody(request: VendorRequest): XmlNode | undefined {
  try {
    return parseXml(request.text());
  } catch {
    return undefined;
  }
}

function visibleDistribution(state: AwsApiState, id: string): DistributionState | undefined {
  const distribution = state.distributions.get(id);
  return distribution && !distribution.otherAccount ? distribution : undefined;
}

/** Creates a distribution in the fake's state (the API's create, and the test helpers'). */
export function createDistribution(
  state: AwsApiState,
  config: XmlNode,
  tags: Map<string, string>,
  options: { otherAccount?: boolean } = {},
): DistributionState | VendorResponse {
  // Another account's certificate is not in this account's ACM: only its aliases are checked.
  const invalid = validateConfig(state, config, undefined, !options.otherAccount);
  if (invalid) return invalid;
  const callerReference = childText(config, 'CallerReference');
  if ([...state.distributions.values()].some((other) => !other.otherAccount && childText(other.config, 'CallerReference') === callerReference)) {
    return error(409, 'DistributionAlreadyExists', 'The caller reference that you are using to create a distribution is associated with another distribution.');
  }
  const id = upperId('E', 13);
  const now = state.now();
  const accountId = options.otherAccount ? '210987654321' : state.options.accountId;
  const distribution: DistributionState = {
    id,
    arn: `arn:aws:cloudfront::${accountId}:distribution/${id}`,
    domainName: `d${randomBytes(7).toString('hex').slice(0, 13)}.cloudfront.net`,
    config: withDefaults(cloneNode(config)),
    tags,
    etag: newEtag(),
    lastModified: now,
    deployAt: now + state.options.deployDelayMs,
    otherAccount: options.otherAccount ?? false,
  };
  state.distributions.set(id, distribution);
  return distribution;
}

function created(state: AwsApiState, result: DistributionState | VendorResponse): VendorResponse {
  if (!('id' in result)) return result;
  return xmlResponse(201, 'Distribution', cloudFrontNamespace, distributionXml(state, result), {
    location: `https://cloudfront.amazonaws.com${apiPrefix}/distribution/${result.id}`,
    etag: result.etag,
  });
}

function checkIfMatch(state: AwsApiState, request: VendorRequest, distribution: DistributionState): VendorResponse | undefined {
  if (state.concurrentChanges.delete(distribution.id)) distribution.etag = newEtag();
  const ifMatch = request.headers['if-match'];
  if (typeof ifMatch !== 'string' || ifMatch === '') {
    return error(400, 'InvalidIfMatchVersion', 'The If-Match version is missing or not valid for the resource.');
  }
  if (ifMatch !== distribution.etag) {
    return error(412, 'PreconditionFailed', 'The precondition given in one or more of the request header fields evaluated to false.');
  }
  return undefined;
}

/**
 * The fake CloudFront API, REST-XML 2020-05-31: create (with tags), get, get config, list with
 * `Marker` paging, update and delete with real `ETag`/`If-Match` semantics, and tags.
 */
export function cloudFrontRoutes(state: AwsApiState): (router: VendorRouter) => void {
  const { gate, finish } = restXmlService(state, 'cloudfront', cloudFrontNamespace);

  return (router) => {
    router.add('POST', `${apiPrefix}/distribution`, async (request) => {
      const withTags = request.query.has('WithTags');
      const operation = withTags ? 'CreateDistributionWithTags' : 'CreateDistribution';
      const denied = gate(request, 'CreateDistribution') ?? (withTags ? gate(request, 'TagResource') : undefined);
      if (denied) return logged(state, 'cloudfront', operation, true, denied);
      const body = parseBody(request);
      const config = withTags ? childNode(childNode(body, 'DistributionConfigWithTags'), 'DistributionConfig') : childNode(body, 'DistributionConfig');
      if (!config) return finish(operation, true, error(400, 'MalformedInput', 'The request body is not valid XML for this operation.'));
      const tags = withTags ? readTags(childNode(childNode(body, 'DistributionConfigWithTags'), 'Tags')) : new Map<string, string>();
      const result = createDistribution(state, config, tags);
      return finish(operation, true, created(state, result), 'id' in result ? result.id : undefined);
    });

    router.add('GET', `${apiPrefix}/distribution`, async (request) => {
      const denied = gate(request, 'ListDistributions');
      if (denied) return logged(state, 'cloudfront', 'ListDistributions', false, denied);
      const maxItems = Math.max(1, Math.min(1000, Number.parseInt(request.query.get('MaxItems') ?? '100', 10) || 100));
      const marker = request.query.get('Marker') ?? '';
      const all = [...state.distributions.values()].filter(
        (distribution) => !distribution.otherAccount && (state.options.listDistributionsShowsMultiTenant || childText(distribution.config, 'ConnectionMode') !== 'tenant-only'),
      );
      const start = marker === '' ? 0 : all.findIndex((distribution) => distribution.id === marker) + 1;
      const page = all.slice(start, start + maxItems);
      const truncated = start + maxItems < all.length;
      const list: XmlNode = {
        Marker: marker,
        ...(truncated && page.length > 0 ? { NextMarker: page[page.length - 1]?.id ?? '' } : {}),
        MaxItems: String(maxItems),
        IsTruncated: String(truncated),
        Quantity: String(page.length),
        ...(page.length > 0 ? { Items: { DistributionSummary: page.map((distribution) => summaryXml(state, distribution)) } } : {}),
      };
      return finish('ListDistributions', false, xmlResponse(200, 'DistributionList', cloudFrontNamespace, list));
    });

    // GET /2020-05-31/distributionsByConnectionMode/{ConnectionMode} (the SDK's ListDistributionsByConnectionMode).
    router.add('GET', `${apiPrefix}/distributionsByConnectionMode/:mode`, async (request) => {
      const denied = gate(request, 'ListDistributionsByConnectionMode');
      if (denied) return logged(state, 'cloudfront', 'ListDistributionsByConnectionMode', false, denied);
      const mode = request.params.mode ?? '';
      const maxItems = Math.max(1, Math.min(1000, Number.parseInt(request.query.get('MaxItems') ?? '100', 10) || 100));
      const marker = request.query.get('Marker') ?? '';
      const all = [...state.distributions.values()].filter((distribution) => !distribution.otherAccount && (childText(distribution.config, 'ConnectionMode') ?? 'direct') === mode);
      const start = marker === '' ? 0 : all.findIndex((distribution) => distribution.id === marker) + 1;
      const page = all.slice(start, start + maxItems);
      const truncated = start + maxItems < all.length;
      const list: XmlNode = {
        Marker: marker,
        ...(truncated && page.length > 0 ? { NextMarker: page[page.length - 1]?.id ?? '' } : {}),
        MaxItems: String(maxItems),
        IsTruncated: String(truncated),
        Quantity: String(page.length),
        ...(page.length > 0 ? { Items: { DistributionSummary: page.map((distribution) => summaryXml(state, distribution)) } } : {}),
      };
      return finish('ListDistributionsByConnectionMode', false, xmlResponse(200, 'DistributionList', cloudFrontNamespace, list));
    });

    router.add('GET', `${apiPrefix}/distribution/:id`, async (request) => {
      const denied = gate(request, 'GetDistribution');
      if (denied) return logged(state, 'cloudfront', 'GetDistribution', false, denied);
      const distribution = visibleDistribution(state, request.params.id ?? '');
      if (!distribution) return finish('GetDistribution', false, error(404, 'NoSuchDistribution', 'The specified distribution does not exist.'));
      const response = xmlResponse(200, 'Distribution', cloudFrontNamespace, distributionXml(state, distribution), { etag: distribution.etag });
      return finish('GetDistribution', false, response, distribution.id);
    });

    router.add('GET', `${apiPrefix}/distribution/:id/config`, async (request) => {
      const denied = gate(request, 'GetDistributionConfig');
      if (denied) return logged(state, 'cloudfront', 'GetDistributionConfig', false, denied);
      const distribution = visibleDistribution(state, request.params.id ?? '');
      if (!distribution) return finish('GetDistributionConfig', false, error(404, 'NoSuchDistribution', 'The specified distribution does not exist.'));
      settleDistribution(state, distribution);
      const response = xmlResponse(200, 'DistributionConfig', cloudFrontNamespace, cloneNode(distribution.config), { etag: distribution.etag });
      return finish('GetDistributionConfig', false, response, distribution.id);
    });

    router.add('PUT', `${apiPrefix}/distribution/:id/config`, async (request) => {
      const denied = gate(request, 'UpdateDistribution');
      if (denied) return logged(state, 'cloudfront', 'UpdateDistribution', true, denied);
      const distribution = visibleDistribution(state, request.params.id ?? '');
      if (!distribution) return finish('UpdateDistribution', true, error(404, 'NoSuchDistribution', 'The specified distribution does not exist.'));
      const stale = checkIfMatch(state, request, distribution);
      if (stale) return finish('UpdateDistribution', true, stale, distribution.id);
      const config = childNode(parseBody(request), 'DistributionConfig');
      const invalid = validateConfig(state, config, distribution);
      if (invalid || !config) return finish('UpdateDistribution', true, invalid ?? error(400, 'MalformedInput', 'Not a DistributionConfig.'), distribution.id);
      if (childText(config, 'CallerReference') !== childText(distribution.config, 'CallerReference')) {
        return finish('UpdateDistribution', true, error(400, 'IllegalUpdate', 'The CallerReference of a distribution cannot be changed.'), distribution.id);
      }
      settleDistribution(state, distribution);
      const now = state.now();
      distribution.config = withDefaults(cloneNode(config));
      distribution.etag = newEtag();
      distribution.lastModified = now;
      distribution.deployAt = now + state.options.deployDelayMs;
      const response = xmlResponse(200, 'Distribution', cloudFrontNamespace, distributionXml(state, distribution), { etag: distribution.etag });
      return finish('UpdateDistribution', true, response, distribution.id);
    });

    router.add('DELETE', `${apiPrefix}/distribution/:id`, async (request) => {
      const denied = gate(request, 'DeleteDistribution');
      if (denied) return logged(state, 'cloudfront', 'DeleteDistribution', true, denied);
      const distribution = visibleDistribution(state, request.params.id ?? '');
      if (!distribution) return finish('DeleteDistribution', true, error(404, 'NoSuchDistribution', 'The specified distribution does not exist.'));
      const stale = checkIfMatch(state, request, distribution);
      if (stale) return finish('DeleteDistribution', true, stale, distribution.id);
      if (childText(distribution.config, 'Enabled') !== 'false' || settleDistribution(state, distribution) !== 'Deployed') {
        return finish(
          'DeleteDistribution',
          true,
          error(409, 'DistributionNotDisabled', 'The distribution you are trying to delete has not been disabled, or its last change has not finished deploying.'),
          distribution.id,
        );
      }
      state.distributions.delete(distribution.id);
      return finish('DeleteDistribution', true, { status: 204, headers: { 'x-amzn-requestid': upperId('', 8) } }, distribution.id);
    });

    // Tags live on distributions, and on SaaS Manager's tenants and connection groups alike.
    const findByArn = (arn: string | null): { id: string; tags: Map<string, string> } | undefined => {
      // Each ARN ends with its resource's id, the key of the fake's maps: a few lookups, not a scan
      // of the account for every tag read of a fleet.
      const id = arn?.slice(arn.lastIndexOf('/') + 1) ?? '';
      const distribution = state.distributions.get(id);
      if (distribution && !distribution.otherAccount && distribution.arn === arn) return distribution;
      return [state.tenants.get(id), state.connectionGroups.get(id)].find((resource) => resource !== undefined && resource.arn === arn);
    };

    router.add('GET', `${apiPrefix}/tagging`, async (request) => {
      const denied = gate(request, 'ListTagsForResource');
      if (denied) return logged(state, 'cloudfront', 'ListTagsForResource', false, denied);
      const distribution = findByArn(request.query.get('Resource'));
      if (!distribution) return finish('ListTagsForResource', false, error(404, 'NoSuchResource', 'The specified resource does not exist.'));
      return finish('ListTagsForResource', false, xmlResponse(200, 'Tags', cloudFrontNamespace, tagsXml(distribution.tags)), distribution.id);
    });

    router.add('POST', `${apiPrefix}/tagging`, async (request) => {
      const operation = request.query.get('Operation') === 'Untag' ? 'UntagResource' : 'TagResource';
      const denied = gate(request, operation);
      if (denied) return logged(state, 'cloudfront', operation, true, denied);
      const distribution = findByArn(request.query.get('Resource'));
      if (!distribution) return finish(operation, true, error(404, 'NoSuchResource', 'The specified resource does not exist.'));
      const body = parseBody(request);
      if (operation === 'TagResource') {
        for (const [key, value] of readTags(childNode(body, 'Tags'))) distribution.tags.set(key, value);
      } else {
        for (const key of itemTexts(childNode(body, 'TagKeys'), 'Key')) distribution.tags.delete(key);
      }
      return finish(operation, true, { status: 204 }, distribution.id);
    });
  };
}

/** Builds a minimal valid `DistributionConfig` node, for test helpers that create distributions directly. */
export function minimalDistributionConfig(options: {
  aliases: string[];
  certificateArn?: string;
  originDomainName?: string;
  comment?: string;
  originRequestPolicyId?: string;
}): XmlNode {
  return {
    CallerReference: `sandbox-${upperId('', 10)}`,
    Aliases: quantityList('CNAME', options.aliases),
    Origins: quantityList('Origin', [
      {
        Id: 'origin',
        DomainName: options.originDomainName ?? 'example.org',
        CustomOriginConfig: {
          HTTPPort: '80',
          HTTPSPort: '443',
          OriginProtocolPolicy: 'https-only',
          OriginSslProtocols: quantityList('SslProtocol', ['TLSv1.2']),
        },
      },
    ]),
    DefaultCacheBehavior: {
      TargetOriginId: 'origin',
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
      ...(options.originRequestPolicyId ? { OriginRequestPolicyId: options.originRequestPolicyId } : {}),
    },
    Comment: options.comment ?? 'someone else’s distribution',
    Enabled: 'true',
    ViewerCertificate: options.certificateArn
      ? { ACMCertificateArn: options.certificateArn, SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' }
      : { CloudFrontDefaultCertificate: 'true' },
  };
}
