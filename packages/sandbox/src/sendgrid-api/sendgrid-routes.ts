import type { VendorRequest, VendorResponse, VendorRouter } from '../vendor-api-server.js';
import { accessForbidden, authorizationRequired, resourceNotFound, sendGridError, temporarilyBlocked } from './sendgrid-envelope.js';
import type { SendGridLinkBrandingResource, SendGridState, SendGridUser } from './sendgrid-state.js';

/** The API key scopes the link branding paths need, as SendGrid names them. */
export type SendGridScope = 'whitelabel.read' | 'whitelabel.update' | 'subusers.read';

/** Options of the routes: paging and the behaviours SendGrid leaves undocumented (read live). */
export interface SendGridRouteOptions {
  /** The most link brandings one page holds; a larger `limit` is cut to it. */
  maxPageSize: number;
  /** `ignored`: every page starts at the first branding, whatever `offset` says. */
  listOffset: 'honoured' | 'ignored';
  /** A sub-user's own reads show the parent's branding associated with it. */
  subuserSeesAssociatedBranding: boolean;
  /** 401 answers after which every request is blocked with 403; undefined never blocks. */
  blockAfterUnauthorized: number | undefined;
  /** 401 answers so far (reset when the behaviour is set). */
  unauthorizedCount: number;
}

interface Caller {
  /** Whom the request acts for: the key's user, or the sub-user named in `on-behalf-of`. */
  user: SendGridUser;
  /** The key's own user. */
  keyUser: SendGridUser;
  actingForSubuser: boolean;
}

function headerValue(request: VendorRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Authenticates as SendGrid does: a `Bearer` API key (401 when missing or unknown), the scope the
 * path needs (403), and `on-behalf-of` naming a sub-user of the key's account (403 otherwise, and
 * for a sub-user's key, which cannot act for anyone).
 */
function authenticate(state: SendGridState, request: VendorRequest, scope: SendGridScope, options: SendGridRouteOptions): Caller | VendorResponse {
  if (options.blockAfterUnauthorized !== undefined && options.unauthorizedCount >= options.blockAfterUnauthorized) return temporarilyBlocked();
  const caller = authenticateKey(state, request, scope);
  if ('status' in caller && caller.status === 401) options.unauthorizedCount += 1;
  return caller;
}

function authenticateKey(state: SendGridState, request: VendorRequest, scope: SendGridScope): Caller | VendorResponse {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(request, 'authorization') ?? '');
  const key = match?.[1] === undefined ? undefined : state.getApiKey(match[1]);
  const keyUser = key === undefined ? undefined : state.getUser(key.username);
  if (!key || !keyUser) return authorizationRequired();
  if (!key.scopes.includes(scope)) return accessForbidden();
  const onBehalfOf = headerValue(request, 'on-behalf-of')?.trim();
  if (onBehalfOf === undefined || onBehalfOf === '') return { user: keyUser, keyUser, actingForSubuser: false };
  const subuser = state.getUser(onBehalfOf);
  if (keyUser.parent !== undefined || !subuser || subuser.parent !== keyUser.username) return accessForbidden();
  return { user: subuser, keyUser, actingForSubuser: true };
}

function isResponse(value: Caller | VendorResponse): value is VendorResponse {
  return 'status' in value;
}

function ok(body: SendGridLinkBrandingResource | SendGridLinkBrandingResource[] | Record<string, unknown>, status = 200): VendorResponse {
  return { status, body: body as Record<string, unknown> };
}

function parseId(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

function parseCount(request: VendorRequest, name: string): number | undefined | VendorResponse {
  const raw = request.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw)) return sendGridError(400, `${name} must be a non-negative integer`, name);
  return Number(raw);
}

/** The branding SendGrid would use for unbranded links: its own `u<user id>.ct.sendgrid.net`. */
function sendGridDefault(user: SendGridUser): SendGridLinkBrandingResource {
  const host = `u${user.userId}.ct.sendgrid.net`;
  return {
    id: 0,
    domain: 'sendgrid.net',
    subdomain: `u${user.userId}.ct`,
    username: user.username,
    user_id: user.userId,
    default: true,
    valid: true,
    legacy: false,
    dns: { domain_cname: { valid: true, type: 'cname', host, data: 'sendgrid.net' } },
  };
}

/** Adds the `/v3/whitelabel/links` and `/v3/subusers` paths of SendGrid's v3 API. Specific paths come before `:id`. */
export function addSendGridRoutes(router: VendorRouter, state: SendGridState, options: SendGridRouteOptions): void {
  // GET /v3/subusers: the parent's sub-users, a page at a time (`limit`, `offset`), as a bare
  // array of { disabled, email, id, username }. A sub-user has none to list: 403.
  router.add('GET', '/v3/subusers', (request) => {
    const caller = authenticate(state, request, 'subusers.read', options);
    if (isResponse(caller)) return caller;
    if (caller.actingForSubuser || caller.keyUser.parent !== undefined) return accessForbidden();
    const limit = parseCount(request, 'limit');
    if (typeof limit === 'object') return limit;
    const offset = parseCount(request, 'offset');
    if (typeof offset === 'object') return offset;
    const start = offset ?? 0;
    const page = state.subusersOf(caller.keyUser.username).slice(start, start + Math.min(limit ?? options.maxPageSize, options.maxPageSize));
    return { status: 200, body: page.map((user) => ({ disabled: false, email: `${user.username}@example.com`, id: user.userId, username: user.username })) as unknown as Record<string, unknown> };
  });

  const visible = (caller: Caller): SendGridLinkBrandingResource[] =>
    state.visibleBrandings(caller.user, { includeAssociated: options.subuserSeesAssociatedBranding });
  router.add('GET', '/v3/whitelabel/links/default', (request) => {
    const caller = authenticate(state, request, 'whitelabel.read', options);
    if (isResponse(caller)) return caller;
    const domain = request.query.get('domain')?.toLowerCase();
    const valid = visible(caller).filter((branding) => branding.valid);
    // SendGrid's order: a valid branding of the From domain, the valid default, a legacy one, its own.
    const chosen =
      (domain ? valid.find((branding) => branding.domain === domain) : undefined) ??
      valid.find((branding) => branding.default) ??
      valid.find((branding) => branding.legacy) ??
      sendGridDefault(caller.user);
    return ok(chosen);
  });

  router.add('GET', '/v3/whitelabel/links/subuser', (request) => {
    const caller = authenticate(state, request, 'whitelabel.read', options);
    if (isResponse(caller)) return caller;
    const username = request.query.get('username');
    if (!username) return sendGridError(400, 'username is required', 'username');
    const subuser = state.getUser(username);
    if (!subuser || subuser.parent !== caller.user.username) return resourceNotFound('subuser not found');
    const branding = state.associatedBranding(username);
    return branding ? ok(branding) : resourceNotFound('no link branding is associated with this subuser');
  });

  router.add('DELETE', '/v3/whitelabel/links/subuser', (request) => {
    const caller = authenticate(state, request, 'whitelabel.update', options);
    if (isResponse(caller)) return caller;
    const username = request.query.get('username');
    if (!username) return sendGridError(400, 'username is required', 'username');
    const subuser = state.getUser(username);
    if (!subuser || subuser.parent !== caller.user.username) return resourceNotFound('subuser not found');
    state.disassociateSubuser(username);
    return { status: 204 };
  });

  router.add('GET', '/v3/whitelabel/links', (request) => {
    const caller = authenticate(state, request, 'whitelabel.read', options);
    if (isResponse(caller)) return caller;
    const limit = parseCount(request, 'limit');
    if (typeof limit === 'object') return limit;
    const offset = parseCount(request, 'offset');
    if (typeof offset === 'object') return offset;
    if (limit === 0) return sendGridError(400, 'limit must be at least 1', 'limit');
    const size = Math.min(limit ?? options.maxPageSize, options.maxPageSize);
    const start = options.listOffset === 'ignored' ? 0 : (offset ?? 0);
    return ok(visible(caller).slice(start, start + size));
  });

  router.add('GET', '/v3/whitelabel/links/:id', (request) => {
    const caller = authenticate(state, request, 'whitelabel.read', options);
    if (isResponse(caller)) return caller;
    const id = parseId(request.params['id']);
    const branding = id === undefined ? undefined : visible(caller).find((candidate) => candidate.id === id);
    return branding ? ok(branding) : resourceNotFound();
  });

  router.add('POST', '/v3/whitelabel/links/:id/validate', (request) => {
    const caller = authenticate(state, request, 'whitelabel.update', options);
    if (isResponse(caller)) return caller;
    const id = parseId(request.params['id']);
    const branding = id === undefined ? undefined : visible(caller).find((candidate) => candidate.id === id);
    if (!branding || id === undefined) return resourceNotFound();
    // A sub-user sees the parent's branding associated with it, but only the owner validates it.
    if (branding.username !== caller.user.username) return accessForbidden();
    return ok({ ...state.validate(id) });
  });

  router.add('POST', '/v3/whitelabel/links/:id/subuser', (request) => {
    const caller = authenticate(state, request, 'whitelabel.update', options);
    if (isResponse(caller)) return caller;
    if (caller.actingForSubuser || caller.user.parent !== undefined) return accessForbidden();
    const id = parseId(request.params['id']);
    const branding = id === undefined ? undefined : visible(caller).find((candidate) => candidate.id === id);
    if (!branding || id === undefined) return resourceNotFound();
    let body: unknown;
    try {
      body = request.json();
    } catch {
      return sendGridError(400, 'request body is invalid JSON');
    }
    const username = (body as { username?: unknown } | undefined)?.username;
    if (typeof username !== 'string' || username === '') return sendGridError(400, 'username is required', 'username');
    const subuser = state.getUser(username);
    if (!subuser || subuser.parent !== caller.user.username) return sendGridError(400, 'username does not exist', 'username');
    if (!branding.valid) return sendGridError(400, 'the link branding must be validated before it can be associated with a subuser');
    return ok(state.associateSubuser(id, username));
  });
}
