import { SslClickError, type DnsRecord, type RunOptions } from '@sslclick/core';
import type { FastlyClient } from './fastly-client.js';
import type {
  DnsRecordAttributes,
  JsonApiDocument,
  JsonApiResource,
  TlsAuthorizationAttributes,
  TlsSubscriptionAttributes,
} from './fastly-types.js';

/** The certificate authorities sslclick asks Fastly for. */
export type FastlyCertificateAuthority = 'certainly' | 'lets-encrypt';

/** A TLS subscription with what the adapter needs from it. */
export interface Subscription {
  id: string;
  state: TlsSubscriptionAttributes['state'];
  certificateAuthority: string;
  domains: string[];
  configurationId: string | undefined;
  /** The `managed-dns` challenge: `_acme-challenge.<host>` CNAME → `<random>.fastly-validations.com`. */
  challenge: DnsRecord | undefined;
  /**
   * Where the host's CNAME points to be served: the `managed-http-cname` challenge's value (the
   * subscription's TLS configuration's target, e.g. `j.sni.global.fastly.net`), read with the
   * subscription; `undefined` when Fastly gave none, and the configuration is read instead.
   */
  cnameTarget: string | undefined;
  /** sslclick creates subscriptions for exactly one hostname; one covering others is not ours to delete. */
  owned: boolean;
  raw: JsonApiResource<TlsSubscriptionAttributes>;
}

function related(resource: JsonApiResource<unknown>, name: string): Array<{ id: string; type: string }> {
  const data = resource.relationships?.[name]?.data;
  return data === undefined || data === null ? [] : Array.isArray(data) ? data : [data];
}

function toSubscription(resource: JsonApiResource<TlsSubscriptionAttributes>, included: JsonApiDocument<unknown>['included'], hostname: string): Subscription {
  const authorizationIds = new Set(related(resource, 'tls_authorizations').map((item) => item.id));
  let challenge: DnsRecord | undefined;
  let cnameTarget: string | undefined;
  for (const item of included ?? []) {
    if (item.type !== 'tls_authorization' || !authorizationIds.has(item.id)) continue;
    const attributes = item.attributes as unknown as TlsAuthorizationAttributes;
    const found = attributes.challenges?.find((candidate) => candidate.type === 'managed-dns' && candidate.record_name.toLowerCase() === `_acme-challenge.${hostname}`);
    const value = found?.values[0];
    if (found && value) {
      challenge = { name: found.record_name.toLowerCase().replace(/\.$/, ''), type: 'CNAME', value: value.toLowerCase().replace(/\.$/, ''), purpose: 'certificate validation (Fastly managed-dns challenge)' };
    }
    // The record that serves the host (fastly/go-fastly fixtures/tls_subscription/create.yaml:
    // `managed-http-cname`, record_name = the host, values ["j.sni.global.fastly.net"]; the
    // Fastly Heroku plugin, fastly/heroku-fastly commands/verify.js, tells users of an issued
    // subscription to publish this value): the same target the configuration's DNS records give.
    const serving = attributes.challenges?.find((candidate) => candidate.type === 'managed-http-cname' && candidate.record_type === 'CNAME' && candidate.record_name.toLowerCase().replace(/\.$/, '') === hostname);
    const target = serving?.values[0];
    if (target) cnameTarget = target.toLowerCase().replace(/\.$/, '');
  }
  const domains = related(resource, 'tls_domains').map((item) => item.id.toLowerCase());
  return {
    id: resource.id,
    state: resource.attributes.state,
    certificateAuthority: resource.attributes.certificate_authority,
    domains,
    configurationId: related(resource, 'tls_configuration')[0]?.id,
    challenge,
    cnameTarget,
    owned: domains.length === 1 && domains[0] === hostname,
    raw: resource,
  };
}

/** The subscription covering `hostname`, with its authorizations; `undefined` when there is none. */
export async function findSubscription(client: FastlyClient, hostname: string, run: RunOptions | undefined): Promise<Subscription | undefined> {
  const document = await client.get<JsonApiDocument<Array<JsonApiResource<TlsSubscriptionAttributes>>>>('/tls/subscriptions', {
    operation: 'tls.subscriptions.list',
    query: { 'filter[tls_domains.id]': hostname, include: 'tls_authorizations' },
    run,
  });
  const first = document?.data.find((resource) => related(resource, 'tls_domains').some((domain) => domain.id.toLowerCase() === hostname));
  return first ? toSubscription(first, document?.included, hostname) : undefined;
}

/** Creates a subscription for `hostname` (the default TLS configuration; `managed-dns` challenge). */
export async function createSubscription(
  client: FastlyClient,
  hostname: string,
  certificateAuthority: FastlyCertificateAuthority,
  run: RunOptions | undefined,
): Promise<Subscription> {
  const document = await client.write<JsonApiDocument<JsonApiResource<TlsSubscriptionAttributes>>>('POST', '/tls/subscriptions', {
    operation: 'tls.subscriptions.create',
    json: {
      data: {
        type: 'tls_subscription',
        attributes: { certificate_authority: certificateAuthority },
        relationships: {
          tls_domains: { data: [{ type: 'tls_domain', id: hostname }] },
          common_name: { data: { type: 'tls_domain', id: hostname } },
        },
      },
    },
    // None covered the host a moment ago: one covering exactly it is the lost create's, read
    // back with its authorizations as the create answers.
    recover: async () => {
      const listed = await client.get<JsonApiDocument<Array<JsonApiResource<TlsSubscriptionAttributes>>>>('/tls/subscriptions', {
        operation: 'tls.subscriptions.list',
        query: { 'filter[tls_domains.id]': hostname, include: 'tls_authorizations' },
        run,
      });
      const mine = listed?.data.find((resource) => {
        const domains = related(resource, 'tls_domains').map((domain) => domain.id.toLowerCase());
        return domains.length === 1 && domains[0] === hostname;
      });
      return mine ? { data: mine, ...(listed?.included ? { included: listed.included } : {}) } : undefined;
    },
    run,
  });
  if (!document) throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: 'tls.subscriptions.create', message: 'Fastly returned no subscription.' });
  return toSubscription(document.data, document.included, hostname);
}

/** Reads the CNAME target of a TLS configuration from its DNS records (never hard-coded). */
export async function configurationCnameTarget(client: FastlyClient, configurationId: string | undefined, run: RunOptions | undefined): Promise<string> {
  let id = configurationId;
  if (id === undefined) {
    const list = await client.get<JsonApiDocument<Array<JsonApiResource<{ default?: boolean }>>>>('/tls/configurations', { operation: 'tls.configurations.list', run });
    id = (list?.data.find((item) => item.attributes.default) ?? list?.data[0])?.id;
  }
  if (id === undefined) throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: 'tls.configurations.get', message: 'Fastly lists no TLS configuration.' });
  const document = await client.get<JsonApiDocument<JsonApiResource<Record<string, unknown>>>>(`/tls/configurations/${encodeURIComponent(id)}`, {
    operation: 'tls.configurations.get',
    query: { include: 'dns_records' },
    run,
  });
  const records = (document?.included ?? []).filter((item) => item.type === 'dns_record') as unknown as Array<JsonApiResource<DnsRecordAttributes>>;
  const cname = records.find((record) => record.attributes.record_type === 'CNAME' && (record.attributes.region ?? 'global') === 'global') ?? records.find((record) => record.attributes.record_type === 'CNAME');
  if (!cname) {
    throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: 'tls.configurations.get', message: `The TLS configuration ${id} has no CNAME record to point ${'the hostname'} at.` });
  }
  return cname.id.toLowerCase().replace(/\.$/, '');
}
