import { SslClickError, invalidInput, loadCredential, normalizeHostname } from '@sslclick/core';
import type { CommonProxySettings, LinkBrandingSource, LinkBrandingValidation as CoreLinkBrandingValidation, VerificationSettings } from '@sslclick/core';
import { sendGridProvider } from './error-translation.js';
import { parseLinkBrandingList, parseLinkBrandingResource, toLinkBranding } from './link-branding.js';
import type { LinkBranding, SendGridRegion } from './link-branding.js';
import { createSendGridClient } from './sendgrid-client.js';
import type { SendGridCallOptions } from './sendgrid-client.js';
import { listSubusers, type SendGridSubuser } from './subusers.js';
import { assertSafeToValidate, lookupBrandedHost } from './validation-guard.js';

/** The API base of SendGrid's global region. */
export const SENDGRID_GLOBAL_BASE_URL = 'https://api.sendgrid.com';
/** The API base of SendGrid's EU region (EU regional sub-users). */
export const SENDGRID_EU_BASE_URL = 'https://api.eu.sendgrid.com';

/** Settings of {@link createSendGridLinks}. */
export interface SendGridLinksSettings {
  /**
   * A SendGrid API key with the `whitelabel.read` scope (and `whitelabel.update` to validate).
   * @default process.env.SENDGRID_API_KEY
   */
  apiKey?: string;
  /**
   * The SendGrid region of the account: `eu` for EU regional sub-users, whose API base and link
   * origin (`eu.sendgrid.net`) differ.
   * @default 'global'
   */
  region?: SendGridRegion;
  /**
   * The API base URL (a proxy, or the sandbox's fake).
   * @default 'https://api.sendgrid.com', or 'https://api.eu.sendgrid.com' when `region` is `eu`
   */
  baseURL?: string;
  /**
   * A sub-user's username: every call is made on its behalf (`on-behalf-of`), with the parent's key.
   * @default undefined (the key's own account)
   */
  subuser?: string;
  /**
   * Bounds of the retries of each call (429, 5xx and dropped connections are retried).
   * @default core's withRetry defaults (6 attempts, 250 ms to 10 s backoff, 120 s in all)
   */
  retry?: CommonProxySettings['retry'];
  /**
   * The `fetch` to call the API with (tests, proxies, instrumentation).
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /**
   * How `validate` resolves the branded host's CNAME: resolver, timeouts (the sandbox passes
   * `sandbox.verification`).
   * @default the system's resolvers
   */
  verification?: VerificationSettings;
  /**
   * How many brandings `list` asks for per page (`limit`), paging on with `offset`.
   * @default 100
   */
  pageSize?: number;
  /**
   * The time-out of one HTTP request, in ms; a timed-out request is retried.
   * @default 30000
   */
  timeoutMs?: number;
}

/** The result of {@link SendGridLinks.validate} (core's shape). */
export type LinkBrandingValidation = CoreLinkBrandingValidation;

/**
 * Reads SendGrid link brandings for sslclick and validates one only while that is safe. Every
 * call is retried on 429/5xx and translated into an `SslClickError`.
 */
export interface SendGridLinks extends LinkBrandingSource {
  readonly provider: 'sendgrid';
  readonly region: SendGridRegion;
  /** The sub-user the calls act for, if any. */
  readonly subuser: string | undefined;
  /** Every link branding of the account (or sub-user), all pages, by id. */
  list(options?: SendGridCallOptions): Promise<LinkBranding[]>;
  /** One branding by id; `NOT_FOUND` when the account (or sub-user) has none with that id. */
  get(id: number, options?: SendGridCallOptions): Promise<LinkBranding>;
  /**
   * The branding whose link host is `hostname` (normalised first; bad input is `INVALID_INPUT`
   * before any call), or undefined when the account (or sub-user) has none. A valid one is
   * preferred when several match.
   */
  findByHostname(hostname: string, options?: SendGridCallOptions): Promise<LinkBranding | undefined>;
  /**
   * The parent's branding associated with sub-user `username` (`GET /v3/whitelabel/links/subuser`),
   * or undefined when none is. Asked as the key's own account, without `on-behalf-of`.
   */
  subuserBranding(username: string, options?: SendGridCallOptions): Promise<LinkBranding | undefined>;
  /**
   * The branding SendGrid uses for mail from `domain` (or the default one without it):
   * `GET /v3/whitelabel/links/default`. SendGrid's own `*.ct.sendgrid.net` when none applies.
   */
  defaultBranding(options?: SendGridCallOptions & { domain?: string }): Promise<LinkBranding>;
  /**
   * Validates the branding (`POST /v3/whitelabel/links/{id}/validate`), but FIRST resolves its
   * host and refuses with `UNSAFE`, sending nothing, unless the link CNAME still leads straight
   * to the SendGrid target (`sendgrid.net`, `eu.sendgrid.net`; `click.sendgrid.net` for Auto
   * SSL). After the CDN cutover a validation fails and SendGrid stops serving the links, so this
   * guard has no off switch. Needs the `whitelabel.update` scope.
   */
  validate(id: number, options?: SendGridCallOptions): Promise<LinkBrandingValidation>;
  /**
   * Every sub-user of the key's account (`GET /v3/subusers`), whose brandings SendGrid enables
   * separately. Needs the `subusers.read` scope; a sub-user's own key gets `PERMISSION`.
   */
  listSubusers(options?: SendGridCallOptions): Promise<SendGridSubuser[]>;
}

function checkId(id: unknown, operation: string): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw invalidInput(`The link branding id must be a positive integer such as 1234567, not ${JSON.stringify(id)}.`, { provider: sendGridProvider, operation });
  }
  return id;
}

function checkBaseURL(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput(`baseURL "${value}" is not a URL such as ${SENDGRID_GLOBAL_BASE_URL}.`, { provider: sendGridProvider, operation: 'create' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidInput(`baseURL "${value}" must be an http(s) URL such as ${SENDGRID_GLOBAL_BASE_URL}.`, { provider: sendGridProvider, operation: 'create' });
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw invalidInput('baseURL must not carry a query, fragment or credentials: pass the API key as "apiKey".', { provider: sendGridProvider, operation: 'create' });
  }
  return url.href.replace(/\/+$/, '');
}

function checkPositiveInteger(value: unknown, name: string, maximum: number): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maximum)) {
    throw invalidInput(`${name} must be an integer from 1 to ${maximum}.`, { provider: sendGridProvider, operation: 'create' });
  }
}

/**
 * Creates the SendGrid link branding reader. Settings are checked here: a bad `region`,
 * `baseURL`, `subuser`, `pageSize` or `timeoutMs` is `INVALID_INPUT`, a missing key is
 * `CREDENTIALS` naming the `apiKey` setting and `SENDGRID_API_KEY`. No request is made yet.
 */
export function createSendGridLinks(settings: SendGridLinksSettings = {}): SendGridLinks {
  const region = settings.region ?? 'global';
  if (region !== 'global' && region !== 'eu') {
    throw invalidInput(`region must be "global" or "eu", not ${JSON.stringify(region)}.`, { provider: sendGridProvider, operation: 'create' });
  }
  if (settings.subuser !== undefined && (typeof settings.subuser !== 'string' || settings.subuser.trim() === '' || /[\r\n]/.test(settings.subuser))) {
    throw invalidInput('subuser must be the sub-user\'s username (a non-empty single-line string).', { provider: sendGridProvider, operation: 'create' });
  }
  checkPositiveInteger(settings.pageSize, 'pageSize', 500);
  checkPositiveInteger(settings.timeoutMs, 'timeoutMs', 600_000);
  const baseURL = checkBaseURL(settings.baseURL ?? (region === 'eu' ? SENDGRID_EU_BASE_URL : SENDGRID_GLOBAL_BASE_URL));
  const apiKey = loadCredential({ value: settings.apiKey, environmentVariable: 'SENDGRID_API_KEY', settingName: 'apiKey', provider: sendGridProvider });
  const subuser = settings.subuser?.trim();
  const pageSize = settings.pageSize ?? 100;
  const verification = settings.verification;
  const client = createSendGridClient({
    apiKey,
    baseURL,
    subuser,
    fetch: settings.fetch ?? globalThis.fetch,
    retry: settings.retry,
    timeoutMs: settings.timeoutMs ?? 30_000,
  });

  async function list(options: SendGridCallOptions = {}): Promise<LinkBranding[]> {
    const operation = 'links.list';
    const byId = new Map<number, LinkBranding>();
    for (let offset = 0; ; offset += pageSize) {
      const body = await client.request({
        ...options,
        method: 'GET',
        path: '/v3/whitelabel/links',
        query: { limit: pageSize, offset },
        operation,
        scope: 'whitelabel.read',
        subject: 'the link brandings',
      });
      const page = parseLinkBrandingList(body, operation);
      const before = byId.size;
      for (const resource of page) byId.set(resource.id, toLinkBranding(resource, region));
      if (page.length < pageSize) break;
      // A full page with nothing new means the API ignored the offset: the rest cannot be read,
      // and a silently short list would hide brandings from the readiness checks.
      if (byId.size === before) {
        throw new SslClickError({
          code: 'PROVIDER',
          provider: sendGridProvider,
          operation,
          retryable: false,
          message: `SendGrid returned the same ${page.length} link brandings for offset ${offset} as before, so the list cannot be paged; set "pageSize" above the number of brandings (at most 500).`,
        });
      }
    }
    return [...byId.values()].sort((left, right) => left.id - right.id);
  }

  async function get(idInput: number, options: SendGridCallOptions = {}): Promise<LinkBranding> {
    const operation = 'links.get';
    const id = checkId(idInput, operation);
    const body = await client.request({
      ...options,
      method: 'GET',
      path: `/v3/whitelabel/links/${id}`,
      operation,
      scope: 'whitelabel.read',
      subject: `link branding ${id}`,
    });
    return toLinkBranding(parseLinkBrandingResource(body, operation), region);
  }

  return {
    provider: 'sendgrid',
    region,
    subuser,
    list,
    get,
    listSubusers: (options = {}) => listSubusers(client, pageSize, options),

    async findByHostname(hostnameInput, options = {}) {
      const hostname = normalizeHostname(hostnameInput);
      const matching = (await list(options)).filter((branding) => branding.hostname === hostname);
      return matching.find((branding) => branding.valid) ?? matching[0];
    },

    async subuserBranding(username, options = {}) {
      const operation = 'links.subuser';
      if (typeof username !== 'string' || username.trim() === '') {
        throw invalidInput('subuserBranding needs the sub-user\'s username.', { provider: sendGridProvider, operation });
      }
      try {
        const body = await client.request({
          ...options,
          method: 'GET',
          path: '/v3/whitelabel/links/subuser',
          query: { username: username.trim() },
          operation,
          scope: 'whitelabel.read',
          subject: `a link branding associated with sub-user "${username.trim()}"`,
          actAsSubuser: false,
        });
        return toLinkBranding(parseLinkBrandingResource(body, operation), region);
      } catch (error) {
        if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },

    async defaultBranding(options = {}) {
      const operation = 'links.default';
      const { domain, ...callOptions } = options;
      const body = await client.request({
        ...callOptions,
        method: 'GET',
        path: '/v3/whitelabel/links/default',
        ...(domain === undefined ? {} : { query: { domain: domain.trim().toLowerCase() } }),
        operation,
        scope: 'whitelabel.read',
        subject: 'the default link branding',
      });
      return toLinkBranding(parseLinkBrandingResource(body, operation), region);
    },

    async validate(idInput, options = {}) {
      const operation = 'links.validate';
      const id = checkId(idInput, operation);
      const branding = await get(id, options);
      const lookup = await lookupBrandedHost(branding.hostname, verification, options.signal);
      const judgement = assertSafeToValidate(branding, lookup, operation);
      const body = await client.request({
        ...options,
        method: 'POST',
        path: `/v3/whitelabel/links/${id}/validate`,
        operation,
        scope: 'whitelabel.update',
        subject: `link branding ${id}`,
      });
      const result = body as { id?: unknown; valid?: unknown; validation_results?: unknown } | undefined;
      if (typeof result !== 'object' || result === null || typeof result.valid !== 'boolean') {
        throw new SslClickError({
          code: 'PROVIDER',
          provider: sendGridProvider,
          operation,
          message: `SendGrid answered ${operation} for link branding ${id} without a "valid" field; check the branding in the SendGrid app.`,
        });
      }
      const results: LinkBrandingValidation['results'] = {};
      for (const [name, value] of Object.entries((result.validation_results ?? {}) as Record<string, { valid?: unknown; reason?: unknown }>)) {
        results[name] = { valid: value.valid === true, reason: typeof value.reason === 'string' ? value.reason : null };
      }
      return { id, hostname: branding.hostname, valid: result.valid, results, observedCname: judgement.cname };
    },
  };
}
