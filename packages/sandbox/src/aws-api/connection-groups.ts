import { randomBytes } from 'node:crypto';
import type { VendorResponse, VendorRouter } from '../vendor-api-server.js';
import type { AwsApiState, ConnectionGroupState } from './aws-api-state.js';
import { logged } from './aws-api-state.js';
import { cloudFrontNamespace, isoTime, upperId, xmlError, xmlResponse } from './aws-wire.js';
import type { XmlNode } from './aws-wire.js';
import { restXmlService } from './rest-xml-service.js';

const apiPrefix = '/2020-05-31';
const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A SaaS Manager id: a prefix and 27 letters and digits, as in `dt_2yMvQgam3QkJo2z54FDl91dk1AB`
 * and `cg_2whCJoXMYCjHcxaLGrkllvyABC` (aws/aws-cli `awscli/examples/cloudfront/list-distribution-tenants.rst`).
 */
export function saasManagerId(prefix: 'dt_' | 'cg_'): string {
  const bytes = randomBytes(27);
  let id = prefix;
  for (const byte of bytes) id += alphanumeric[byte % alphanumeric.length];
  return id;
}

/** A fresh CloudFront ETag (`E` and 13 upper-case letters and digits, as distributions have). */
export function newTenantEtag(): string {
  return upperId('E', 13);
}

/** A connection group's status on the sandbox clock: `InProgress` until its deploy time. */
export function connectionGroupStatus(state: AwsApiState, group: ConnectionGroupState): 'InProgress' | 'Deployed' {
  return state.now() < group.deployAt ? 'InProgress' : 'Deployed';
}

/** Creates a connection group in the fake's state (the account's default one, or a test's own). */
export function createConnectionGroup(state: AwsApiState, options: { name: string; isDefault: boolean; tags?: Map<string, string> }): ConnectionGroupState {
  const id = saasManagerId('cg_');
  const now = state.now();
  const group: ConnectionGroupState = {
    id,
    arn: `arn:aws:cloudfront::${state.options.accountId}:connection-group/${id}`,
    name: options.name,
    routingEndpoint: `d${randomBytes(7).toString('hex').slice(0, 13)}.cloudfront.net`,
    isDefault: options.isDefault,
    enabled: true,
    ipv6Enabled: true,
    tags: options.tags ?? new Map(),
    etag: newTenantEtag(),
    createdAt: now,
    lastModified: now,
    deployAt: now + state.options.deployDelayMs,
  };
  state.connectionGroups.set(id, group);
  return group;
}

/**
 * The account's default connection group, created with the first tenant that names none: "When
 * you first create a distribution tenant and you don't specify a connection group, CloudFront
 * will automatically create a default connection group for you"
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ConnectionGroup.html).
 */
export function defaultConnectionGroup(state: AwsApiState): ConnectionGroupState {
  const existing = [...state.connectionGroups.values()].find((group) => group.isDefault);
  return existing ?? createConnectionGroup(state, { name: `default-connection-group-${state.options.accountId}`, isDefault: true });
}

/** A connection group by id, name or ARN (GetConnectionGroup's `Identifier`). */
export function findConnectionGroup(state: AwsApiState, identifier: string): ConnectionGroupState | undefined {
  return [...state.connectionGroups.values()].find((group) => group.id === identifier || group.name === identifier || group.arn === identifier);
}

function tagsXml(tags: Map<string, string>): XmlNode {
  return tags.size === 0 ? {} : { Items: { Tag: [...tags].map(([Key, Value]) => ({ Key, Value })) } };
}

function connectionGroupXml(state: AwsApiState, group: ConnectionGroupState): XmlNode {
  return {
    Id: group.id,
    Name: group.name,
    Arn: group.arn,
    CreatedTime: isoTime(group.createdAt),
    LastModifiedTime: isoTime(group.lastModified),
    Tags: tagsXml(group.tags),
    Ipv6Enabled: String(group.ipv6Enabled),
    RoutingEndpoint: group.routingEndpoint,
    Status: connectionGroupStatus(state, group),
    Enabled: String(group.enabled),
    IsDefault: String(group.isDefault),
  };
}

function summaryXml(state: AwsApiState, group: ConnectionGroupState): XmlNode {
  return {
    Id: group.id,
    Name: group.name,
    Arn: group.arn,
    RoutingEndpoint: group.routingEndpoint,
    CreatedTime: isoTime(group.createdAt),
    LastModifiedTime: isoTime(group.lastModified),
    ETag: group.etag,
    Enabled: String(group.enabled),
    Status: connectionGroupStatus(state, group),
    IsDefault: String(group.isDefault),
  };
}

/**
 * The connection group reads of the fake CloudFront API (2020-05-31): GetConnectionGroup by id,
 * name or ARN, GetConnectionGroupByRoutingEndpoint and ListConnectionGroups, in the paths and
 * XML shapes of `@aws-sdk/client-cloudfront` (`GET /2020-05-31/connection-group/{Identifier}`,
 * `GET /2020-05-31/connection-group?RoutingEndpoint=`, `POST /2020-05-31/connection-groups`).
 */
export function connectionGroupRoutes(state: AwsApiState): (router: VendorRouter) => void {
  const { gate, finish } = restXmlService(state, 'cloudfront', cloudFrontNamespace);
  const notFound = (): VendorResponse => xmlError(cloudFrontNamespace, 404, 'EntityNotFound', 'The entity was not found.');
  const answer = (group: ConnectionGroupState): VendorResponse =>
    xmlResponse(200, 'ConnectionGroup', cloudFrontNamespace, connectionGroupXml(state, group), { etag: group.etag });

  return (router) => {
    router.add('GET', `${apiPrefix}/connection-group/:id`, async (request) => {
      const denied = gate(request, 'GetConnectionGroup');
      if (denied) return logged(state, 'cloudfront', 'GetConnectionGroup', false, denied);
      const group = findConnectionGroup(state, decodeURIComponent(request.params.id ?? ''));
      return finish('GetConnectionGroup', false, group ? answer(group) : notFound(), group?.id);
    });

    router.add('GET', `${apiPrefix}/connection-group`, async (request) => {
      const denied = gate(request, 'GetConnectionGroupByRoutingEndpoint');
      if (denied) return logged(state, 'cloudfront', 'GetConnectionGroupByRoutingEndpoint', false, denied);
      const endpoint = request.query.get('RoutingEndpoint') ?? '';
      const group = [...state.connectionGroups.values()].find((candidate) => candidate.routingEndpoint === endpoint);
      return finish('GetConnectionGroupByRoutingEndpoint', false, group ? answer(group) : notFound(), group?.id);
    });

    router.add('POST', `${apiPrefix}/connection-groups`, async (request) => {
      const denied = gate(request, 'ListConnectionGroups');
      if (denied) return logged(state, 'cloudfront', 'ListConnectionGroups', false, denied);
      const groups = [...state.connectionGroups.values()];
      const body: XmlNode = groups.length === 0 ? {} : { ConnectionGroups: { ConnectionGroupSummary: groups.map((group) => summaryXml(state, group)) } };
      return finish('ListConnectionGroups', false, xmlResponse(200, 'ListConnectionGroupsResult', cloudFrontNamespace, body));
    });
  };
}
