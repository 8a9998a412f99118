import type { Sandbox } from '../sandbox.js';
import { startVendorApiServer } from '../vendor-api-server.js';
import type { VendorApiServer } from '../vendor-api-server.js';
import { sendGridErrorFormat } from './sendgrid-envelope.js';
import { addSendGridRoutes } from './sendgrid-routes.js';
import type { SendGridScope } from './sendgrid-routes.js';
import { SendGridState } from './sendgrid-state.js';
import type {
  AddLinkBrandingInput,
  SendGridLinkBrandingResource,
  SendGridUser,
  SendGridValidationResource,
} from './sendgrid-state.js';

/**
 * How the fake answers where SendGrid's documentation leaves the behaviour open, so a client can
 * be tested under each plausible answer.
 */
export interface SendGridApiBehaviour {
  /**
   * Whether `GET /v3/whitelabel/links` honours `offset` (SendGrid's spec documents only `limit`
   * for this path): `ignored` answers every page from the first branding.
   * @default 'honoured'
   */
  listOffset: 'honoured' | 'ignored';
  /**
   * Whether a sub-user's own `GET /v3/whitelabel/links` (and `GET …/:id`) shows the parent's
   * branding associated with it. Undocumented; `GET /v3/whitelabel/links/subuser` always does.
   * @default true
   */
  subuserSeesAssociatedBranding: boolean;
  /**
   * After this many 401 answers, every request answers 403 (SendGrid's "Too many bad requests.
   * Temporary block") until the behaviour is set again. `undefined` never blocks.
   * @default undefined
   */
  blockAfterUnauthorized: number | undefined;
}

/** Options for {@link startSendGridApi}. */
export interface SendGridApiOptions extends Partial<SendGridApiBehaviour> {
  /**
   * The most link brandings one page of `GET /v3/whitelabel/links` holds; a larger `limit` is cut
   * to it. Lower it to make clients page.
   * @default 500
   */
  maxPageSize?: number;
}

/** What {@link SendGridApi.addApiKey} registers. */
export interface SendGridApiKeyInput {
  /**
   * The key's scopes, e.g. `['whitelabel.read', 'whitelabel.update']`. A path whose scope is
   * missing answers 403 `access forbidden`.
   */
  scopes: readonly (SendGridScope | (string & {}))[];
  /** The user the key belongs to; created as a parent account when unknown. */
  username: string;
}

/** The running fake of SendGrid's v3 link branding API, wired to a sandbox. */
export interface SendGridApi {
  /** The base URL to pass as `baseURL`, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The HTTP server: its request log (`requests`, `writes()`), fault injection and `close()`. */
  readonly server: VendorApiServer;
  /** Registers an API key (sent as `Authorization: Bearer <key>`). */
  addApiKey(key: string, options: SendGridApiKeyInput): void;
  /**
   * Adds a link branding as SendGrid would have created it, publishes its records in the
   * sandbox zone (unless `publishDns: false`) and, when valid, has the origin serve its host.
   */
  addLinkBranding(input: AddLinkBrandingInput): SendGridLinkBrandingResource;
  /** Adds a sub-user under `parent` (created as a parent account when unknown). */
  addSubuser(parent: string, username: string): SendGridUser;
  /** Associates the parent's branding `linkId` with its sub-user `username`. */
  associateSubuser(linkId: number, username: string): SendGridLinkBrandingResource;
  /** The branding as the fake holds it now, or undefined. */
  getLinkBranding(id: number): SendGridLinkBrandingResource | undefined;
  /**
   * Runs SendGrid's validation of a branding directly, as `POST …/validate` would (test-only: it
   * bypasses HTTP, auth and the request log).
   */
  validateLinkBranding(id: number): SendGridValidationResource;
  /** Switches behaviours SendGrid's documentation leaves open (see {@link SendGridApiBehaviour}); also lifts a temporary block. */
  setBehaviour(behaviour: Partial<SendGridApiBehaviour>): void;
  /** Stops the server. The sandbox is left running. */
  close(): Promise<void>;
}

/**
 * Starts a stateful fake of SendGrid's v3 link branding API on 127.0.0.1, in SendGrid's wire
 * format: `GET /v3/whitelabel/links` (`limit`, `offset`), `GET /v3/whitelabel/links/:id`,
 * `POST /v3/whitelabel/links/:id/validate`, `GET|DELETE /v3/whitelabel/links/subuser?username=`,
 * `POST /v3/whitelabel/links/:id/subuser` and `GET /v3/whitelabel/links/default`. Bearer API keys
 * with scopes, `on-behalf-of` sub-user scoping, and validation against the sandbox DNS zone: a
 * validation that fails (the CNAME moved to a CDN) marks the branding invalid and the sandbox
 * origin stops serving its host, as SendGrid warns.
 */
export async function startSendGridApi(sandbox: Sandbox, options: SendGridApiOptions = {}): Promise<SendGridApi> {
  const maxPageSize = options.maxPageSize ?? 500;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1) throw new TypeError('maxPageSize must be a positive integer.');
  const state = new SendGridState(sandbox);
  const routeOptions = {
    maxPageSize,
    listOffset: options.listOffset ?? 'honoured',
    subuserSeesAssociatedBranding: options.subuserSeesAssociatedBranding ?? true,
    blockAfterUnauthorized: options.blockAfterUnauthorized,
    unauthorizedCount: 0,
  };
  const server = await startVendorApiServer({
    format: sendGridErrorFormat,
    routes: (router) => addSendGridRoutes(router, state, routeOptions),
  });
  return {
    url: server.url,
    server,
    addApiKey: (key, keyOptions) => state.addApiKey(key, keyOptions),
    addLinkBranding: (input) => state.addLinkBranding(input),
    addSubuser: (parent, username) => state.addSubuser(parent, username),
    associateSubuser: (linkId, username) => state.associateSubuser(linkId, username),
    getLinkBranding: (id) => state.getLinkBranding(id),
    validateLinkBranding: (id) => state.validate(id),
    setBehaviour: (behaviour) => {
      Object.assign(routeOptions, behaviour, { unauthorizedCount: 0 });
    },
    close: () => server.close(),
  };
}
