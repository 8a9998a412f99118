/**
 * Subscriptions holding several domains, as the fake Fastly API keeps them: one ACME
 * authorization per domain, issuance once every domain's challenge is published, and domain
 * changes through `PATCH /tls/subscriptions/{id}` (fastly/go-fastly
 * fixtures/tls_subscription/update.yaml).
 */
import { randomBytes } from 'node:crypto';
import { EDGE_ADDRESS } from '../addresses.js';
import type { DnsZone } from '../dns-zone.js';
import type { VendorResponse } from '../vendor-api-server.js';
import { fastlyId, tlsTime, type FastlyTlsAuthorization, type FastlyTlsConfiguration, type FastlyTlsSubscription } from './fastly-state.js';
import type { FastlyApiVariants } from './fastly-variants.js';

/**
 * How many domains one subscription may hold in the fake. Fastly documents no figure for
 * managed subscriptions; the certificate authorities it uses set one: Let's Encrypt allows 100
 * names per certificate (https://letsencrypt.org/docs/rate-limits/, "Names per Certificate").
 */
export const defaultMaxDomainsPerSubscription = 100;

/**
 * Each subscription's authorizations, kept beside the state rather than in it: a read never
 * changes what a test snapshots of a subscription it put there itself.
 */
const authorizationStore = new WeakMap<FastlyTlsSubscription, FastlyTlsAuthorization[]>();

/** A new `<random>.fastly-validations.com` challenge value, as recorded. */
export function challengeValue(): string {
  // Recorded values are 18 lower-case alphanumerics ("f2sk1kgtx8aj614ckh", go-fastly create.yaml).
  return `${randomBytes(9).toString('hex')}.fastly-validations.com`;
}

/**
 * The subscription's authorizations, one per domain in domain order, made as needed: the common
 * name's keeps the subscription's first authorization id and challenge, and a removed domain's
 * is dropped.
 */
export function authorizationsOf(subscription: FastlyTlsSubscription): FastlyTlsAuthorization[] {
  const previous = authorizationStore.get(subscription) ?? [];
  // Asked on every request while a subscription is pending: when its domains are the ones the
  // authorizations were made for, they are the answer as they stand (nothing to add or drop).
  if (previous.length === subscription.domains.length && previous.every((authorization, index) => authorization.domain === subscription.domains[index])) return previous;
  const existing = new Map(previous.map((authorization) => [authorization.domain, authorization]));
  const issued = subscription.state === 'issued' || subscription.state === 'renewing';
  const authorizations = subscription.domains.map((domain): FastlyTlsAuthorization => {
    const found = existing.get(domain);
    if (found) return found;
    const first = domain === subscription.common_name && !previous.some((authorization) => authorization.id === subscription.authorization_id);
    return {
      id: first ? subscription.authorization_id : fastlyId(),
      domain,
      challenge_value: first ? subscription.challenge_value : challengeValue(),
      state: issued ? 'valid' : 'pending',
      created_at: subscription.created_at,
      updated_at: subscription.updated_at,
    };
  });
  authorizationStore.set(subscription, authorizations);
  return authorizations;
}

/** Whether every domain's `_acme-challenge` CNAME shows its challenge value in sandbox DNS. */
export function challengesPublished(subscription: FastlyTlsSubscription, zone: DnsZone): boolean {
  return authorizationsOf(subscription).every((authorization) =>
    zone.getRecords(`_acme-challenge.${authorization.domain}`).some((record) => record.type === 'CNAME' && record.value === authorization.challenge_value),
  );
}

/** Issues the certificate: it covers every domain now on the subscription. */
export function certify(subscription: FastlyTlsSubscription, time: string): void {
  subscription.certificate_domains = [...subscription.domains];
  for (const authorization of authorizationsOf(subscription)) {
    authorization.state = 'valid';
    authorization.updated_at = time;
  }
}

/**
 * The domains the sandbox edge serves with this subscription's certificate: all of them once it
 * is issued; while a re-issue is pending, those the certificate kept covers (`kept` variant);
 * none when it failed.
 */
export function servedDomains(subscription: FastlyTlsSubscription): string[] {
  if (subscription.state === 'failed') return [];
  if (subscription.state === 'issued' || subscription.state === 'renewing') return subscription.certificate_domains ? coveredNow(subscription, subscription.certificate_domains) : subscription.domains;
  if (!subscription.certificate_id || !subscription.certificate_domains) return [];
  return coveredNow(subscription, subscription.certificate_domains);
}

/** The last answer of {@link coveredNow} per subscription, with the lists it was computed from. */
const coveredStore = new WeakMap<FastlyTlsSubscription, { domains: readonly string[]; length: number; certified: readonly string[]; certifiedLength: number; covered: string[] }>();

/**
 * The certified domains still on the subscription. The data plane asks after every request, so
 * the answer is kept until either list changes (both are replaced, never edited, by the fake;
 * the lengths catch an edit in place), and computed through a set rather than a search per domain.
 */
function coveredNow(subscription: FastlyTlsSubscription, certified: readonly string[]): string[] {
  const kept = coveredStore.get(subscription);
  if (kept && kept.domains === subscription.domains && kept.length === subscription.domains.length && kept.certified === certified && kept.certifiedLength === certified.length) {
    return kept.covered;
  }
  const current = new Set(subscription.domains);
  const covered = certified.filter((domain) => current.has(domain));
  coveredStore.set(subscription, { domains: subscription.domains, length: subscription.domains.length, certified, certifiedLength: certified.length, covered });
  return covered;
}

/** The `tls_authorization` resources of a subscription, as `included[]` carries them. */
export function authorizationsJson(subscription: FastlyTlsSubscription, configuration: FastlyTlsConfiguration): Record<string, unknown>[] {
  return authorizationsOf(subscription).map((authorization) => ({
    id: authorization.id,
    type: 'tls_authorization',
    attributes: {
      challenges: [
        { type: 'managed-dns', record_type: 'CNAME', record_name: `_acme-challenge.${authorization.domain}`, values: [authorization.challenge_value] },
        { type: 'managed-http-cname', record_type: 'CNAME', record_name: authorization.domain, values: [configuration.cname] },
        { type: 'managed-http-a', record_type: 'A', record_name: authorization.domain, values: [EDGE_ADDRESS] },
      ],
      state: subscription.state === 'failed' ? 'failed' : authorization.state,
      created_at: authorization.created_at,
      updated_at: authorization.updated_at,
      warnings: null,
    },
    relationships: {
      tls_domain: { data: { id: authorization.domain, type: 'tls_domain' } },
      globalsign_email_challenge: { data: null },
      self_managed_http_challenge: { data: null },
    },
  }));
}

/** What the PATCH handler needs from the fake around it. */
export interface SubscriptionUpdateContext {
  subscriptions: () => FastlyTlsSubscription[];
  variants: FastlyApiVariants;
  maxDomainsPerSubscription: number;
  now: () => number;
  /** Whether the domain is on an active version of one of the customer's live services. */
  onActiveService: (customer: string, domain: string) => boolean;
  /** Whether the domain is served with TLS now (the `force` flag guards those). */
  tlsEnabled: (domain: string) => boolean;
  subscriptionJson: (subscription: FastlyTlsSubscription) => Record<string, unknown>;
  configurationOf: (subscription: FastlyTlsSubscription) => FastlyTlsConfiguration;
  jsonApiError: (status: number, title: string, detail: string) => VendorResponse;
  jsonApiOk: (status: number, body: Record<string, unknown>) => VendorResponse;
}

function relatedIds(relationship: { data?: unknown } | undefined): string[] | undefined {
  const data = relationship?.data;
  if (data === undefined || data === null) return undefined;
  const items = Array.isArray(data) ? data : [data];
  return items.map((item) => String((item as { id?: unknown }).id ?? '').toLowerCase()).filter(Boolean);
}

/**
 * `PATCH /tls/subscriptions/{id}`: changes the domains and common name. As recorded (go-fastly
 * update.yaml): 200 with the subscription and one authorization per domain in `included`; the
 * state goes back to `pending` with an order; a new domain gets its own challenge. go-fastly
 * sends the domains as relationship `tls_domain`, the generated clients as `tls_domains`: both
 * are read. A change touching a domain served with TLS needs `force=true` (fastly/cli
 * pkg/commands/tls/subscription/update.go: "allows you to edit and delete a subscription with
 * active domains").
 */
export function updateSubscription(context: SubscriptionUpdateContext, customer: string, id: string, body: Record<string, unknown>, force: boolean): VendorResponse {
  const subscription = context.subscriptions().find((candidate) => candidate.id === id && candidate.customer_id === customer);
  if (!subscription) return context.jsonApiError(404, 'Not found', 'The subscription you requested was not found');
  const data = body.data as { type?: string; id?: string; relationships?: Record<string, { data?: unknown }> } | undefined;
  if (!data || data.type !== 'tls_subscription') return context.jsonApiError(400, 'Bad Request', "data.type must be 'tls_subscription'.");
  const relationships = data.relationships ?? {};
  const requested = relatedIds(relationships.tls_domains) ?? relatedIds(relationships.tls_domain);
  const domains = requested ? [...new Set(requested)] : [...subscription.domains];
  if (domains.length === 0) return context.jsonApiError(400, 'Bad Request', 'A subscription needs at least one tls_domain.');
  if (domains.length > context.maxDomainsPerSubscription) {
    return context.jsonApiError(400, 'Bad Request', `A subscription can hold at most ${context.maxDomainsPerSubscription} domains; ${domains.length} were given.`);
  }
  const added = domains.filter((domain) => !subscription.domains.includes(domain));
  const removed = subscription.domains.filter((domain) => !domains.includes(domain));
  for (const domain of added) {
    if (!context.onActiveService(customer, domain)) {
      return context.jsonApiError(400, 'The domain you entered was not found on one of your services', `Please add ${domain} to an active service to begin TLS enablement.`);
    }
    if (context.subscriptions().some((other) => other !== subscription && other.domains.includes(domain))) {
      return context.jsonApiError(409, 'Conflict', `A TLS subscription for ${domain} already exists.`);
    }
  }
  const changed = added.length > 0 || removed.length > 0;
  if (changed && !force && subscription.domains.some((domain) => context.tlsEnabled(domain))) {
    return context.jsonApiError(400, 'Bad Request', 'This subscription has domains with TLS enabled; pass force=true to change its domains.');
  }
  const commonName = relatedIds(relationships.common_name)?.[0];
  if (commonName !== undefined && !domains.includes(commonName)) return context.jsonApiError(400, 'Bad Request', 'The common name must be one of the tls_domains.');
  const time = tlsTime(context.now());
  subscription.domains = domains;
  subscription.common_name = commonName ?? (domains.includes(subscription.common_name) ? subscription.common_name : (domains[0] ?? ''));
  subscription.updated_at = time;
  if (changed) {
    // A new order for the new set of names; what is served meanwhile is the variant's question.
    subscription.state = 'pending';
    delete subscription.challenge_seen_at;
    if (context.variants.certificateDuringReissue === 'dropped') {
      delete subscription.certificate_id;
      delete subscription.certificate_domains;
      for (const authorization of authorizationStore.get(subscription) ?? []) authorization.state = 'pending';
    }
  }
  // New domains get pending authorizations of their own.
  authorizationsOf(subscription);
  return context.jsonApiOk(200, { data: context.subscriptionJson(subscription), included: authorizationsJson(subscription, context.configurationOf(subscription)) });
}
