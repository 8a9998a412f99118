import { SslClickError, normalizeHostname } from '@sslclick/core';
import { invalidInput, loadCredential, withRedactedErrors } from '@sslclick/core/adapter';
import type { LinkBrandingSource, LinkBrandingValidation as CoreLinkBrandingValidation, VerificationSettings } from '@sslclick/core';
import type { CommonProxySettings } from '@sslclick/core/adapter';
import { sendGridProvider } from './error-translation.js';
import { parseLinkBrandingList, parseLinkBrandingResource, toLinkBranding } from './link-branding.js';
import type { LinkBranding, LinkBrandingResource, SendGridRegion } from './link-branding.js';
import { MAXIMUM_LINK_BRANDING_PAGE_SIZE, readAllLinkBrandingPages } from './link-branding-pages.js';
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
  apiKey?: string | undefined; // `| undefined`: `apiKey: process.env.X` compiles under exactOptionalPropertyTypes
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
   * How many brandings `list` asks for per page (`limit`), paging on with `offset`; at most 500.
   * When SendGrid ignores `offset`, the list is read once with `limit=500` instead.
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
  /** Always `sendgrid`, for messages and errors. */
  readonly provider: 'sendgrid';
  /** The SendGrid region the calls go to. */
  readonly region: SendGridRegion;
  /** The sub-user the calls act for, if any. */
  readonly subuser: string | undefined;
  /**
   * Every link branding of the account (or sub-user), all pages, by id; for a sub-user also the
   * parent's branding associated with it. `PROVIDER` rather than a short list when SendGrid's
   * paging cannot be followed to the end.
   */
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
  /**
   * The same reader (key, region, settings) acting for sub-user `username` with `on-behalf-of`:
   * how `setupAccount` reaches each sub-user's brandings. Bad input is `INVALID_INPUT`.
   */
  forSubuser(username: string): SendGridLinks;
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
  checkPositiveInteger(settings.pageSize, 'pageSize', MAXIMUM_LINK_BRANDING_PAGE_SIZE);
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

  async function readSubuserBranding(username: string, options: SendGridCallOptions): Promise<LinkBrandingResource | undefined> {
    const operation = 'links.subuser';
    try {
      const body = await client.request({
        ...options,
        method: 'GET',
        path: '/v3/whitelabel/links/subuser',
        query: { username },
        operation,
        scope: 'whitelabel.read',
        subject: `a link branding associated with sub-user "${username}"`,
        actAsSubuser: false,
      });
      // No association may also be answered as an empty body or object rather than a 404.
      if (body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).length === 0)) return undefined;
      return parseLinkBrandingResource(body, operation);
    } catch (error) {
      if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async function list(options: SendGridCallOptions = {}): Promise<LinkBranding[]> {
    const operation = 'links.list';
    const brandings = await readAllLinkBrandingPages(
      async (limit, offset) =>
        parseLinkBrandingList(
          await client.request({
            ...options,
            method: 'GET',
            path: '/v3/whitelabel/links',
            query: { limit, offset },
            operation,
            scope: 'whitelabel.read',
            subject: 'the link brandings',
          }),
          operation,
        ),
      pageSize,
      operation,
    );
    // A sub-user's own list need not hold the parent's branding associated with it, which is the
    // one its mail is sent with: ask the parent's side too (twilio/sendgrid-oai, GetWhitelabelLinksSubuser).
    if (subuser !== undefined) {
      const associated = await readSubuserBranding(subuser, options);
      if (associated !== undefined && !brandings.some((branding) => branding.id === associated.id)) {
        brandings.push(associated);
        brandings.sort((left, right) => left.id - right.id);
      }
    }
    return brandings.map((resource) => toLinkBranding(resource, region));
  }

  async function get(idInput: number, options: SendGridCallOptions = {}): Promise<LinkBranding> {
    const operation = 'links.get';
    const id = checkId(idInput, operation);
    try {
      const body = await client.request({
        ...options,
        method: 'GET',
        path: `/v3/whitelabel/links/${id}`,
        operation,
        scope: 'whitelabel.read',
        subject: `link branding ${id}`,
      });
      return toLinkBranding(parseLinkBrandingResource(body, operation), region);
    } catch (error) {
      // The parent's branding associated with the sub-user may be invisible to on-behalf-of reads.
      if (subuser === undefined || !SslClickError.isInstance(error) || error.code !== 'NOT_FOUND') throw error;
      const associated = await readSubuserBranding(subuser, options);
      if (associated?.id === id) return toLinkBranding(associated, region);
      throw error;
    }
  }

  return withRedactedErrors({
    provider: 'sendgrid',
    region,
    subuser,
    list,
    get,
    listSubusers: (options = {}) => listSubusers(client, pageSize, options),
    forSubuser: (username) => createSendGridLinks({ ...settings, apiKey, subuser: username }),

    async findByHostname(hostnameInput, options = {}) {
      const hostname = normalizeHostname(hostnameInput);
      const matching = (await list(options)).filter((branding) => branding.hostname === hostname);
      return matching.find((branding) => branding.valid) ?? matching[0];
    },

    async subuserBranding(username, options = {}) {
      if (typeof username !== 'string' || username.trim() === '') {
        throw invalidInput('subuserBranding needs the sub-user\'s username.', { provider: sendGridProvider, operation: 'links.subuser' });
      }
      const resource = await readSubuserBranding(username.trim(), options);
      return resource === undefined ? undefined : toLinkBranding(resource, region);
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
  });
}
