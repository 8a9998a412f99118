/**
 * Fastly-managed TLS subscriptions of the shared mode: each holds up to `domainsPerSubscription`
 * branded hosts, each host with its own `managed-dns` challenge (one authorization per domain,
 * fastly/go-fastly fixtures/tls_subscription/update.yaml). A new host joins a subscription of
 * sslclick's with room, else a new one; domain lists change through
 * `PATCH /tls/subscriptions/{id}?force=true` as go-fastly sends it.
 */
import { SslClickError, type DnsRecord, type RunOptions } from '@sslclick/core';
import type { BatchOutcome } from './domain-batch.js';
import type { FastlyClient } from './fastly-client.js';
import type { JsonApiDocument, JsonApiResource, TlsAuthorizationAttributes, TlsSubscriptionAttributes } from './fastly-types.js';
import type { FastlyCertificateAuthority } from './tls-subscription.js';

/**
 * How many domains sslclick puts on one subscription by default. Fastly documents no limit for
 * managed subscriptions; Let's Encrypt, one of the authorities it uses, issues at most 100 names
 * per certificate (https://letsencrypt.org/docs/rate-limits/, "Names per Certificate").
 */
export const defaultDomainsPerSubscription = 100;

/** A subscription as the shared mode reads it. */
export interface SharedSubscription {
  id: string;
  state: TlsSubscriptionAttributes['state'];
  certificateAuthority: string;
  domains: string[];
  configurationId: string | undefined;
  createdAt: string | undefined;
  /** Whether a certificate has been issued (the `tls_certificates` relationship is not empty). */
  hasCertificate: boolean;
  /** Each domain's `managed-dns` challenge record. */
  challenges: Map<string, DnsRecord>;
  /** Each domain's authorization state (`pending`, `valid`, …). */
  authorizationStates: Map<string, string>;
  raw: JsonApiResource<TlsSubscriptionAttributes>;
}

function related(resource: JsonApiResource<unknown>, name: string): Array<{ id: string; type: string }> {
  const data = resource.relationships?.[name]?.data;
  return data === undefined || data === null ? [] : Array.isArray(data) ? data : [data];
}

function clean(value: string): string {
  return value.toLowerCase().replace(/\.$/, '');
}

function toShared(resource: JsonApiResource<TlsSubscriptionAttributes>, included: JsonApiDocument<unknown>['included']): SharedSubscription {
  const authorizationIds = new Set(related(resource, 'tls_authorizations').map((item) => item.id));
  const challenges = new Map<string, DnsRecord>();
  const authorizationStates = new Map<string, string>();
  for (const item of included ?? []) {
    if (item.type !== 'tls_authorization' || !authorizationIds.has(item.id)) continue;
    const attributes = item.attributes as unknown as TlsAuthorizationAttributes;
    const challenge = attributes.challenges?.find((candidate) => candidate.type === 'managed-dns' && /^_acme-challenge\./i.test(candidate.record_name));
    const value = challenge?.values[0];
    if (!challenge || !value) continue;
    const name = clean(challenge.record_name);
    const domain = name.slice('_acme-challenge.'.length);
    challenges.set(domain, { name, type: 'CNAME', value: clean(value), purpose: 'certificate validation (Fastly managed-dns challenge)' });
    authorizationStates.set(domain, attributes.state ?? 'pending');
  }
  return {
    id: resource.id,
    state: resource.attributes.state,
    certificateAuthority: resource.attributes.certificate_authority,
    domains: related(resource, 'tls_domains').map((item) => clean(item.id)),
    configurationId: related(resource, 'tls_configuration')[0]?.id,
    createdAt: resource.attributes.created_at,
    hasCertificate: related(resource, 'tls_certificates').length > 0,
    challenges,
    authorizationStates,
    raw: resource,
  };
}

/**
 * Whether the subscription's certificate covers the host now: an issued (or renewing)
 * subscription covers all its domains; while it is re-issued for a changed domain list, the
 * certificate it has goes on covering the domains whose authorization is valid.
 */
export function covers(subscription: SharedSubscription, hostname: string): boolean {
  if (!subscription.domains.includes(hostname)) return false;
  if (subscription.state === 'issued' || subscription.state === 'renewing') return true;
  return subscription.state !== 'failed' && subscription.hasCertificate && subscription.authorizationStates.get(hostname) === 'valid';
}

/** The subscription holding `hostname`, with its authorizations, or `undefined`. */
export async function findSharedSubscription(client: FastlyClient, hostname: string, run: RunOptions | undefined): Promise<SharedSubscription | undefined> {
  const document = await client.get<JsonApiDocument<Array<JsonApiResource<TlsSubscriptionAttributes>>>>('/tls/subscriptions', {
    operation: 'tls.subscriptions.list',
    query: { 'filter[tls_domains.id]': hostname, include: 'tls_authorizations' },
    run,
  });
  const found = document?.data.find((resource) => related(resource, 'tls_domains').some((domain) => clean(domain.id) === hostname));
  return found ? toShared(found, document?.included) : undefined;
}

/**
 * The subscription's domains as Fastly holds them now, read just before a change: another
 * writer (a second sslclick process on the same account) may have changed them since the list
 * was read, and a change sends the whole list.
 */
async function currentDomains(client: FastlyClient, subscription: SharedSubscription, run: RunOptions | undefined): Promise<string[]> {
  const document = await client.get<JsonApiDocument<JsonApiResource<TlsSubscriptionAttributes>>>(`/tls/subscriptions/${encodeURIComponent(subscription.id)}`, {
    operation: 'tls.subscriptions.get',
    allowNotFound: true,
    run,
  });
  return document ? related(document.data, 'tls_domains').map((domain) => clean(domain.id)) : subscription.domains;
}

/** How many subscriptions one page asks for. */
const pageSize = 100;

/** Every subscription of the account, page by page (a page shorter than asked is the last). */
export async function listSubscriptions(client: FastlyClient, run: RunOptions | undefined): Promise<SharedSubscription[]> {
  const all: SharedSubscription[] = [];
  for (let page = 1; ; page += 1) {
    const document = await client.get<JsonApiDocument<Array<JsonApiResource<TlsSubscriptionAttributes>>>>('/tls/subscriptions', {
      operation: 'tls.subscriptions.list',
      query: { include: 'tls_authorizations', 'page[number]': String(page), 'page[size]': String(pageSize) },
      run,
    });
    const data = document?.data ?? [];
    all.push(...data.map((resource) => toShared(resource, document?.included)));
    const meta = (document as { meta?: { total_pages?: number } } | undefined)?.meta;
    if (data.length < pageSize || (meta?.total_pages !== undefined && page >= meta.total_pages)) return all;
  }
}

/**
 * Whether the subscription is sslclick's: every domain on it is on sslclick's shared service,
 * and it was made no earlier than that service (sslclick makes the service first). Without
 * readable times the domain rule alone decides.
 */
export function ownedBySharedService(subscription: SharedSubscription, service: { owned: boolean; domains: readonly string[]; createdAt: string | undefined }): boolean {
  if (!service.owned || subscription.domains.length === 0) return false;
  // A set: the service holds the whole fleet's domains and this is asked for every host's status.
  const onService = new Set(service.domains);
  if (!subscription.domains.every((domain) => onService.has(domain))) return false;
  const made = Date.parse(subscription.createdAt ?? '');
  const serviceMade = Date.parse(service.createdAt ?? '');
  return Number.isNaN(made) || Number.isNaN(serviceMade) || made >= serviceMade;
}

/** What placing hosts on subscriptions needs. */
export interface PlacementContext {
  client: FastlyClient;
  certificateAuthority: FastlyCertificateAuthority;
  domainsPerSubscription: number;
  /** Whether a host may join a subscription whose certificate is already issued. */
  joinIssued: boolean;
  service: { owned: boolean; domains: readonly string[]; createdAt: string | undefined };
}

function domainsBody(id: string | undefined, domains: readonly string[], commonName: string | undefined): unknown {
  return {
    data: {
      type: 'tls_subscription',
      ...(id ? { id } : {}),
      relationships: {
        tls_domains: { data: domains.map((domain) => ({ type: 'tls_domain', id: domain })) },
        ...(commonName ? { common_name: { data: { type: 'tls_domain', id: commonName } } } : {}),
      },
    },
  };
}

/**
 * Puts each host on a subscription: the fullest of sslclick's subscriptions that still have
 * room (and, unless `joinIssued`, no certificate yet), each changed once for all its newcomers;
 * the rest on new subscriptions of up to `domainsPerSubscription` hosts. A refused change fails
 * only its own hosts.
 */
export async function placeHosts(context: PlacementContext, hostnames: readonly string[], run: RunOptions | undefined): Promise<{ outcome: BatchOutcome; changed: string[] }> {
  const outcome: BatchOutcome = new Map();
  const changed: string[] = [];
  const subscriptions = await listSubscriptions(context.client, run);
  const covered = new Set(subscriptions.flatMap((subscription) => subscription.domains));
  let waiting = hostnames.filter((hostname) => !covered.has(hostname));
  if (waiting.length === 0) return { outcome, changed };
  const candidates = subscriptions
    .filter((subscription) => subscription.state !== 'failed' && subscription.domains.length < context.domainsPerSubscription && ownedBySharedService(subscription, context.service))
    .filter((subscription) => context.joinIssued || !subscription.hasCertificate)
    .sort((left, right) => right.domains.length - left.domains.length);
  for (const subscription of candidates) {
    if (waiting.length === 0) break;
    const joining = waiting.slice(0, context.domainsPerSubscription - subscription.domains.length);
    waiting = waiting.slice(joining.length);
    try {
      const domains = [...new Set([...(await currentDomains(context.client, subscription, run)), ...joining])];
      if (domains.length > context.domainsPerSubscription) throw new SslClickError({ code: 'CONFLICT', provider: 'fastly', operation: 'tls.subscriptions.update', message: `The TLS subscription ${subscription.id} filled up meanwhile; run apply again for ${joining.join(', ')}.` });
      // force=true as go-fastly and its recorded update send it: without it Fastly refuses a
      // change to a subscription whose domains serve TLS (fastly/cli tls/subscription/update.go).
      await context.client.write('PATCH', `/tls/subscriptions/${encodeURIComponent(subscription.id)}`, {
        operation: 'tls.subscriptions.update',
        query: { force: 'true' },
        json: domainsBody(subscription.id, domains, undefined),
        run,
      });
      changed.push(subscription.id);
    } catch (error) {
      for (const hostname of joining) outcome.set(hostname, error);
    }
  }
  for (let start = 0; start < waiting.length; start += context.domainsPerSubscription) {
    const group = waiting.slice(start, start + context.domainsPerSubscription);
    try {
      const document = await context.client.write<JsonApiDocument<JsonApiResource<TlsSubscriptionAttributes>>>('POST', '/tls/subscriptions', {
        operation: 'tls.subscriptions.create',
        json: { data: { ...(domainsBody(undefined, group, group[0]) as { data: object }).data, attributes: { certificate_authority: context.certificateAuthority } } },
        // A subscription holding exactly this group, made meanwhile, is the lost create's.
        recover: async () => {
          const mine = (await findSharedSubscription(context.client, group[0] ?? '', run))?.raw;
          const domains = mine ? related(mine, 'tls_domains').map((domain) => clean(domain.id)) : [];
          return mine && domains.length === group.length && group.every((hostname) => domains.includes(hostname)) ? { data: mine } : undefined;
        },
        run,
      });
      if (!document) throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: 'tls.subscriptions.create', message: 'Fastly returned no subscription.' });
      changed.push(document.data.id);
    } catch (error) {
      for (const hostname of group) outcome.set(hostname, error);
    }
  }
  return { outcome, changed };
}

/** How `removeHosts` treats a subscription whose certificate serves other hosts. */
export interface RemovalOptions {
  /**
   * Never change the domain list of an issued subscription while another of its hosts is live
   * (`joinIssuedSubscriptions: false`: changes may interrupt the certificate). The leaving host
   * is then parked: left on the subscription and the service, its DNS already back on SendGrid,
   * and removed with the last live host of that subscription.
   */
  keepIssued: boolean;
  /** Whether a host's DNS points at Fastly now. */
  isLive: (hostname: string, subscription: SharedSubscription) => Promise<boolean>;
}

/**
 * Takes hosts off their subscriptions: each subscription changed once; one left with no domain
 * is deleted when sslclick's; someone else's is left alone (a warning per host). Returns, beside
 * each host's outcome, the hosts parked on their subscription (`keepIssued`), which stay on the
 * service too, and the parked hosts of earlier calls that can go now with their subscription.
 */
export async function removeHosts(
  client: FastlyClient,
  hostnames: readonly string[],
  service: PlacementContext['service'],
  options: RemovalOptions,
  run: RunOptions | undefined,
): Promise<{ outcome: BatchOutcome; warnings: Map<string, string>; parked: string[]; released: string[]; releasedChallenges: DnsRecord[] }> {
  const outcome: BatchOutcome = new Map();
  const warnings = new Map<string, string>();
  const parked: string[] = [];
  const released: string[] = [];
  const releasedChallenges: DnsRecord[] = [];
  const bySubscription = new Map<string, { subscription: SharedSubscription; leaving: string[] }>();
  for (const hostname of hostnames) {
    const subscription = await findSharedSubscription(client, hostname, run);
    if (!subscription) continue;
    const entry = bySubscription.get(subscription.id) ?? { subscription, leaving: [] };
    entry.leaving.push(hostname);
    bySubscription.set(subscription.id, entry);
  }
  for (const { subscription, leaving } of bySubscription.values()) {
    if (!ownedBySharedService(subscription, service)) {
      for (const hostname of leaving) warnings.set(hostname, `The TLS subscription ${subscription.id} holding ${hostname} was not made by sslclick; it was left alone.`);
      continue;
    }
    try {
      let remaining = (await currentDomains(client, subscription, run)).filter((domain) => !leaving.includes(domain));
      if (options.keepIssued && subscription.hasCertificate && remaining.length > 0) {
        const live: string[] = [];
        for (const domain of remaining) if (await options.isLive(domain, subscription)) live.push(domain);
        if (live.length > 0) {
          for (const hostname of leaving) {
            parked.push(hostname);
            warnings.set(hostname, `${hostname} points at SendGrid again but stays on the TLS subscription ${subscription.id} and the service until ${live.length === 1 ? 'its other live host goes' : `its ${live.length} other live hosts go`}: changing an issued subscription may interrupt their certificate (joinIssuedSubscriptions: false).`);
          }
          continue;
        }
        // Only parked hosts are left: they go with the subscription.
        released.push(...remaining);
        for (const domain of remaining) {
          const challenge = subscription.challenges.get(domain);
          if (challenge) releasedChallenges.push(challenge);
        }
        remaining = [];
      }
      if (remaining.length === 0) {
        await client.write('DELETE', `/tls/subscriptions/${encodeURIComponent(subscription.id)}`, { operation: 'tls.subscriptions.delete', query: { force: 'true' }, allowNotFound: true, run });
      } else {
        await client.write('PATCH', `/tls/subscriptions/${encodeURIComponent(subscription.id)}`, {
          operation: 'tls.subscriptions.update',
          query: { force: 'true' },
          json: domainsBody(subscription.id, remaining, remaining[0]),
          run,
        });
      }
    } catch (error) {
      for (const hostname of leaving) outcome.set(hostname, error);
    }
  }
  return { outcome, warnings, parked, released, releasedChallenges };
}
