import { normalizeDnsName } from '../dns-zone.js';
import type { VendorRequest, VendorResponse, VendorRouter } from '../vendor-api-server.js';
import { certificateNameCovers, certificateNames, settleCertificate } from './acm-api.js';
import type { AwsApiState, DistributionTenantState } from './aws-api-state.js';
import { logged } from './aws-api-state.js';
import { childNode, childText, cloneNode, cloudFrontNamespace, isoTime, itemNodes, parseXml, xmlError, xmlResponse } from './aws-wire.js';
import type { XmlNode, XmlValue } from './aws-wire.js';
import { configAliases } from './cloudfront-api.js';
import { defaultConnectionGroup, findConnectionGroup, newTenantEtag, saasManagerId } from './connection-groups.js';
import { restXmlService } from './rest-xml-service.js';

const apiPrefix = '/2020-05-31';
// The API reference's pattern for a tenant name (aws cloudfront create-distribution-tenant --name).
const tenantNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]$/;
// "Each distribution tenant can have up to 5 domains" (UpdateDistributionTenant, Domains).
const maxDomainsPerTenant = 5;

function error(status: number, code: string, message: string): VendorResponse {
  return xmlError(cloudFrontNamespace, status, code, message);
}

/** Whether a distribution in the fake is a multi-tenant one (`ConnectionMode` `tenant-only`). */
export function isMultiTenant(config: XmlNode | undefined): boolean {
  return childText(config, 'ConnectionMode') === 'tenant-only';
}

/**
 * Moves a tenant along on the sandbox clock: once `deployAt` has passed, its settings are what
 * the edge serves. Returns the status CloudFront reports (`InProgress` or `Deployed`, the two
 * values terraform-provider-aws waits between in `internal/service/cloudfront/distribution_tenant.go`).
 */
export function settleTenant(state: AwsApiState, tenant: DistributionTenantState): 'InProgress' | 'Deployed' {
  if (state.now() < tenant.deployAt) return 'InProgress';
  const deployed = tenant.deployed;
  if (
    !deployed ||
    deployed.enabled !== tenant.enabled ||
    deployed.certificateArn !== tenant.certificateArn ||
    deployed.domains.join() !== tenant.domains.join() ||
    deployed.distributionId !== tenant.distributionId ||
    deployed.connectionGroupId !== tenant.connectionGroupId
  ) {
    tenant.deployed = {
      enabled: tenant.enabled,
      domains: [...tenant.domains],
      ...(tenant.certificateArn ? { certificateArn: tenant.certificateArn } : {}),
      distributionId: tenant.distributionId,
      connectionGroupId: tenant.connectionGroupId,
    };
  }
  return 'Deployed';
}

/** A domain's status: `active`, or `inactive` before its CNAME reaches the routing endpoint when the fake is told so. */
function domainStatus(state: AwsApiState, tenant: DistributionTenantState, domain: string): 'active' | 'inactive' {
  if (state.options.tenantDomainStatusBeforeCutover === 'active') return 'active';
  const endpoint = state.connectionGroups.get(tenant.connectionGroupId)?.routingEndpoint;
  const cname = state.sandbox.dns.zone.getRecords(domain).find((record) => record.type === 'CNAME')?.value;
  return endpoint !== undefined && cname !== undefined && normalizeDnsName(cname) === endpoint ? 'active' : 'inactive';
}

function tagsXml(tags: Map<string, string>): XmlNode {
  return tags.size === 0 ? {} : { Items: { Tag: [...tags].map(([Key, Value]) => ({ Key, Value })) } };
}

function domainsXml(state: AwsApiState, tenant: DistributionTenantState): XmlNode {
  const member = state.options.tenantDomainMemberName;
  return { [member]: tenant.domains.map((domain) => ({ Domain: domain, Status: domainStatus(state, tenant, domain) })) };
}

function customizationsXml(tenant: DistributionTenantState): XmlNode {
  return { ...cloneNode(tenant.customizations), ...(tenant.certificateArn ? { Certificate: { Arn: tenant.certificateArn } } : {}) };
}

function tenantXml(state: AwsApiState, tenant: DistributionTenantState): XmlNode {
  return {
    Id: tenant.id,
    DistributionId: tenant.distributionId,
    Name: tenant.name,
    Arn: tenant.arn,
    Domains: domainsXml(state, tenant),
    Tags: tagsXml(tenant.tags),
    Customizations: customizationsXml(tenant),
    ...(tenant.parameters.length > 0 ? { Parameters: { member: tenant.parameters.map((parameter) => cloneNode(parameter)) } } : {}),
    ConnectionGroupId: tenant.connectionGroupId,
    CreatedTime: isoTime(tenant.createdAt),
    LastModifiedTime: isoTime(tenant.lastModified),
    Enabled: String(tenant.enabled),
    Status: settleTenant(state, tenant),
  };
}

function summaryXml(state: AwsApiState, tenant: DistributionTenantState): XmlNode {
  return {
    Id: tenant.id,
    DistributionId: tenant.distributionId,
    Name: tenant.name,
    Arn: tenant.arn,
    Domains: domainsXml(state, tenant),
    CreatedTime: isoTime(tenant.createdAt),
    LastModifiedTime: isoTime(tenant.lastModified),
    ETag: tenant.etag,
    ConnectionGroupId: tenant.connectionGroupId,
    Customizations: customizationsXml(tenant),
    Enabled: String(tenant.enabled),
    Status: settleTenant(state, tenant),
  };
}

/** The members of a list whatever the element name (`member` as the SDK sends, or the shape name as the reference shows). */
function anyMembers(wrapper: XmlNode | undefined): XmlNode[] {
  if (!wrapper) return [];
  return Object.values(wrapper)
    .flatMap((value: XmlValue) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is XmlNode => typeof value === 'object' && !Array.isArray(value));
}

function readTags(node: XmlNode | undefined): Map<string, string> {
  return new Map(itemNodes(node, 'Tag').map((tag) => [childText(tag, 'Key') ?? '', childText(tag, 'Value') ?? '']));
}

/** The request's root element (`<CreateDistributionTenantRequest>`, …), whatever its name. */
function parseBody(request: VendorRequest): XmlNode | undefined {
  try {
    const document = parseXml(request.text());
    const root = Object.values(document).find((value) => typeof value === 'object' && !Array.isArray(value));
    return root as XmlNode | undefined;
  } catch {
    return undefined;
  }
}

/** A tenant by id, name or ARN (GetDistributionTenant's `Identifier`). */
export function findTenant(state: AwsApiState, identifier: string): DistributionTenantState | undefined {
  return [...state.tenants.values()].find((tenant) => tenant.id === identifier || tenant.name === identifier || tenant.arn === identifier);
}

/** What a create or update asks for, read from its body. */
interface TenantInput {
  distributionId: string | undefined;
  domains: string[];
  certificateArn: string | undefined;
  customizations: XmlNode;
  parameters: XmlNode[];
  connectionGroupId: string | undefined;
  enabled: boolean | undefined;
  managedCertificate: boolean;
}

function readInput(body: XmlNode | undefined): TenantInput {
  const customizations = cloneNode(childNode(body, 'Customizations') ?? {});
  const certificateArn = childText(childNode(customizations, 'Certificate'), 'Arn');
  delete customizations.Certificate;
  const enabled = childText(body, 'Enabled');
  return {
    distributionId: childText(body, 'DistributionId'),
    domains: anyMembers(childNode(body, 'Domains')).map((item) => normalizeDnsName(childText(item, 'Domain') ?? '')),
    certificateArn,
    customizations,
    parameters: anyMembers(childNode(body, 'Parameters')),
    connectionGroupId: childText(body, 'ConnectionGroupId'),
    enabled: enabled === undefined ? undefined : enabled === 'true',
    managedCertificate: childNode(body, 'ManagedCertificateRequest') !== undefined,
  };
}

/**
 * Checks what a tenant would serve, as CloudFront does: a multi-tenant distribution, 1 to 5
 * domains nobody else holds (a standard distribution's alias or another tenant's domain:
 * `CNAMEAlreadyExists`), and an ISSUED certificate covering every domain (the tenant's own, or
 * the distribution's), unless a managed certificate is requested.
 */
function validateTenant(state: AwsApiState, input: TenantInput, self: DistributionTenantState | undefined): VendorResponse | undefined {
  const distribution = input.distributionId === undefined ? undefined : state.distributions.get(input.distributionId);
  if (!distribution || distribution.otherAccount) return error(404, 'EntityNotFound', `The distribution ${String(input.distributionId)} was not found.`);
  if (!isMultiTenant(distribution.config)) {
    return error(400, 'InvalidArgument', `The distribution ${distribution.id} is not a multi-tenant distribution (ConnectionMode tenant-only).`);
  }
  if (input.domains.length === 0 || input.domains.some((domain) => domain === '')) return error(400, 'InvalidArgument', 'You must specify at least one domain.');
  if (input.domains.length > maxDomainsPerTenant) return error(400, 'InvalidArgument', `A distribution tenant can have at most ${maxDomainsPerTenant} domains.`);
  for (const domain of input.domains) {
    const byDistribution = [...state.distributions.values()].some((other) => configAliases(other.config).includes(domain));
    const byTenant = [...state.tenants.values()].some((other) => other !== self && other.domains.includes(domain));
    if (byDistribution || byTenant) {
      return error(409, 'CNAMEAlreadyExists', `One or more of the CNAMEs you provided are already associated with a different resource (${domain}).`);
    }
  }
  if (input.connectionGroupId !== undefined && !findConnectionGroup(state, input.connectionGroupId)) {
    return error(404, 'EntityNotFound', `The connection group ${input.connectionGroupId} was not found.`);
  }
  if (input.managedCertificate) return undefined;
  const arn = input.certificateArn ?? childText(childNode(distribution.config, 'ViewerCertificate'), 'ACMCertificateArn');
  const certificate = arn === undefined ? undefined : state.certificates.get(arn);
  if (certificate) settleCertificate(state, certificate);
  if (!certificate || certificate.status !== 'ISSUED') {
    return error(400, 'InvalidArgument', `The certificate ${String(arn)} doesn't exist, isn't in us-east-1, or isn't issued.`);
  }
  const uncovered = input.domains.find((domain) => !certificateNames(certificate).some((name) => certificateNameCovers(name, domain)));
  if (uncovered) return error(400, 'InvalidArgument', `The certificate ${certificate.arn} doesn't cover the domain ${uncovered}.`);
  return undefined;
}

function checkIfMatch(state: AwsApiState, request: VendorRequest, tenant: DistributionTenantState): VendorResponse | undefined {
  if (state.concurrentChanges.delete(tenant.id)) tenant.etag = newTenantEtag();
  const ifMatch = request.headers['if-match'];
  if (typeof ifMatch !== 'string' || ifMatch === '') return error(400, 'InvalidIfMatchVersion', 'The If-Match version is missing or not valid for the resource.');
  if (ifMatch !== tenant.etag) return error(412, 'PreconditionFailed', 'The precondition given in one or more of the request header fields evaluated to false.');
  return undefined;
}

/**
 * The distribution tenant API of the fake CloudFront (2020-05-31), in the paths and XML shapes of
 * `@aws-sdk/client-cloudfront`: create (`POST /distribution-tenant`, 201, ETag), get by id, name
 * or ARN and by domain (`GET /distribution-tenant?domain=`), list (`POST /distribution-tenants`
 * with an association filter), update and delete with `If-Match`. Delete needs the tenant
 * disabled and deployed first (`ResourceNotDisabled`), as terraform-provider-aws handles it.
 */
export function distributionTenantRoutes(state: AwsApiState): (router: VendorRouter) => void {
  const { gate, finish } = restXmlService(state, 'cloudfront', cloudFrontNamespace);
  const answer = (status: number, tenant: DistributionTenantState, headers: Record<string, string> = {}): VendorResponse =>
    xmlResponse(status, 'DistributionTenant', cloudFrontNamespace, tenantXml(state, tenant), { etag: tenant.etag, ...headers });
  const notFound = (): VendorResponse => error(404, 'EntityNotFound', 'The entity was not found.');

  return (router) => {
    router.add('POST', `${apiPrefix}/distribution-tenant`, async (request) => {
      const denied = gate(request, 'CreateDistributionTenant');
      if (denied) return logged(state, 'cloudfront', 'CreateDistributionTenant', true, denied);
      const body = parseBody(request);
      const name = childText(body, 'Name') ?? '';
      if (!tenantNamePattern.test(name)) return finish('CreateDistributionTenant', true, error(400, 'InvalidArgument', `The name ${JSON.stringify(name)} is not a valid tenant name.`));
      if (findTenant(state, name)) return finish('CreateDistributionTenant', true, error(409, 'EntityAlreadyExists', `A distribution tenant named ${name} already exists.`));
      const input = readInput(body);
      const invalid = validateTenant(state, input, undefined);
      if (invalid) return finish('CreateDistributionTenant', true, invalid);
      const group = input.connectionGroupId === undefined ? defaultConnectionGroup(state) : findConnectionGroup(state, input.connectionGroupId);
      const id = saasManagerId('dt_');
      const now = state.now();
      const tenant: DistributionTenantState = {
        id,
        arn: `arn:aws:cloudfront::${state.options.accountId}:distribution-tenant/${id}`,
        name,
        distributionId: input.distributionId ?? '',
        connectionGroupId: group?.id ?? '',
        domains: input.domains,
        ...(input.certificateArn ? { certificateArn: input.certificateArn } : {}),
        customizations: input.customizations,
        parameters: input.parameters,
        enabled: input.enabled ?? true,
        tags: readTags(childNode(body, 'Tags')),
        etag: newTenantEtag(),
        createdAt: now,
        lastModified: now,
        deployAt: now + state.options.deployDelayMs,
      };
      state.tenants.set(id, tenant);
      return finish('CreateDistributionTenant', true, answer(201, tenant, { location: `https://cloudfront.amazonaws.com${apiPrefix}/distribution-tenant/${id}` }), id);
    });

    router.add('GET', `${apiPrefix}/distribution-tenant`, async (request) => {
      const denied = gate(request, 'GetDistributionTenantByDomain');
      if (denied) return logged(state, 'cloudfront', 'GetDistributionTenantByDomain', false, denied);
      const domain = normalizeDnsName(request.query.get('domain') ?? '');
      const tenant = [...state.tenants.values()].find((candidate) => candidate.domains.includes(domain));
      return finish('GetDistributionTenantByDomain', false, tenant ? answer(200, tenant) : notFound(), tenant?.id);
    });

    router.add('GET', `${apiPrefix}/distribution-tenant/:id`, async (request) => {
      const denied = gate(request, 'GetDistributionTenant');
      if (denied) return logged(state, 'cloudfront', 'GetDistributionTenant', false, denied);
      const tenant = findTenant(state, decodeURIComponent(request.params.id ?? ''));
      return finish('GetDistributionTenant', false, tenant ? answer(200, tenant) : notFound(), tenant?.id);
    });

    router.add('POST', `${apiPrefix}/distribution-tenants`, async (request) => {
      const denied = gate(request, 'ListDistributionTenants');
      if (denied) return logged(state, 'cloudfront', 'ListDistributionTenants', false, denied);
      const body = parseBody(request);
      const filter = childNode(body, 'AssociationFilter');
      const byDistribution = childText(filter, 'DistributionId');
      const byGroup = childText(filter, 'ConnectionGroupId');
      const maxItems = Math.max(1, Math.min(1000, Number.parseInt(childText(body, 'MaxItems') ?? '100', 10) || 100));
      const marker = childText(body, 'Marker') ?? '';
      const all = [...state.tenants.values()].filter(
        (tenant) => (byDistribution === undefined || tenant.distributionId === byDistribution) && (byGroup === undefined || tenant.connectionGroupId === byGroup),
      );
      const start = marker === '' ? 0 : all.findIndex((tenant) => tenant.id === marker) + 1;
      const page = all.slice(start, start + maxItems);
      const next = start + maxItems < all.length ? page.at(-1)?.id : undefined;
      const list: XmlNode = {
        ...(next ? { NextMarker: next } : {}),
        ...(page.length > 0 ? { DistributionTenantList: { DistributionTenantSummary: page.map((tenant) => summaryXml(state, tenant)) } } : {}),
      };
      return finish('ListDistributionTenants', false, xmlResponse(200, 'ListDistributionTenantsResult', cloudFrontNamespace, list));
    });

    router.add('PUT', `${apiPrefix}/distribution-tenant/:id`, async (request) => {
      const denied = gate(request, 'UpdateDistributionTenant');
      if (denied) return logged(state, 'cloudfront', 'UpdateDistributionTenant', true, denied);
      const tenant = state.tenants.get(request.params.id ?? '');
      if (!tenant) return finish('UpdateDistributionTenant', true, notFound());
      const stale = checkIfMatch(state, request, tenant);
      if (stale) return finish('UpdateDistributionTenant', true, stale, tenant.id);
      const input = readInput(parseBody(request));
      // What the body leaves out stays as it is.
      const merged: TenantInput = {
        ...input,
        distributionId: input.distributionId ?? tenant.distributionId,
        domains: input.domains.length > 0 ? input.domains : tenant.domains,
        certificateArn: input.certificateArn ?? tenant.certificateArn,
        connectionGroupId: input.connectionGroupId ?? tenant.connectionGroupId,
      };
      const enabled = input.enabled ?? tenant.enabled;
      // A tenant being disabled serves nothing, so its certificate is not checked.
      const invalid = enabled ? validateTenant(state, merged, tenant) : undefined;
      if (invalid) return finish('UpdateDistributionTenant', true, invalid, tenant.id);
      settleTenant(state, tenant);
      const now = state.now();
      tenant.distributionId = merged.distributionId ?? tenant.distributionId;
      tenant.domains = merged.domains;
      if (merged.certificateArn === undefined) delete tenant.certificateArn;
      else tenant.certificateArn = merged.certificateArn;
      if (Object.keys(input.customizations).length > 0) tenant.customizations = input.customizations;
      if (input.parameters.length > 0) tenant.parameters = input.parameters;
      tenant.connectionGroupId = merged.connectionGroupId ?? tenant.connectionGroupId;
      tenant.enabled = enabled;
      tenant.etag = newTenantEtag();
      tenant.lastModified = now;
      tenant.deployAt = now + state.options.deployDelayMs;
      return finish('UpdateDistributionTenant', true, answer(200, tenant), tenant.id);
    });

    router.add('DELETE', `${apiPrefix}/distribution-tenant/:id`, async (request) => {
      const denied = gate(request, 'DeleteDistributionTenant');
      if (denied) return logged(state, 'cloudfront', 'DeleteDistributionTenant', true, denied);
      const tenant = state.tenants.get(request.params.id ?? '');
      if (!tenant) return finish('DeleteDistributionTenant', true, notFound());
      const stale = checkIfMatch(state, request, tenant);
      if (stale) return finish('DeleteDistributionTenant', true, stale, tenant.id);
      if (tenant.enabled || settleTenant(state, tenant) !== 'Deployed') {
        return finish('DeleteDistributionTenant', true, error(409, 'ResourceNotDisabled', 'The distribution tenant must be disabled and deployed before it can be deleted.'), tenant.id);
      }
      state.tenants.delete(tenant.id);
      return finish('DeleteDistributionTenant', true, { status: 204, headers: {} }, tenant.id);
    });
  };
}

/** The tenants of a distribution, for the fake's own checks (a multi-tenant distribution with tenants cannot be deleted). */
export function tenantsOf(state: AwsApiState, distributionId: string): DistributionTenantState[] {
  return [...state.tenants.values()].filter((tenant) => tenant.distributionId === distributionId);
}
