import { randomBytes } from 'node:crypto';

/** A backend as the fake stores it (the fields sslclick and the data plane care about, plus defaults). */
export interface FastlyBackend {
  name: string;
  address: string;
  port: number;
  use_ssl: boolean;
  ssl_cert_hostname: string | null;
  ssl_sni_hostname: string | null;
  ssl_check_cert: boolean;
  override_host: string | null;
  comment: string;
  connect_timeout: number;
  first_byte_timeout: number;
  between_bytes_timeout: number;
  created_at: string;
  updated_at: string;
}

export interface FastlyDomain {
  name: string;
  comment: string;
  created_at: string;
  updated_at: string;
}

export interface FastlySnippet {
  id: string;
  name: string;
  type: string;
  content: string;
  dynamic: string;
  priority: string;
  created_at: string;
  updated_at: string;
}

export interface FastlyPackage {
  id: string;
  metadata: { name?: string; description?: string; authors?: string[]; language?: string; files_hash: string; hashsum: string; size: number };
  created_at: string;
  updated_at: string;
}

/** One version of a service in the fake Fastly API, its fields named as Fastly's REST API names them. */
export interface FastlyVersion {
  number: number;
  active: boolean;
  locked: boolean;
  deployed: boolean;
  comment: string;
  created_at: string;
  updated_at: string;
  domains: FastlyDomain[];
  backends: FastlyBackend[];
  snippets: FastlySnippet[];
  package?: FastlyPackage;
}

/** A service in the fake Fastly API, its fields named as Fastly's REST API names them. */
export interface FastlyService {
  id: string;
  name: string;
  type: 'vcl' | 'wasm';
  comment: string;
  customer_id: string;
  created_at: string;
  updated_at: string;
  /** Set when the service was deleted and the fake keeps it visible (the `kept` variant). */
  deleted_at?: string;
  versions: FastlyVersion[];
}

/** The states of a Fastly TLS subscription. */
export type TlsSubscriptionState = 'pending' | 'processing' | 'issued' | 'renewing' | 'failed';

/** A TLS subscription in the fake Fastly API, its fields named as Fastly's REST API names them. */
export interface FastlyTlsSubscription {
  id: string;
  customer_id: string;
  certificate_authority: string;
  domains: string[];
  common_name: string;
  configuration_id: string;
  state: TlsSubscriptionState;
  authorization_id: string;
  /** The `_acme-challenge` CNAME value Fastly asks for. */
  challenge_value: string;
  /** Sandbox time the challenge record was first seen in DNS. */
  challenge_seen_at?: number;
  /** Set by a test to hold the state where it is. */
  pinned?: boolean;
  certificate_id?: string;
  /**
   * The domains the served certificate covers (set at issuance). A domain change keeps or drops
   * it according to the `certificateDuringReissue` variant.
   */
  certificate_domains?: string[];
  not_after?: string;
  created_at: string;
  updated_at: string;
}

/**
 * One domain's ACME authorization on a subscription, each with its own `managed-dns` challenge
 * (fastly/go-fastly fixtures/tls_subscription/update.yaml); the common name's reuses the
 * subscription's `authorization_id` and `challenge_value`.
 */
export interface FastlyTlsAuthorization {
  id: string;
  domain: string;
  /** The `_acme-challenge.<domain>` CNAME value. */
  challenge_value: string;
  /** `valid` once a certificate covering the domain was issued. */
  state: 'pending' | 'valid' | 'failed';
  created_at: string;
  updated_at: string;
}

export interface FastlyTlsConfiguration {
  id: string;
  name: string;
  default: boolean;
  /** The CNAME target for hosts on this configuration, e.g. `t.sni.global.fastly.net`. */
  cname: string;
  created_at: string;
}

/** Everything the fake Fastly knows. */
export interface FastlyState {
  services: FastlyService[];
  subscriptions: FastlyTlsSubscription[];
  configurations: FastlyTlsConfiguration[];
}

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Fastly-style id: 22 base62 characters. */
export function fastlyId(length = 22): string {
  const bytes = randomBytes(length);
  return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * The `/tls/*` timestamp format: ISO 8601 with milliseconds (`2025-09-08T17:11:15.000Z` in
 * fastly/go-fastly fixtures/tls_subscription/create.yaml).
 */
export function tlsTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

/** Fastly's classic timestamp format: ISO 8601 without milliseconds. */
export function fastlyTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function versionJson(service: FastlyService, version: FastlyVersion): Record<string, unknown> {
  return {
    number: version.number,
    active: version.active,
    locked: version.locked,
    deployed: version.deployed,
    staging: false,
    testing: false,
    comment: version.comment,
    service_id: service.id,
    created_at: version.created_at,
    updated_at: version.updated_at,
    deleted_at: null,
  };
}

export function domainJson(service: FastlyService, version: FastlyVersion, domain: FastlyDomain): Record<string, unknown> {
  return { ...domain, service_id: service.id, version: version.number, deleted_at: null };
}

export function backendJson(service: FastlyService, version: FastlyVersion, backend: FastlyBackend): Record<string, unknown> {
  return {
    ...backend,
    hostname: backend.address,
    ipv4: null,
    ipv6: null,
    shield: null,
    weight: 100,
    auto_loadbalance: false,
    request_condition: '',
    healthcheck: null,
    max_conn: 200,
    min_tls_version: null,
    max_tls_version: null,
    ssl_ciphers: null,
    ssl_ca_cert: null,
    ssl_client_cert: null,
    ssl_client_key: null,
    keepalive_time: null,
    prefer_ipv6: service.type === 'wasm',
    service_id: service.id,
    version: version.number,
    deleted_at: null,
  };
}

export function snippetJson(service: FastlyService, version: FastlyVersion, snippet: FastlySnippet): Record<string, unknown> {
  // Snippets give their version as a string ("version":"36" in go-fastly fixtures/vcl_snippets/get_versioned.yaml).
  return { ...snippet, service_id: service.id, version: String(version.number), deleted_at: null };
}

export function packageJson(service: FastlyService, version: FastlyVersion, stored: FastlyPackage): Record<string, unknown> {
  return { id: stored.id, service_id: service.id, version: version.number, metadata: stored.metadata, created_at: stored.created_at, updated_at: stored.updated_at, deleted_at: null };
}

export function serviceJson(service: FastlyService): Record<string, unknown> {
  return {
    id: service.id,
    name: service.name,
    type: service.type,
    comment: service.comment,
    customer_id: service.customer_id,
    created_at: service.created_at,
    updated_at: service.updated_at,
    deleted_at: service.deleted_at ?? null,
    paused: false,
    publish_key: '',
    versions: service.versions.map((version) => versionJson(service, version)),
  };
}

/**
 * The domains of a version as `details` shows them, kept per version until its list changes: a
 * shared service's versions hold a whole fleet's domains, and `details` is read for every host.
 * The fake replaces a version's list when it removes a domain and pushes onto it when it adds
 * one, and never edits a domain, so the list and its length say whether the answer still holds.
 */
const domainsJsonStore = new WeakMap<FastlyVersion, { domains: FastlyDomain[]; length: number; serviceId: string; json: Array<Record<string, unknown>> }>();

function versionDomainsJson(service: FastlyService, version: FastlyVersion): Array<Record<string, unknown>> {
  const kept = domainsJsonStore.get(version);
  if (kept && kept.domains === version.domains && kept.length === version.domains.length && kept.serviceId === service.id) return kept.json;
  const json = version.domains.map((domain) => domainJson(service, version, domain));
  domainsJsonStore.set(version, { domains: version.domains, length: version.domains.length, serviceId: service.id, json });
  return json;
}

export function versionDetailJson(service: FastlyService, version: FastlyVersion): Record<string, unknown> {
  return {
    ...versionJson(service, version),
    domains: versionDomainsJson(service, version),
    backends: version.backends.map((backend) => backendJson(service, version, backend)),
    snippets: version.snippets.map((snippet) => snippetJson(service, version, snippet)),
    conditions: [],
    directors: [],
    gzips: [],
    headers: [],
    healthchecks: [],
    request_settings: [],
    response_objects: [],
    settings: { 'general.default_host': '', 'general.default_ttl': 3600 },
    vcls: [],
  };
}

export function activeVersion(service: FastlyService): FastlyVersion | undefined {
  return service.versions.find((version) => version.active);
}

export function latestVersion(service: FastlyService): FastlyVersion | undefined {
  return service.versions[service.versions.length - 1];
}
