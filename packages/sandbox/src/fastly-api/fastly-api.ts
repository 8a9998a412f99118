import { randomBytes } from 'node:crypto';
import { EDGE_ADDRESS } from '../addresses.js';
import type { Sandbox } from '../sandbox.js';
import { startVendorApiServer } from '../vendor-api-server.js';
import type { VendorApiServer, VendorRequest, VendorResponse, VendorRouter } from '../vendor-api-server.js';
import { inspectComputePackage } from './compute-package.js';
import { defaultFastlyApiVariants, type FastlyApiVariants } from './fastly-variants.js';
import { syncFastlyDataPlane } from './data-plane.js';
import { authorizationsJson, authorizationsOf, certify, challengesPublished, defaultMaxDomainsPerSubscription, servedDomains, updateSubscription } from './shared-subscriptions.js';
import {
  activeVersion,
  backendJson,
  domainJson,
  fastlyId,
  fastlyTime,
  tlsTime,
  latestVersion,
  packageJson,
  serviceJson,
  snippetJson,
  versionDetailJson,
  versionJson,
} from './fastly-state.js';
import type {
  FastlyBackend,
  FastlyService,
  FastlyState,
  FastlyTlsConfiguration,
  FastlyTlsSubscription,
  FastlyVersion,
  TlsSubscriptionState,
} from './fastly-state.js';

/** Options for {@link startFastlyApi}. */
export interface FastlyApiOptions {
  /**
   * Sandbox-clock time from the moment the `_acme-challenge` record is seen in sandbox DNS until
   * the subscription is `issued` (it is `processing` in between), in ms.
   * @default 500
   */
  issuanceDelayMs?: number;
  /**
   * The CNAME target of the default TLS configuration; published in sandbox DNS as A 127.0.0.1.
   * @default 't.sni.global.fastly.net'
   */
  cnameTarget?: string;
  /**
   * The tokens the fake accepts, e.g. canary values a leak test scans for.
   * @default random `sandbox-fastly-…` values
   */
  tokens?: Partial<FastlyApiTokens>;
  /**
   * Where the evidence about Fastly is unsure, which of the plausible answers the fake gives
   * (each can also be switched later with {@link FastlyApi.setVariants}).
   */
  variants?: Partial<FastlyApiVariants>;
  /**
   * How many domains one TLS subscription may hold; more is refused with 400.
   * @default 100 (Let's Encrypt's names per certificate; Fastly documents no figure)
   */
  maxDomainsPerSubscription?: number;
  /**
   * How many domains one service version may hold; more is refused with 400 "Exceeding max
   * number of domains: N" (https://docs.fastly.com/en/guides/common-service-and-domain-errors,
   * which shows N = 10; Fastly support raises it per account).
   * @default unlimited
   */
  maxDomainsPerService?: number;
  /** The hourly write budget. */
  rateLimit?: {
    /** Writes per window. @default 1000 */
    limit?: number;
    /** The window, in real ms (the client waits on its own clock). @default 3600000 */
    windowMs?: number;
  };
}

/** Tokens the fake accepts (sent as `Fastly-Key`). */
export interface FastlyApiTokens {
  /** Full access (the `global` scope) for the sandbox customer. */
  readonly admin: string;
  /** `global:read` only: every write answers 403. */
  readonly readOnly: string;
}

/** A service put on a hostname by someone other than sslclick. */
export interface ForeignServiceOptions {
  hostname: string;
  /** @default `'www ' + hostname` */
  name?: string;
  /** Whose it is: the sandbox customer's own (`same`), or another Fastly customer's. @default 'same' */
  customer?: 'same' | 'other';
  /** @default 'vcl' */
  type?: 'vcl' | 'wasm';
}

/** The rate-limit budget as it stands. */
export interface FastlyRateLimitBudget {
  limit: number;
  remaining: number;
  /** Real time (ms since the epoch) at which the budget refills. */
  resetAt: number;
  windowMs: number;
}

/** A running fake Fastly API. */
export interface FastlyApi {
  /** The base URL to pass as the adapter's `baseURL`. */
  readonly url: string;
  /** The server: request log, write counts, fault injection. */
  readonly server: VendorApiServer;
  readonly tokens: FastlyApiTokens;
  /** The sandbox customer's id. */
  readonly customerId: string;
  /** The default TLS configuration's CNAME target. */
  readonly cnameTarget: string;
  /** The whole state, for assertions. */
  readonly state: FastlyState;
  /** Adds an active service holding `hostname` (a VCL service with one backend); returns its id and a snapshot function. */
  addForeignService(options: ForeignServiceOptions): { serviceId: string; snapshot(): unknown };
  /** Changes the write budget (e.g. `{ remaining: 3, windowMs: 1000 }`); the window restarts now. */
  setRateLimit(budget: { limit?: number; remaining?: number; windowMs?: number }): void;
  /** The write budget as it stands. */
  rateLimit(): FastlyRateLimitBudget;
  /** The variants in force. */
  variants(): FastlyApiVariants;
  /** Switches variants from now on. */
  setVariants(change: Partial<FastlyApiVariants>): void;
  /** Forces the state of the subscription for `hostname` (`renewing`, `failed`) and holds it there. */
  setSubscriptionState(hostname: string, state: TlsSubscriptionState): void;
  /** Syncs the data plane with the API state now (it also happens after every request and clock advance). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const classicJson = 'application/json';
const jsonApi = 'application/vnd.api+json';

function classicError(status: number, msg: string, detail?: string): VendorResponse {
  return { status, headers: { 'content-type': classicJson }, body: detail === undefined ? { msg } : { msg, detail } };
}

function jsonApiError(status: number, title: string, detail: string): VendorResponse {
  return { status, headers: { 'content-type': jsonApi }, body: { errors: [{ title, detail, status: String(status) }] } };
}

function ok(body: Record<string, unknown> | unknown[]): VendorResponse {
  return { status: 200, headers: { 'content-type': classicJson }, body };
}

function jsonApiOk(status: number, body: Record<string, unknown>): VendorResponse {
  return { status, headers: { 'content-type': jsonApi }, body };
}

class HttpFailure extends Error {
  constructor(readonly response: VendorResponse) {
    super('HTTP failure');
  }
}

function formBoolean(value: string | null, fallback: boolean): boolean {
  if (value === null) return fallback;
  return value === 'true' || value === '1';
}

function formNumber(value: string | null, fallback: number): number {
  if (value === null || value.trim() === '') return fallback;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : fallback;
}

function formNullable(value: string | null, fallback: string | null): string | null {
  if (value === null) return fallback;
  return value === '' ? null : value;
}

/**
 * Starts a stateful fake of the Fastly API paths sslclick uses, in Fastly's formats (form-encoded
 * classic endpoints, JSON:API for `/tls/*`), with `Fastly-RateLimit-*` headers on writes and 429
 * when the budget is spent. It drives the sandbox data plane: a hostname on an active version
 * with an issued certificate is served by the edge, forwarding to the backend as configured.
 */
export async function startFastlyApi(sandbox: Sandbox, options: FastlyApiOptions = {}): Promise<FastlyApi> {
  const now = (): number => sandbox.clock.now();
  const issuanceDelayMs = options.issuanceDelayMs ?? 500;
  const maxDomainsPerSubscription = options.maxDomainsPerSubscription ?? defaultMaxDomainsPerSubscription;
  const cnameTarget = options.cnameTarget ?? 't.sni.global.fastly.net';
  const customerId = fastlyId();
  const otherCustomerId = fastlyId();
  const tokens: FastlyApiTokens = {
    admin: options.tokens?.admin ?? `sandbox-fastly-${randomBytes(12).toString('hex')}`,
    readOnly: options.tokens?.readOnly ?? `sandbox-fastly-read-${randomBytes(12).toString('hex')}`,
  };
  const state: FastlyState = { services: [], subscriptions: [], configurations: [] };
  const variants: FastlyApiVariants = { ...defaultFastlyApiVariants, ...options.variants };
  const defaultConfiguration: FastlyTlsConfiguration = {
    id: fastlyId(),
    name: 'Default configuration',
    default: true,
    cname: cnameTarget,
    created_at: tlsTime(now()),
  };
  state.configurations.push(defaultConfiguration);
  sandbox.dns.zone.setRecord({ name: cnameTarget, type: 'A', value: EDGE_ADDRESS });

  const budget: FastlyRateLimitBudget = {
    limit: options.rateLimit?.limit ?? 1000,
    remaining: options.rateLimit?.limit ?? 1000,
    windowMs: options.rateLimit?.windowMs ?? 3_600_000,
    resetAt: Date.now() + (options.rateLimit?.windowMs ?? 3_600_000),
  };

  function customerOf(request: VendorRequest): { customer: string; write: boolean } {
    const key = request.headers['fastly-key'];
    if (key === tokens.admin) return { customer: customerId, write: true };
    if (key === tokens.readOnly) return { customer: customerId, write: false };
    throw new HttpFailure(classicError(401, 'Provided credentials are missing or invalid'));
  }

  /**
   * The caller's live service. `GET /service/{id}` and `details` answer 400 for an unknown id
   * (fastly/go-fastly `fastly/service_details.go`: "the API returns a 400 response not 404") and
   * may show a deleted one (`visibleDeleted`); the paths under it answer 404.
   */
  function ownService(customer: string, serviceId: string, missing: { status: 400 | 404; visibleDeleted?: boolean } = { status: 404 }): FastlyService {
    const service = state.services.find(
      (candidate) => candidate.id === serviceId && candidate.customer_id === customer && (candidate.deleted_at === undefined || missing.visibleDeleted === true),
    );
    if (!service) throw new HttpFailure(classicError(missing.status, missing.status === 400 ? 'Bad request' : 'Record not found', `Couldn't find Service '${serviceId}'`));
    return service;
  }

  function liveServices(): FastlyService[] {
    return state.services.filter((service) => service.deleted_at === undefined);
  }

  function findVersion(service: FastlyService, number: string): FastlyVersion {
    const version = service.versions.find((candidate) => String(candidate.number) === number);
    if (!version) throw new HttpFailure(classicError(404, 'Record not found', `Couldn't find Version '${number}' of service '${service.id}'`));
    return version;
  }

  function editableVersion(service: FastlyService, number: string): FastlyVersion {
    const version = findVersion(service, number);
    if (version.locked || version.active) {
      // Recorded: 422 {"msg":"Version locked","detail":"Version '56' for service '…' is locked"}.
      throw new HttpFailure(
        variants.lockedVersionStatus === 422
          ? classicError(422, 'Version locked', `Version '${version.number}' for service '${service.id}' is locked`)
          : classicError(400, 'Bad request', `Version ${version.number} of service '${service.id}' is locked and cannot be edited; clone it first.`),
      );
    }
    return version;
  }

  function touch(service: FastlyService, version?: FastlyVersion): void {
    const time = fastlyTime(now());
    service.updated_at = time;
    if (version) version.updated_at = time;
  }

  // Every route runs through here: authentication, the write budget, the handler, then a sync of
  // the data plane so that the edge follows the state as soon as it changes.
  function route(router: VendorRouter, method: string, path: string, handler: (request: VendorRequest, customer: string) => VendorResponse | Promise<VendorResponse>): void {
    router.add(method, path, async (request) => {
      const write = method !== 'GET' && method !== 'HEAD';
      let changed = false;
      let response: VendorResponse;
      try {
        const caller = customerOf(request);
        if (write) {
          if (Date.now() >= budget.resetAt) {
            budget.remaining = budget.limit;
            budget.resetAt = Date.now() + budget.windowMs;
          }
          if (budget.remaining <= 0) {
            const limited = path.startsWith('/tls')
              ? jsonApiError(429, 'Too Many Requests', 'You have exceeded your hourly rate limit.')
              : classicError(429, 'You have exceeded your hourly rate limit.');
            return { ...limited, headers: { ...limited.headers, ...rateLimitHeaders(path) } };
          }
          if (!caller.write) {
            throw new HttpFailure(
              path.startsWith('/tls')
                ? jsonApiError(403, 'Forbidden', 'This token does not have the global scope needed for this request.')
                : classicError(403, 'Forbidden', 'This token does not have the global scope needed for this request.'),
            );
          }
          budget.remaining -= 1;
        }
        // Slow things are evaluated lazily: the state a request sees is the state at its arrival.
        if (refreshSubscriptions()) changed = true;
        response = await handler(request, caller.customer);
      } catch (error) {
        if (!(error instanceof HttpFailure)) throw error;
        response = error.response;
      }
      // A read that found nothing changed by time leaves the data plane as it is: it only waits
      // for a sync under way. Syncing after every read made each read cost every served domain,
      // and a fleet reads its hosts thousands of times.
      if (write || changed) await sync();
      else await syncing;
      return write ? { ...response, headers: { ...response.headers, ...rateLimitHeaders(path) } } : response;
    });
  }

  function rateLimitHeaders(path: string): Record<string, string> {
    if (path.startsWith('/tls') && !variants.tlsRateLimitHeaders) return {};
    return { 'fastly-ratelimit-remaining': String(Math.max(0, budget.remaining)), 'fastly-ratelimit-reset': String(Math.ceil(budget.resetAt / 1000)) };
  }

  function domainOwner(hostname: string, except: FastlyService): FastlyService | undefined {
    return liveServices().find(
      (service) =>
        service !== except &&
        service.versions.some((version) => version.domains.some((domain) => domain.name === hostname)),
    );
  }

  function newBackend(form: URLSearchParams, existing?: FastlyBackend): FastlyBackend {
    const time = fastlyTime(now());
    const port = formNumber(form.get('port'), existing?.port ?? 80);
    const address = form.get('address') ?? form.get('hostname') ?? existing?.address;
    if (!address) throw new HttpFailure(classicError(400, 'Bad request', "Backend needs an 'address'."));
    const name = form.get('name') ?? existing?.name;
    if (!name) throw new HttpFailure(classicError(400, 'Bad request', "Backend needs a 'name'."));
    return {
      name,
      address,
      port,
      // Setting port 443 turns TLS on unless use_ssl is given, as Fastly does.
      use_ssl: formBoolean(form.get('use_ssl'), form.get('port') !== null ? port === 443 : (existing?.use_ssl ?? false)),
      ssl_cert_hostname: formNullable(form.get('ssl_cert_hostname'), existing?.ssl_cert_hostname ?? null),
      ssl_sni_hostname: formNullable(form.get('ssl_sni_hostname'), existing?.ssl_sni_hostname ?? null),
      ssl_check_cert: formBoolean(form.get('ssl_check_cert'), existing?.ssl_check_cert ?? true),
      override_host: formNullable(form.get('override_host'), existing?.override_host ?? null),
      comment: form.get('comment') ?? existing?.comment ?? '',
      connect_timeout: formNumber(form.get('connect_timeout'), existing?.connect_timeout ?? 1000),
      first_byte_timeout: formNumber(form.get('first_byte_timeout'), existing?.first_byte_timeout ?? 15000),
      between_bytes_timeout: formNumber(form.get('between_bytes_timeout'), existing?.between_bytes_timeout ?? 10000),
      created_at: existing?.created_at ?? time,
      updated_at: time,
    };
  }

  /** Moves subscriptions on as time and sandbox DNS say; returns whether any changed state. */
  function refreshSubscriptions(): boolean {
    let changed = false;
    for (const subscription of state.subscriptions) {
      if (subscription.pinned) continue;
      if (subscription.state === 'pending') {
        // Every domain's own challenge must be published (one authorization per domain).
        if (challengesPublished(subscription, sandbox.dns.zone)) {
          subscription.challenge_seen_at ??= now();
          subscription.state = 'processing';
          subscription.updated_at = tlsTime(now());
          changed = true;
        }
      }
      if (subscription.state === 'processing' && subscription.challenge_seen_at !== undefined && now() - subscription.challenge_seen_at >= issuanceDelayMs) {
        subscription.state = 'issued';
        certify(subscription, tlsTime(now()));
        subscription.certificate_id = fastlyId();
        subscription.not_after = tlsTime(now() + 90 * 24 * 3_600_000);
        subscription.updated_at = tlsTime(now());
        changed = true;
      }
    }
    return changed;
  }

  let syncing = Promise.resolve();
  // The sync queued and not started yet: it reads the state as it is when it starts, so every
  // caller until then shares it, and a burst of concurrent requests costs one sync, not one each.
  let pendingSync: Promise<void> | undefined;
  function sync(): Promise<void> {
    if (pendingSync) return pendingSync;
    const next = syncing.then(async () => {
      pendingSync = undefined;
      refreshSubscriptions();
      await syncFastlyDataPlane(sandbox, state);
    });
    pendingSync = next;
    syncing = next;
    return next;
  }

  function subscriptionJson(subscription: FastlyTlsSubscription): Record<string, unknown> {
    return {
      id: subscription.id,
      type: 'tls_subscription',
      attributes: {
        certificate_authority: subscription.certificate_authority,
        state: subscription.state,
        has_active_order: subscription.state !== 'issued' && subscription.state !== 'failed',
        created_at: subscription.created_at,
        updated_at: subscription.updated_at,
      },
      relationships: {
        tls_authorizations: { data: authorizationsOf(subscription).map((authorization) => ({ id: authorization.id, type: 'tls_authorization' })) },
        tls_domains: { data: subscription.domains.map((domain) => ({ id: domain, type: 'tls_domain' })) },
        common_name: { data: { id: subscription.common_name, type: 'tls_domain' } },
        tls_configuration: { data: { id: subscription.configuration_id, type: 'tls_configuration' } },
        tls_certificates: { data: subscription.certificate_id ? [{ id: subscription.certificate_id, type: 'tls_certificate' }] : [] },
      },
    };
  }

  function configurationOf(subscription: FastlyTlsSubscription): FastlyTlsConfiguration {
    return state.configurations.find((candidate) => candidate.id === subscription.configuration_id) ?? defaultConfiguration;
  }

  /** One `tls_authorization` per domain (fastly/go-fastly fixtures/tls_subscription/update.yaml). */
  function authorizationJson(subscription: FastlyTlsSubscription): Record<string, unknown>[] {
    const authorizations = authorizationsJson(subscription, configurationOf(subscription));
    if (variants.servingChallenges === 'listed') return authorizations;
    return authorizations.map((authorization) => {
      const attributes = authorization.attributes as { challenges: Array<{ type: string }> };
      return { ...authorization, attributes: { ...attributes, challenges: attributes.challenges.filter((challenge) => challenge.type === 'managed-dns') } };
    });
  }

  function configurationJson(configuration: FastlyTlsConfiguration): Record<string, unknown> {
    return {
      id: configuration.id,
      type: 'tls_configuration',
      attributes: {
        name: configuration.name,
        default: configuration.default,
        bulk: false,
        http_protocols: ['http/1.1', 'http/2'],
        tls_protocols: ['1.2', '1.3'],
        created_at: configuration.created_at,
        updated_at: configuration.created_at,
      },
      relationships: {
        dns_records: {
          data: [
            { id: configuration.cname, type: 'dns_record' },
            { id: EDGE_ADDRESS, type: 'dns_record' },
          ],
        },
      },
    };
  }

  function dnsRecordsJson(configuration: FastlyTlsConfiguration): Record<string, unknown>[] {
    return [
      { id: configuration.cname, type: 'dns_record', attributes: { record_type: 'CNAME', region: 'global' } },
      { id: EDGE_ADDRESS, type: 'dns_record', attributes: { record_type: 'A', region: 'global' } },
    ];
  }

  function includes(request: VendorRequest, name: string): boolean {
    return (request.query.get('include') ?? '').split(',').includes(name);
  }

  function readJsonApi(request: VendorRequest): Record<string, unknown> {
    try {
      const body = request.json();
      if (body && typeof body === 'object') return body as Record<string, unknown>;
    } catch {
      // fall through to the 400 below
    }
    throw new HttpFailure(jsonApiError(400, 'Bad Request', 'The request body is not a JSON:API document.'));
  }

  const server = await startVendorApiServer({
    format: {
      error: (status, message) => classicError(status, message),
      // TLS endpoints answer in JSON:API (`errors[]` with id, title, detail, status), the rest in
      // the classic `{ msg, detail }`; every text field quotes the credential.
      echo: (status, quoted, request) =>
        request.path.startsWith('/tls/')
          ? { status, headers: { 'content-type': jsonApi }, body: { errors: [{ id: quoted, title: `Refused: ${quoted}`, detail: `Token ${quoted} was refused`, status: String(status) }] } }
          : { status, headers: { 'content-type': classicJson }, body: { msg: `Refused: ${quoted}`, detail: `Token ${quoted} was refused` } },
    },
    routes: (router) => {
      // --- services -------------------------------------------------------------------------
      route(router, 'GET', '/service', (request, customer) => {
        const page = Math.max(1, formNumber(request.query.get('page'), 1));
        const perPage = Math.max(1, formNumber(request.query.get('per_page'), 20));
        const own = liveServices().filter((service) => service.customer_id === customer);
        const lastPage = Math.max(1, Math.ceil(own.length / perPage));
        // Pages are linked as in fastly/go-fastly fixtures/services/list.yaml (`Link: <…>; rel="next"`).
        const link = (number: number): string => `<${server.url}/service?page=${number}&per_page=${perPage}>`;
        const links = [`${link(lastPage)}; rel="last"`, ...(page < lastPage ? [`${link(page + 1)}; rel="next"`] : []), ...(page > 1 ? [`${link(page - 1)}; rel="prev"`] : [])];
        const answer = ok(
          own.slice((page - 1) * perPage, page * perPage).map((service) => ({
            ...serviceJson(service),
            version: (activeVersion(service) ?? latestVersion(service))?.number ?? 1,
          })),
        );
        return { ...answer, headers: { ...answer.headers, link: links.join(', ') } };
      });
      route(router, 'GET', '/service/search', (request, customer) => {
        const name = request.query.get('name') ?? '';
        // In the `kept` variant a deleted service of that name is found first, ahead of a live one.
        const candidates = variants.deletedServices === 'kept' ? state.services : liveServices();
        const service = candidates.find((candidate) => candidate.customer_id === customer && candidate.name === name);
        // fastly/go-fastly fastly/service_details.go: "If no service exists by that name, the API
        // returns a 400 response not a 404." The body is not recorded anywhere we could find.
        if (!service) return classicError(400, 'Bad request', `Couldn't find Service '${name}'`);
        return ok(serviceJson(service));
      });
      route(router, 'POST', '/service', (request, customer) => {
        const form = request.form();
        const name = form.get('name');
        if (!name) return classicError(400, 'Bad request', "Service needs a 'name'.");
        const type = form.get('type') ?? 'vcl';
        if (type !== 'vcl' && type !== 'wasm') return classicError(400, 'Bad request', "Valid values for 'type' are: 'vcl', 'wasm'");
        if (liveServices().some((service) => service.customer_id === customer && service.name === name)) {
          return classicError(409, 'Duplicate record', `Duplicate service: '${name}'`);
        }
        const time = fastlyTime(now());
        const service: FastlyService = {
          id: fastlyId(),
          name,
          type,
          comment: form.get('comment') ?? '',
          customer_id: customer,
          created_at: time,
          updated_at: time,
          versions: [{ number: 1, active: false, locked: false, deployed: false, comment: '', created_at: time, updated_at: time, domains: [], backends: [], snippets: [] }],
        };
        state.services.push(service);
        return ok(serviceJson(service));
      });
      const lookup = (): { status: 400; visibleDeleted: boolean } => ({ status: 400, visibleDeleted: variants.deletedServices === 'kept' });
      route(router, 'GET', '/service/:serviceId', (request, customer) => ok(serviceJson(ownService(customer, request.params.serviceId ?? '', lookup()))));
      route(router, 'PUT', '/service/:serviceId', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const form = request.form();
        service.name = form.get('name') ?? service.name;
        service.comment = form.get('comment') ?? service.comment;
        touch(service);
        return ok(serviceJson(service));
      });
      route(router, 'DELETE', '/service/:serviceId', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        if (activeVersion(service)) return classicError(400, 'Bad request', 'Service must be deactivated before it can be deleted.');
        if (variants.deletedServices === 'kept') service.deleted_at = fastlyTime(now());
        else state.services = state.services.filter((candidate) => candidate !== service);
        return ok({ status: 'ok' });
      });
      route(router, 'GET', '/service/:serviceId/domain', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        return ok(service.versions.flatMap((version) => version.domains.map((domain) => ({ ...domainJson(service, version, domain), locked: version.locked }))));
      });
      route(router, 'GET', '/service/:serviceId/details', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '', lookup());
        const requested = request.query.get('version');
        const active = activeVersion(service);
        const shown = requested ? findVersion(service, requested) : (active ?? latestVersion(service));
        return ok({
          ...serviceJson(service),
          active_version: active ? versionDetailJson(service, active) : null,
          version: shown ? versionDetailJson(service, shown) : null,
        });
      });

      // --- versions -------------------------------------------------------------------------
      route(router, 'GET', '/service/:serviceId/version', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        return ok(service.versions.map((version) => versionJson(service, version)));
      });
      route(router, 'GET', '/service/:serviceId/version/:version', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        return ok(versionJson(service, findVersion(service, request.params.version ?? '')));
      });
      route(router, 'PUT', '/service/:serviceId/version/:version/clone', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const source = findVersion(service, request.params.version ?? '');
        const time = fastlyTime(now());
        const clone: FastlyVersion = {
          ...structuredClone(source),
          number: (latestVersion(service)?.number ?? 0) + 1,
          active: false,
          locked: false,
          deployed: false,
          created_at: time,
          updated_at: time,
        };
        service.versions.push(clone);
        touch(service);
        return ok(versionJson(service, clone));
      });
      route(router, 'PUT', '/service/:serviceId/version/:version/activate', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = findVersion(service, request.params.version ?? '');
        if (version.domains.length === 0) return classicError(400, 'Bad request', 'Version has no domains; add one before activating.');
        if (version.backends.length === 0) return classicError(400, 'Bad request', 'Version has no backends; add one before activating.');
        if (service.type === 'wasm' && !version.package) return classicError(400, 'Bad request', 'Compute version has no package; upload one before activating.');
        for (const other of service.versions) other.active = false;
        version.active = true;
        version.locked = true;
        version.deployed = true;
        touch(service, version);
        return ok(versionJson(service, version));
      });
      route(router, 'PUT', '/service/:serviceId/version/:version/deactivate', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = findVersion(service, request.params.version ?? '');
        if (!version.active) return classicError(400, 'Bad request', `Version ${version.number} is not active.`);
        version.active = false;
        touch(service, version);
        return ok(versionJson(service, version));
      });
      route(router, 'PUT', '/service/:serviceId/version/:version/lock', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = findVersion(service, request.params.version ?? '');
        version.locked = true;
        touch(service, version);
        return ok(versionJson(service, version));
      });

      // --- domains --------------------------------------------------------------------------
      route(router, 'GET', '/service/:serviceId/version/:version/domain', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = findVersion(service, request.params.version ?? '');
        return ok(version.domains.map((domain) => domainJson(service, version, domain)));
      });
      route(router, 'POST', '/service/:serviceId/version/:version/domain', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = editableVersion(service, request.params.version ?? '');
        const form = request.form();
        const name = (form.get('name') ?? '').toLowerCase();
        if (!name) return classicError(400, 'Bad request', "Domain needs a 'name'.");
        if (version.domains.some((domain) => domain.name === name)) return classicError(409, 'Duplicate record', `Duplicate domain: '${name}'`);
        if (options.maxDomainsPerService !== undefined && version.domains.length >= options.maxDomainsPerService) {
          return classicError(400, 'An error occurred while connecting to the fastly API, please try your request again.', `Exceeding max number of domains: ${options.maxDomainsPerService}`);
        }
        const owner = domainOwner(name, service);
        if (owner) {
          return classicError(
            400,
            'Bad request',
            owner.customer_id !== customer
              ? `Domain '${name}' is already taken by another customer`
              : variants.domainTakenDetail === 'names-service'
                ? `Domain '${name}' is already taken by service '${owner.id}'`
                : `Domain '${name}' is already in use`,
          );
        }
        const time = fastlyTime(now());
        const domain = { name, comment: form.get('comment') ?? '', created_at: time, updated_at: time };
        version.domains.push(domain);
        touch(service, version);
        return ok(domainJson(service, version, domain));
      });
      route(router, 'DELETE', '/service/:serviceId/version/:version/domain/:name', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = editableVersion(service, request.params.version ?? '');
        const name = (request.params.name ?? '').toLowerCase();
        if (!version.domains.some((domain) => domain.name === name)) return classicError(404, 'Record not found', `Couldn't find Domain '${name}'`);
        version.domains = version.domains.filter((domain) => domain.name !== name);
        touch(service, version);
        return ok({ status: 'ok' });
      });

      // --- backends -------------------------------------------------------------------------
      route(router, 'GET', '/service/:serviceId/version/:version/backend', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = findVersion(service, request.params.version ?? '');
        return ok(version.backends.map((backend) => backendJson(service, version, backend)));
      });
      route(router, 'POST', '/service/:serviceId/version/:version/backend', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = editableVersion(service, request.params.version ?? '');
        const backend = newBackend(request.form());
        if (version.backends.some((existing) => existing.name === backend.name)) return classicError(409, 'Duplicate record', `Duplicate backend: '${backend.name}'`);
        version.backends.push(backend);
        touch(service, version);
        return ok(backendJson(service, version, backend));
      });
      route(router, 'PUT', '/service/:serviceId/version/:version/backend/:name', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = editableVersion(service, request.params.version ?? '');
        const index = version.backends.findIndex((backend) => backend.name === request.params.name);
        const existing = version.backends[index];
        if (!existing) return classicError(404, 'Record not found', `Couldn't find Backend '${request.params.name ?? ''}'`);
        const updated = newBackend(request.form(), existing);
        version.backends[index] = updated;
        touch(service, version);
        return ok(backendJson(service, version, updated));
      });
      route(router, 'DELETE', '/service/:serviceId/version/:version/backend/:name', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = editableVersion(service, request.params.version ?? '');
        if (!version.backends.some((backend) => backend.name === request.params.name)) return classicError(404, 'Record not found', `Couldn't find Backend '${request.params.name ?? ''}'`);
        version.backends = version.backends.filter((backend) => backend.name !== request.params.name);
        touch(service, version);
        return ok({ status: 'ok' });
      });

      // --- VCL snippets ---------------------------------------------------------------------
      route(router, 'GET', '/service/:serviceId/version/:version/snippet', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = findVersion(service, request.params.version ?? '');
        return ok(version.snippets.map((snippet) => snippetJson(service, version, snippet)));
      });
      route(router, 'POST', '/service/:serviceId/version/:version/snippet', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        if (service.type !== 'vcl') return classicError(400, 'Bad request', 'VCL snippets are only available on VCL services.');
        const version = editableVersion(service, request.params.version ?? '');
        const form = request.form();
        const name = form.get('name');
        if (!name) return classicError(400, 'Bad request', "Snippet needs a 'name'.");
        if (version.snippets.some((snippet) => snippet.name === name)) return classicError(409, 'Duplicate record', `Duplicate snippet: '${name}'`);
        const time = fastlyTime(now());
        const snippet = {
          id: fastlyId(),
          name,
          type: form.get('type') ?? 'init',
          content: form.get('content') ?? '',
          dynamic: form.get('dynamic') ?? '0',
          priority: form.get('priority') ?? '100',
          created_at: time,
          updated_at: time,
        };
        version.snippets.push(snippet);
        touch(service, version);
        return ok(snippetJson(service, version, snippet));
      });
      route(router, 'PUT', '/service/:serviceId/version/:version/snippet/:name', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = editableVersion(service, request.params.version ?? '');
        const snippet = version.snippets.find((candidate) => candidate.name === request.params.name);
        if (!snippet) return classicError(404, 'Record not found', `Couldn't find Snippet '${request.params.name ?? ''}'`);
        const form = request.form();
        snippet.type = form.get('type') ?? snippet.type;
        snippet.content = form.get('content') ?? snippet.content;
        snippet.priority = form.get('priority') ?? snippet.priority;
        snippet.updated_at = fastlyTime(now());
        touch(service, version);
        return ok(snippetJson(service, version, snippet));
      });
      route(router, 'DELETE', '/service/:serviceId/version/:version/snippet/:name', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = editableVersion(service, request.params.version ?? '');
        if (!version.snippets.some((snippet) => snippet.name === request.params.name)) return classicError(404, 'Record not found', `Couldn't find Snippet '${request.params.name ?? ''}'`);
        version.snippets = version.snippets.filter((snippet) => snippet.name !== request.params.name);
        touch(service, version);
        return ok({ status: 'ok' });
      });

      // --- Compute package ------------------------------------------------------------------
      route(router, 'GET', '/service/:serviceId/version/:version/package', (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        const version = findVersion(service, request.params.version ?? '');
        if (!version.package) return classicError(404, 'Record not found', `No package for version ${version.number}`);
        return ok(packageJson(service, version, version.package));
      });
      route(router, 'PUT', '/service/:serviceId/version/:version/package', async (request, customer) => {
        const service = ownService(customer, request.params.serviceId ?? '');
        if (service.type !== 'wasm') return classicError(400, 'Bad request', 'Packages can only be uploaded to Compute (wasm) services.');
        const version = editableVersion(service, request.params.version ?? '');
        const contentType = String(request.headers['content-type'] ?? '');
        if (!contentType.startsWith('multipart/form-data')) return classicError(400, 'Bad request', "The package must be sent as multipart/form-data in the field 'package'.");
        let upload: unknown;
        try {
          const form = await new Request('http://sandbox/upload', { method: 'PUT', headers: { 'content-type': contentType }, body: request.body }).formData();
          upload = form.get('package');
        } catch {
          return classicError(400, 'Bad request', 'The multipart body could not be read.');
        }
        if (!(upload instanceof Blob)) return classicError(400, 'Bad request', "No file in the multipart field 'package'.");
        let contents;
        try {
          contents = await inspectComputePackage(new Uint8Array(await upload.arrayBuffer()));
        } catch (error) {
          return classicError(400, 'Bad request', error instanceof Error ? error.message : String(error));
        }
        const time = fastlyTime(now());
        version.package = {
          id: version.package?.id ?? fastlyId(),
          metadata: { ...contents.manifest, files_hash: contents.filesHash, hashsum: contents.hashsum, size: contents.size },
          created_at: version.package?.created_at ?? time,
          updated_at: time,
        };
        touch(service, version);
        return ok(packageJson(service, version, version.package));
      });

      // --- TLS (JSON:API) -------------------------------------------------------------------
      route(router, 'GET', '/tls/configurations', () =>
        jsonApiOk(200, {
          data: state.configurations.map(configurationJson),
          meta: { per_page: 20, current_page: 1, record_count: state.configurations.length, total_pages: 1 },
        }),
      );
      route(router, 'GET', '/tls/configurations/:id', (request) => {
        const configuration = state.configurations.find((candidate) => candidate.id === request.params.id);
        if (!configuration) return jsonApiError(404, 'Record not found', `Cannot find TLS configuration '${request.params.id ?? ''}'`);
        return jsonApiOk(200, { data: configurationJson(configuration), ...(includes(request, 'dns_records') ? { included: dnsRecordsJson(configuration) } : {}) });
      });
      route(router, 'GET', '/tls/subscriptions', (request, customer) => {
        const domainFilter = request.query.get('filter[tls_domains.id]');
        const stateFilter = request.query.get('filter[state]');
        const matching = state.subscriptions.filter(
          (subscription) =>
            subscription.customer_id === customer &&
            (domainFilter === null || subscription.domains.includes(domainFilter.toLowerCase())) &&
            (stateFilter === null || subscription.state === stateFilter),
        );
        return jsonApiOk(200, {
          data: matching.map(subscriptionJson),
          ...(includes(request, 'tls_authorizations') ? { included: matching.flatMap(authorizationJson) } : {}),
          meta: { per_page: 20, current_page: 1, record_count: matching.length, total_pages: 1 },
        });
      });
      route(router, 'GET', '/tls/subscriptions/:id', (request, customer) => {
        const subscription = state.subscriptions.find((candidate) => candidate.id === request.params.id && candidate.customer_id === customer);
        if (!subscription) return jsonApiError(404, 'Not found', 'The subscription you requested was not found');
        return jsonApiOk(200, { data: subscriptionJson(subscription), ...(includes(request, 'tls_authorizations') ? { included: authorizationJson(subscription) } : {}) });
      });
      route(router, 'POST', '/tls/subscriptions', (request, customer) => {
        const body = readJsonApi(request);
        const data = body.data as { type?: string; attributes?: Record<string, unknown>; relationships?: Record<string, { data?: unknown }> } | undefined;
        if (!data || data.type !== 'tls_subscription') return jsonApiError(400, 'Bad Request', "data.type must be 'tls_subscription'.");
        const authority = String(data.attributes?.certificate_authority ?? 'certainly');
        if (!['certainly', 'lets-encrypt', 'globalsign'].includes(authority)) {
          return jsonApiError(400, 'Bad Request', "certificate_authority must be one of 'certainly', 'lets-encrypt', 'globalsign'.");
        }
        const domainData = data.relationships?.tls_domains?.data;
        const domains = Array.isArray(domainData) ? domainData.map((item) => String((item as { id?: unknown }).id ?? '').toLowerCase()).filter(Boolean) : [];
        if (domains.length === 0) return jsonApiError(400, 'Bad Request', 'A subscription needs at least one tls_domain.');
        if (domains.length > maxDomainsPerSubscription) {
          return jsonApiError(400, 'Bad Request', `A subscription can hold at most ${maxDomainsPerSubscription} domains; ${domains.length} were given.`);
        }
        for (const domain of domains) {
          const onActiveService = liveServices().some(
            (service) => service.customer_id === customer && activeVersion(service)?.domains.some((candidate) => candidate.name === domain),
          );
          if (!onActiveService) {
            return jsonApiError(400, 'The domain you entered was not found on one of your services', `Please add ${domain} to an active service to begin TLS enablement.`);
          }
          if (state.subscriptions.some((subscription) => subscription.domains.includes(domain))) {
            return jsonApiError(409, 'Conflict', `A TLS subscription for ${domain} already exists.`);
          }
        }
        const commonNameData = data.relationships?.common_name?.data as { id?: unknown } | undefined;
        const configurationData = data.relationships?.tls_configuration?.data as { id?: unknown } | undefined;
        const configurationId = configurationData?.id === undefined ? defaultConfiguration.id : String(configurationData.id);
        if (!state.configurations.some((candidate) => candidate.id === configurationId)) {
          return jsonApiError(400, 'Bad Request', `Cannot find TLS configuration '${configurationId}'.`);
        }
        const time = tlsTime(now());
        // Ids as recorded in fastly/go-fastly fixtures/tls_subscription/create.yaml: 22 base62.
        const subscription: FastlyTlsSubscription = {
          id: fastlyId(),
          customer_id: customer,
          certificate_authority: authority,
          domains,
          common_name: commonNameData?.id === undefined ? (domains[0] ?? '') : String(commonNameData.id).toLowerCase(),
          configuration_id: configurationId,
          state: 'pending',
          authorization_id: fastlyId(),
          challenge_value: `${randomBytes(8).toString('hex')}.fastly-validations.com`,
          created_at: time,
          updated_at: time,
        };
        state.subscriptions.push(subscription);
        refreshSubscriptions();
        return jsonApiOk(201, { data: subscriptionJson(subscription), included: authorizationJson(subscription) });
      });
      route(router, 'PATCH', '/tls/subscriptions/:id', (request, customer) =>
        updateSubscription(
          {
            subscriptions: () => state.subscriptions,
            variants,
            maxDomainsPerSubscription,
            now,
            onActiveService: (owner, domain) => liveServices().some((service) => service.customer_id === owner && activeVersion(service)?.domains.some((candidate) => candidate.name === domain)),
            tlsEnabled: (domain) => state.subscriptions.some((subscription) => servedDomains(subscription).includes(domain)),
            subscriptionJson,
            configurationOf,
            jsonApiError,
            jsonApiOk,
          },
          customer,
          request.params.id ?? '',
          readJsonApi(request),
          request.query.get('force') === 'true',
        ),
      );
      route(router, 'DELETE', '/tls/subscriptions/:id', (request, customer) => {
        const subscription = state.subscriptions.find((candidate) => candidate.id === request.params.id && candidate.customer_id === customer);
        if (!subscription) return jsonApiError(404, 'Not found', 'The subscription you requested was not found');
        const inUse = liveServices().some((service) => activeVersion(service)?.domains.some((domain) => subscription.domains.includes(domain.name)));
        if ((subscription.state === 'issued' || subscription.state === 'renewing') && inUse && request.query.get('force') !== 'true') {
          return jsonApiError(400, 'Bad Request', 'The certificate of this subscription is in use; pass force=true to delete it anyway.');
        }
        state.subscriptions = state.subscriptions.filter((candidate) => candidate !== subscription);
        return { status: 204 };
      });
    },
  });

  const onAdvance = (): void => {
    void sync();
  };
  sandbox.clock.on('advance', onAdvance);

  return {
    url: server.url,
    server,
    tokens,
    customerId,
    cnameTarget,
    state,
    addForeignService(foreign) {
      const time = fastlyTime(now());
      const hostname = foreign.hostname.toLowerCase();
      const service: FastlyService = {
        id: fastlyId(),
        name: foreign.name ?? `www ${hostname}`,
        type: foreign.type ?? 'vcl',
        comment: 'Created by hand in the Fastly console',
        customer_id: foreign.customer === 'other' ? otherCustomerId : customerId,
        created_at: time,
        updated_at: time,
        versions: [
          {
            number: 1,
            active: true,
            locked: true,
            deployed: true,
            comment: '',
            created_at: time,
            updated_at: time,
            domains: [{ name: hostname, comment: '', created_at: time, updated_at: time }],
            backends: [newBackend(new URLSearchParams({ name: 'origin', address: 'origin.example.net', port: '443' }))],
            snippets: [],
          },
        ],
      };
      state.services.push(service);
      return { serviceId: service.id, snapshot: () => structuredClone(state.services.find((candidate) => candidate.id === service.id) ?? null) };
    },
    setRateLimit(change) {
      budget.limit = change.limit ?? budget.limit;
      budget.windowMs = change.windowMs ?? budget.windowMs;
      budget.remaining = change.remaining ?? budget.limit;
      budget.resetAt = Date.now() + budget.windowMs;
    },
    rateLimit: () => ({ ...budget }),
    variants: () => ({ ...variants }),
    setVariants(change) {
      Object.assign(variants, change);
    },
    setSubscriptionState(hostname, subscriptionState) {
      const subscription = state.subscriptions.find((candidate) => candidate.domains.includes(hostname.toLowerCase()));
      if (!subscription) throw new Error(`No TLS subscription for ${hostname}.`);
      subscription.state = subscriptionState;
      subscription.pinned = true;
      void sync();
    },
    sync,
    async close() {
      sandbox.clock.off('advance', onAdvance);
      await server.close();
    },
  };
}

export type { FastlyBackend, FastlyService, FastlyState, FastlyTlsSubscription, FastlyVersion, TlsSubscriptionState };
export { defaultFastlyApiVariants, type FastlyApiVariants };
