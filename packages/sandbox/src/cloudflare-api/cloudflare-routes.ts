import type { VendorRequest, VendorResponse, VendorRouter } from '../vendor-api-server.js';
import { cloudflareFailure, cloudflarePage, cloudflareSuccess } from './cloudflare-envelope.js';
import {
  cloudflareId,
  cloudflarePackId,
  type CloudflareDnsRecord,
  type CloudflarePermission,
  type CloudflareRule,
  type CloudflareRuleset,
  type CloudflareState,
  type CloudflareZone,
} from './cloudflare-state.js';

/** The path prefix of the v4 API, as in `https://api.cloudflare.com/client/v4`. */
export const cloudflareApiPrefix = '/client/v4';

type Handler = (request: VendorRequest) => VendorResponse | Promise<VendorResponse>;

/** What more routes registered through `registerCloudflareRoutes`'s `extend` get: the token check and body helpers. */
export interface CloudflareRouteKit {
  /** Registers a route under `/client/v4` that checks the token for `permission` first and syncs the data plane after writes. */
  route(method: string, path: string, permission: CloudflarePermission | ((request: VendorRequest) => CloudflarePermission[]) | undefined, handler: Handler): void;
  /** The zone of `:zoneId`, or Cloudflare's 404 for it. */
  zoneOr404(request: VendorRequest): CloudflareZone | VendorResponse;
  /** Whether a helper's answer is a response (an error to send back). */
  isResponse(value: unknown): value is VendorResponse;
  /** The JSON object body, or Cloudflare's 400 for a body that is not one. */
  jsonBody(request: VendorRequest): Record<string, unknown> | VendorResponse;
}

const proxiableTypes = new Set(['A', 'AAAA', 'CNAME']);
const addressTypes = new Set(['A', 'AAAA', 'CNAME']);

function permissionForPhase(state: CloudflareState, phase: string, write: boolean): CloudflarePermission[] {
  if (phase === 'http_config_settings') return [write ? 'Config Rules Edit' : 'Config Rules Read'];
  if (phase === 'http_request_cache_settings') {
    if (!write) return ['Cache Rules Read'];
    return state.variants.cacheRulePermissions === 'zone-and-account' ? ['Cache Rules Edit', 'Account Rulesets Edit', 'Account Filter Lists Edit'] : ['Cache Rules Edit'];
  }
  return [];
}

/** The shape of a Cloudflare API token: 40 characters of A–Z, a–z, 0–9, `-` and `_`. */
const apiTokenShape = /^[A-Za-z0-9_-]{40}$/;

/**
 * Fields an API that fills in defaults could add to a rule's `action_parameters` (the
 * `echoDefaultedRuleFields` variant): put ahead of the client's own, so key order changes too.
 */
const defaultedActionParameters: Record<string, Record<string, unknown>> = {
  set_config: { automatic_https_rewrites: false, disable_zaraz: false },
  set_cache_settings: { origin_error_page_passthru: false, respect_strong_etags: false },
};

function echoedRule(state: CloudflareState, rule: CloudflareRule): CloudflareRule {
  const defaults = typeof rule.action === 'string' ? defaultedActionParameters[rule.action] : undefined;
  if (!state.variants.echoDefaultedRuleFields || !defaults) return rule;
  const sent = typeof rule.action_parameters === 'object' && rule.action_parameters !== null ? (rule.action_parameters as Record<string, unknown>) : {};
  return { ...rule, action_parameters: { ...defaults, ...sent } };
}

function normalizeName(name: string): string {
  const lowered = name.trim().toLowerCase();
  return lowered.endsWith('.') ? lowered.slice(0, -1) : lowered;
}

/**
 * The list-zones `name` filter: an exact name, or `operator:value` with one of the operators the
 * API reference lists for it (`equal`, `not_equal`, `starts_with`, `ends_with`, `contains`, each
 * also `_case_sensitive`; without that suffix, case is ignored).
 */
function zoneNameFilter(filter: string, operators: boolean): (name: string) => boolean {
  const operated = operators ? /^(equal|not_equal|starts_with|ends_with|contains)(_case_sensitive)?:(.*)$/.exec(filter.trim()) : null;
  if (!operated) return (name) => name === normalizeName(filter);
  const [, operator, caseSensitive, raw = ''] = operated;
  const value = caseSensitive ? raw : raw.toLowerCase();
  return (name) => {
    const subject = caseSensitive ? name : name.toLowerCase();
    switch (operator) {
      case 'not_equal':
        return subject !== value;
      case 'starts_with':
        return subject.startsWith(value);
      case 'ends_with':
        return subject.endsWith(value);
      case 'contains':
        return subject.includes(value);
      default:
        return subject === value;
    }
  };
}

function zoneView(zone: CloudflareZone): Record<string, unknown> {
  return {
    id: zone.id,
    name: zone.name,
    status: zone.status,
    paused: false,
    type: zone.type,
    development_mode: 0,
    name_servers: zone.name_servers,
    original_name_servers: null,
    original_registrar: null,
    original_dnshost: null,
    created_on: zone.created_on,
    modified_on: zone.modified_on,
    activated_on: zone.status === 'active' ? zone.created_on : null,
    meta: { step: 4, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
    owner: { id: null, type: 'user', email: null },
    account: { id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'sandbox account' },
    permissions: [],
    plan: { id: '0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee', name: 'Free Website', price: 0, currency: 'USD', frequency: '', is_subscribed: true, can_subscribe: false, legacy_id: 'free', legacy_discount: false, externally_managed: false },
  };
}

function rulesetView(state: CloudflareState, ruleset: CloudflareRuleset): Record<string, unknown> {
  return {
    id: ruleset.id,
    name: ruleset.name,
    description: ruleset.description,
    kind: ruleset.kind,
    phase: ruleset.phase,
    version: ruleset.version,
    last_updated: ruleset.last_updated,
    rules: ruleset.rules.map((rule) => echoedRule(state, rule)),
  };
}

/**
 * Registers the v4 routes the sslclick adapter (and a typical client) uses: zones, DNS records,
 * rulesets and their rules, certificate packs, the `ssl` setting and token verification. Every
 * handler checks the bearer token and its permission first, and answers in the v4 envelope with
 * Cloudflare's status and error codes.
 */
export function registerCloudflareRoutes(router: VendorRouter, state: CloudflareState, afterChange: () => Promise<void>, extend?: (routes: CloudflareRouteKit) => void): void {
  const tokenOf = (request: VendorRequest): string | undefined => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    return match?.[1];
  };

  /**
   * 401 for a missing or unknown token (400 for a malformed one, in the `invalid-header-400`
   * variant), 403 for one without every permission in `needed`. A registered token is accepted
   * whatever its shape (tests name their canary tokens).
   */
  const authorize = (request: VendorRequest, needed: readonly CloudflarePermission[]): VendorResponse | undefined => {
    const token = tokenOf(request);
    if (token === undefined) return cloudflareFailure(401, { code: 10000, message: 'Authentication error' });
    const permissions = state.tokens.get(token);
    if (!permissions) {
      if (!apiTokenShape.test(token) && state.variants.malformedToken === 'invalid-header-400') {
        return cloudflareFailure(400, { code: 6003, message: 'Invalid request headers', error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }] });
      }
      return cloudflareFailure(401, { code: 9109, message: 'Invalid access token' });
    }
    if (needed.some((permission) => !permissions.has(permission))) return cloudflareFailure(403, { code: 10000, message: 'Authentication error' });
    return undefined;
  };

  type Needed = CloudflarePermission | ((request: VendorRequest) => CloudflarePermission[]) | undefined;
  const route = (method: string, path: string, permission: Needed, handler: Handler): void => {
    router.add(method, `${cloudflareApiPrefix}${path}`, async (request) => {
      const needed = typeof permission === 'function' ? permission(request) : permission === undefined ? [] : [permission];
      const denied = authorize(request, needed);
      if (denied) return denied;
      // Lazy transitions (pending packs) are brought in line before any answer is computed.
      await afterChange();
      const answer = await handler(request);
      if (request.method !== 'GET') await afterChange();
      return answer;
    });
  };

  const zoneOr404 = (request: VendorRequest): CloudflareZone | VendorResponse => {
    const zone = state.zones.get(request.params.zoneId ?? '');
    return zone ?? cloudflareFailure(404, { code: 7003, message: 'Could not route to /zones/' + (request.params.zoneId ?? '') + ', perhaps your object identifier is invalid?' });
  };
  const isResponse = (value: unknown): value is VendorResponse => typeof value === 'object' && value !== null && 'status' in value && 'body' in value;

  const jsonBody = (request: VendorRequest): Record<string, unknown> | VendorResponse => {
    try {
      const body = request.json();
      if (body === undefined) return {};
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return cloudflareFailure(400, { code: 9207, message: 'Request body is invalid.' });
      }
      return body as Record<string, unknown>;
    } catch {
      return cloudflareFailure(400, { code: 9207, message: 'Failed to parse request body, content-type must be application/json.' });
    }
  };

  // More routes (Cloudflare for SaaS, in custom-hostname-routes.ts) share the token checks and helpers.
  extend?.({ route, zoneOr404, isResponse, jsonBody });

  // --- token ---------------------------------------------------------------------------------
  route('GET', '/user/tokens/verify', undefined, () => cloudflareSuccess({ id: cloudflareId(), status: 'active' }));

  // --- zones ---------------------------------------------------------------------------------
  route('GET', '/zones', 'Zone Read', (request) => {
    const name = request.query.get('name') ?? request.query.get('name.exact');
    const nameMatches = name ? zoneNameFilter(name, state.variants.zoneNameFilter === 'operators') : () => true;
    const status = request.query.get('status');
    const zones = [...state.zones.values()]
      .filter((zone) => nameMatches(zone.name))
      .filter((zone) => (status ? zone.status === status : true))
      .filter((zone) => (request.query.get('type') ? zone.type === request.query.get('type') : true))
      .sort((left, right) => left.name.localeCompare(right.name))
      .map(zoneView);
    return cloudflarePage(zones, request.query, 20);
  });

  route('GET', '/zones/:zoneId', 'Zone Read', (request) => {
    const zone = zoneOr404(request);
    return isResponse(zone) ? zone : cloudflareSuccess(zoneView(zone));
  });

  route('GET', '/zones/:zoneId/settings/:settingId', 'Zone Read', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    if (request.params.settingId !== 'ssl') return cloudflareFailure(404, { code: 1003, message: 'Invalid or missing zone setting' });
    return cloudflareSuccess({ id: 'ssl', value: zone.ssl, editable: true, modified_on: zone.modified_on });
  });

  // --- DNS records ---------------------------------------------------------------------------
  const recordConflict = (zoneId: string, candidate: { name: string; type: string; content: string }, exceptId?: string): VendorResponse | undefined => {
    const others = state.zoneRecordsNamed(zoneId, candidate.name).filter((record) => record.id !== exceptId);
    if (others.some((record) => record.type === candidate.type && record.content === candidate.content)) {
      return cloudflareFailure(400, { code: 81058, message: 'An identical record already exists.' });
    }
    const clashes =
      candidate.type === 'CNAME'
        ? others.some((record) => addressTypes.has(record.type))
        : addressTypes.has(candidate.type) && others.some((record) => record.type === 'CNAME');
    if (clashes) return cloudflareFailure(400, { code: 81053, message: 'An A, AAAA, or CNAME record with that host already exists.' });
    return undefined;
  };

  const recordFields = (zone: CloudflareZone, body: Record<string, unknown>, base?: CloudflareDnsRecord): CloudflareDnsRecord | VendorResponse => {
    const rawName = typeof body.name === 'string' ? body.name : base?.name;
    const type = typeof body.type === 'string' ? body.type.toUpperCase() : base?.type;
    const content = typeof body.content === 'string' ? body.content : base?.content;
    if (!rawName) return cloudflareFailure(400, { code: 9005, message: 'DNS record name is required.' });
    if (!type) return cloudflareFailure(400, { code: 9004, message: 'DNS record type is required.' });
    if (content === undefined || content === '') return cloudflareFailure(400, { code: 9007, message: 'Content for the DNS record is required.' });
    let name = normalizeName(rawName);
    if (name === '@') name = zone.name;
    else if (name !== zone.name && !name.endsWith(`.${zone.name}`)) name = `${name}.${zone.name}`;
    const proxied = typeof body.proxied === 'boolean' ? body.proxied : (base?.proxied ?? false);
    if (proxied && !proxiableTypes.has(type)) return cloudflareFailure(400, { code: 9004, message: `This record type cannot be proxied.` });
    const ttl = typeof body.ttl === 'number' ? body.ttl : (base?.ttl ?? 1);
    if (ttl !== 1 && (ttl < 30 || ttl > 86_400)) return cloudflareFailure(400, { code: 9021, message: 'Invalid TTL. Must be between 30 and 86400 seconds, or 1 for Automatic.' });
    const comment = body.comment === undefined ? (base?.comment ?? null) : typeof body.comment === 'string' && body.comment !== '' ? body.comment : null;
    if (comment !== null && comment.length > 100) return cloudflareFailure(400, { code: 9911, message: 'DNS record comment is too long (maximum 100 characters on this plan).' });
    const now = state.timestamp();
    return {
      id: base?.id ?? cloudflareId(),
      zone_id: zone.id,
      zone_name: zone.name,
      name,
      type,
      content: type === 'CNAME' ? normalizeName(content) : content,
      proxied,
      proxiable: proxiableTypes.has(type),
      ttl: proxied ? 1 : ttl,
      comment,
      tags: Array.isArray(body.tags) ? body.tags.filter((tag): tag is string => typeof tag === 'string') : (base?.tags ?? []),
      settings: typeof body.settings === 'object' && body.settings !== null ? (body.settings as Record<string, unknown>) : (base?.settings ?? {}),
      meta: base?.meta ?? {},
      created_on: base?.created_on ?? now,
      modified_on: now,
    };
  };

  route('GET', '/zones/:zoneId/dns_records', 'DNS Read', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const query = request.query;
    const name = query.get('name.exact') ?? query.get('name');
    const type = query.get('type');
    const proxied = query.get('proxied');
    const content = query.get('content.exact') ?? query.get('content');
    const commentExact = query.get('comment.exact');
    const commentContains = query.get('comment.contains');
    // By name from the index when the name is asked (a fleet asks per host), else the whole zone.
    const records = (name ? state.zoneRecordsNamed(zone.id, normalizeName(name)) : state.zoneRecords(zone.id))
      .filter((record) => (type ? record.type === type.toUpperCase() : true))
      .filter((record) => (proxied === null ? true : String(record.proxied) === proxied))
      .filter((record) => (content ? record.content === content : true))
      .filter((record) => (commentExact !== null ? record.comment === commentExact : true))
      .filter((record) => (commentContains !== null ? (record.comment ?? '').includes(commentContains) : true))
      .sort((left, right) => left.name.localeCompare(right.name) || left.type.localeCompare(right.type));
    return cloudflarePage(records, query, 100);
  });

  route('GET', '/zones/:zoneId/dns_records/:recordId', 'DNS Read', (request) => {
    const record = state.records.get(request.params.recordId ?? '');
    if (!record || record.zone_id !== request.params.zoneId) return cloudflareFailure(404, { code: 81044, message: 'Record does not exist.' });
    return cloudflareSuccess(record);
  });

  route('POST', '/zones/:zoneId/dns_records', 'DNS Edit', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const record = recordFields(zone, body);
    if (isResponse(record)) return record;
    const conflict = recordConflict(zone.id, record);
    if (conflict) return conflict;
    state.records.set(record.id, record);
    return cloudflareSuccess(record);
  });

  const editRecord = (replace: boolean): Handler => (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const existing = state.records.get(request.params.recordId ?? '');
    if (!existing || existing.zone_id !== zone.id) return cloudflareFailure(404, { code: 81044, message: 'Record does not exist.' });
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    // PUT overwrites: what the body leaves out goes back to its default.
    const base: CloudflareDnsRecord = replace ? { ...existing, proxied: false, ttl: 1, comment: null, tags: [], settings: {} } : existing;
    const record = recordFields(zone, body, base);
    if (isResponse(record)) return record;
    const conflict = recordConflict(zone.id, record, existing.id);
    if (conflict) return conflict;
    state.records.set(record.id, record);
    return cloudflareSuccess(record);
  };
  route('PATCH', '/zones/:zoneId/dns_records/:recordId', 'DNS Edit', editRecord(false));
  route('PUT', '/zones/:zoneId/dns_records/:recordId', 'DNS Edit', editRecord(true));

  route('DELETE', '/zones/:zoneId/dns_records/:recordId', 'DNS Edit', (request) => {
    const record = state.records.get(request.params.recordId ?? '');
    if (!record || record.zone_id !== request.params.zoneId) return cloudflareFailure(404, { code: 81044, message: 'Record does not exist.' });
    state.records.delete(record.id);
    return cloudflareSuccess({ id: record.id });
  });

  // Batch: deletes, then patches, then puts, then posts, in one transaction: if any fails, none is applied.
  route('POST', '/zones/:zoneId/dns_records/batch', 'DNS Edit', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const saved = new Map(state.records);
    const rollback = (answer: VendorResponse): VendorResponse => {
      state.records.clear();
      for (const [id, record] of saved) state.records.set(id, record);
      return answer;
    };
    const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : []);
    const result: Record<'deletes' | 'patches' | 'puts' | 'posts', CloudflareDnsRecord[]> = { deletes: [], patches: [], puts: [], posts: [] };
    for (const item of list(body.deletes)) {
      const existing = state.records.get(String(item.id));
      if (!existing || existing.zone_id !== zone.id) return rollback(cloudflareFailure(404, { code: 81044, message: 'Record does not exist.' }));
      state.records.delete(existing.id);
      result.deletes.push(existing);
    }
    for (const [key, replace] of [['patches', false], ['puts', true]] as const) {
      for (const item of list(body[key])) {
        const existing = state.records.get(String(item.id));
        if (!existing || existing.zone_id !== zone.id) return rollback(cloudflareFailure(404, { code: 81044, message: 'Record does not exist.' }));
        const base: CloudflareDnsRecord = replace ? { ...existing, proxied: false, ttl: 1, comment: null, tags: [], settings: {} } : existing;
        const record = recordFields(zone, item, base);
        if (isResponse(record)) return rollback(record);
        const conflict = recordConflict(zone.id, record, existing.id);
        if (conflict) return rollback(conflict);
        state.records.set(record.id, record);
        result[key].push(record);
      }
    }
    for (const item of list(body.posts)) {
      const record = recordFields(zone, item);
      if (isResponse(record)) return rollback(record);
      const conflict = recordConflict(zone.id, record);
      if (conflict) return rollback(conflict);
      state.records.set(record.id, record);
      result.posts.push(record);
    }
    return cloudflareSuccess(result);
  });

  // --- rulesets ------------------------------------------------------------------------------
  const rulesetPermission = (write: boolean) => (request: VendorRequest): CloudflarePermission[] => {
    const ruleset = state.rulesets.get(request.params.rulesetId ?? '');
    let phase = request.params.phase ?? ruleset?.phase;
    if (phase === undefined && write) {
      try {
        const body = request.json() as { phase?: unknown } | undefined;
        if (typeof body?.phase === 'string') phase = body.phase;
      } catch {
        // The handler answers the malformed body.
      }
    }
    return phase ? permissionForPhase(state, phase, write) : [];
  };

  const storeRule = (input: Record<string, unknown>, existingId?: string): CloudflareRule => {
    const { position: _position, ...fields } = input;
    const id = existingId ?? (typeof fields.id === 'string' && fields.id !== '' ? fields.id : cloudflareId());
    return { ...fields, id, version: '1', ref: typeof fields.ref === 'string' ? fields.ref : id, enabled: fields.enabled ?? true, last_updated: state.timestamp() };
  };

  const validateRule = (rule: Record<string, unknown>): VendorResponse | undefined => {
    if (typeof rule.expression !== 'string' || rule.expression.trim() === '') {
      return cloudflareFailure(400, { code: 20021, message: "'expression' is a required field" });
    }
    if (typeof rule.action !== 'string') return cloudflareFailure(400, { code: 20021, message: "'action' is a required field" });
    return undefined;
  };

  const bump = (ruleset: CloudflareRuleset): void => {
    ruleset.version = String(Number(ruleset.version) + 1);
    ruleset.last_updated = state.timestamp();
  };

  route('GET', '/zones/:zoneId/rulesets', undefined, (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const rulesets = [...state.rulesets.values()]
      .filter((ruleset) => ruleset.zoneId === zone.id)
      .map((ruleset) => {
        const { rules: _rules, ...summary } = rulesetView(state, ruleset);
        return summary;
      });
    return cloudflareSuccess(rulesets);
  });

  route('POST', '/zones/:zoneId/rulesets', rulesetPermission(true), (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const phase = typeof body.phase === 'string' ? body.phase : '';
    const kind = typeof body.kind === 'string' ? body.kind : 'custom';
    if (!phase) return cloudflareFailure(400, { code: 20021, message: "'phase' is a required field" });
    if (typeof body.name !== 'string' || body.name === '') return cloudflareFailure(400, { code: 20021, message: "'name' is a required field" });
    if (kind === 'zone' && state.entrypoint(zone.id, phase)) {
      return cloudflareFailure(400, { code: 20217, message: `A ruleset of kind 'zone' already exists for the phase '${phase}'; update its entry point instead.` });
    }
    const inputs = Array.isArray(body.rules) ? (body.rules as Record<string, unknown>[]) : [];
    for (const rule of inputs) {
      const invalid = validateRule(rule);
      if (invalid) return invalid;
    }
    const ruleset: CloudflareRuleset = {
      id: cloudflareId(),
      zoneId: zone.id,
      name: body.name,
      description: typeof body.description === 'string' ? body.description : '',
      kind,
      phase,
      version: '1',
      last_updated: state.timestamp(),
      rules: inputs.map((rule) => storeRule(rule)),
    };
    state.rulesets.set(ruleset.id, ruleset);
    return cloudflareSuccess(rulesetView(state, ruleset));
  });

  route('GET', '/zones/:zoneId/rulesets/phases/:phase/entrypoint', rulesetPermission(false), (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const ruleset = state.entrypoint(zone.id, request.params.phase ?? '');
    if (!ruleset) {
      return cloudflareFailure(404, { code: 10003, message: `could not find entrypoint ruleset in the '${request.params.phase ?? ''}' phase` });
    }
    return cloudflareSuccess(rulesetView(state, ruleset));
  });

  route('PUT', '/zones/:zoneId/rulesets/phases/:phase/entrypoint', rulesetPermission(true), (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const phase = request.params.phase ?? '';
    const inputs = Array.isArray(body.rules) ? (body.rules as Record<string, unknown>[]) : [];
    for (const rule of inputs) {
      const invalid = validateRule(rule);
      if (invalid) return invalid;
    }
    let ruleset = state.entrypoint(zone.id, phase);
    if (!ruleset) {
      ruleset = { id: cloudflareId(), zoneId: zone.id, name: 'default', description: '', kind: 'zone', phase, version: '0', last_updated: state.timestamp(), rules: [] };
      state.rulesets.set(ruleset.id, ruleset);
    }
    // PUT replaces every rule of the phase: what the caller left out is gone.
    ruleset.rules = inputs.map((rule) => storeRule(rule));
    if (typeof body.description === 'string') ruleset.description = body.description;
    bump(ruleset);
    return cloudflareSuccess(rulesetView(state, ruleset));
  });

  const rulesetOr404 = (request: VendorRequest): CloudflareRuleset | VendorResponse => {
    const ruleset = state.rulesets.get(request.params.rulesetId ?? '');
    if (!ruleset || ruleset.zoneId !== request.params.zoneId) {
      return cloudflareFailure(404, { code: 10003, message: `could not find ruleset ${request.params.rulesetId ?? ''}` });
    }
    return ruleset;
  };

  route('GET', '/zones/:zoneId/rulesets/:rulesetId', rulesetPermission(false), (request) => {
    const ruleset = rulesetOr404(request);
    return isResponse(ruleset) ? ruleset : cloudflareSuccess(rulesetView(state, ruleset));
  });

  // Deletes every version of a zone ruleset, an entrypoint included; 204 with no body.
  route('DELETE', '/zones/:zoneId/rulesets/:rulesetId', rulesetPermission(true), (request) => {
    const ruleset = rulesetOr404(request);
    if (isResponse(ruleset)) return ruleset;
    state.rulesets.delete(ruleset.id);
    return { status: 204 };
  });

  route('POST', '/zones/:zoneId/rulesets/:rulesetId/rules', rulesetPermission(true), (request) => {
    const ruleset = rulesetOr404(request);
    if (isResponse(ruleset)) return ruleset;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const invalid = validateRule(body);
    if (invalid) return invalid;
    const rule = storeRule(body);
    const position = body.position as { index?: unknown } | undefined;
    if (typeof position?.index === 'number') ruleset.rules.splice(Math.max(0, position.index - 1), 0, rule);
    else ruleset.rules.push(rule);
    bump(ruleset);
    return cloudflareSuccess(rulesetView(state, ruleset));
  });

  route('PATCH', '/zones/:zoneId/rulesets/:rulesetId/rules/:ruleId', rulesetPermission(true), (request) => {
    const ruleset = rulesetOr404(request);
    if (isResponse(ruleset)) return ruleset;
    const index = ruleset.rules.findIndex((rule) => rule.id === request.params.ruleId);
    const existing = ruleset.rules[index];
    if (!existing) return cloudflareFailure(404, { code: 10003, message: `could not find rule ${request.params.ruleId ?? ''} in ruleset ${ruleset.id}` });
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const merged = { ...existing, ...body };
    const invalid = validateRule(merged);
    if (invalid) return invalid;
    const stored = storeRule(merged, existing.id);
    stored.version = String(Number(existing.version ?? 1) + 1);
    ruleset.rules[index] = stored;
    bump(ruleset);
    return cloudflareSuccess(rulesetView(state, ruleset));
  });

  route('DELETE', '/zones/:zoneId/rulesets/:rulesetId/rules/:ruleId', rulesetPermission(true), (request) => {
    const ruleset = rulesetOr404(request);
    if (isResponse(ruleset)) return ruleset;
    const before = ruleset.rules.length;
    ruleset.rules = ruleset.rules.filter((rule) => rule.id !== request.params.ruleId);
    if (ruleset.rules.length === before) {
      return cloudflareFailure(404, { code: 10003, message: `could not find rule ${request.params.ruleId ?? ''} in ruleset ${ruleset.id}` });
    }
    bump(ruleset);
    return cloudflareSuccess(rulesetView(state, ruleset));
  });

  // --- certificate packs ---------------------------------------------------------------------
  route('GET', '/zones/:zoneId/ssl/certificate_packs', 'SSL and Certificates Read', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const all = request.query.get('status') === 'all';
    const packs = state
      .zonePacks(zone.id)
      .filter((pack) => all || state.packStatus(pack) === 'active')
      .map((pack) => state.packView(pack));
    return cloudflarePage(packs, request.query, 20);
  });

  route('POST', '/zones/:zoneId/ssl/certificate_packs/order', 'SSL and Certificates Edit', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    if (body.type !== 'advanced') return cloudflareFailure(400, { code: 1400, message: "Certificate pack type must be 'advanced'." });
    const hosts = Array.isArray(body.hosts) ? body.hosts.filter((host): host is string => typeof host === 'string').map(normalizeName) : [];
    if (hosts.length === 0 || hosts.length > 50) return cloudflareFailure(400, { code: 1401, message: 'A certificate pack needs between 1 and 50 hosts.' });
    if (!hosts.includes(zone.name)) return cloudflareFailure(400, { code: 1402, message: `The hosts of a certificate pack must include the zone apex ${zone.name}.` });
    const outside = hosts.find((host) => host.replace(/^\*\./, '') !== zone.name && !host.endsWith(`.${zone.name}`));
    if (outside) return cloudflareFailure(400, { code: 1403, message: `${outside} is not in the zone ${zone.name}.` });
    if (!['google', 'lets_encrypt', 'ssl_com'].includes(String(body.certificate_authority))) {
      return cloudflareFailure(400, { code: 1404, message: "certificate_authority must be 'google', 'lets_encrypt' or 'ssl_com'." });
    }
    const now = state.now();
    const pack = {
      id: cloudflarePackId(),
      zoneId: zone.id,
      type: 'advanced' as const,
      hosts,
      certificate_authority: String(body.certificate_authority),
      validation_method: typeof body.validation_method === 'string' ? body.validation_method : 'txt',
      validity_days: typeof body.validity_days === 'number' ? body.validity_days : 90,
      cloudflare_branding: body.cloudflare_branding === true,
      orderedAt: now,
      activeAt: now + state.certificateIssueDelayMs,
    };
    state.packs.set(pack.id, pack);
    return cloudflareSuccess(state.packView(pack));
  });

  route('GET', '/zones/:zoneId/ssl/certificate_packs/:packId', 'SSL and Certificates Read', (request) => {
    const pack = state.zonePacks(request.params.zoneId ?? '').find((candidate) => candidate.id === request.params.packId);
    if (!pack) return cloudflareFailure(404, { code: 1416, message: 'Certificate pack not found.' });
    return cloudflareSuccess(state.packView(pack));
  });

  route('DELETE', '/zones/:zoneId/ssl/certificate_packs/:packId', 'SSL and Certificates Edit', (request) => {
    const pack = state.packs.get(request.params.packId ?? '');
    if (!pack || pack.deleted || pack.zoneId !== request.params.zoneId) {
      const universal = state.zonePacks(request.params.zoneId ?? '').find((candidate) => candidate.id === request.params.packId);
      if (universal) return cloudflareFailure(400, { code: 1417, message: 'The Universal SSL certificate pack cannot be deleted; disable Universal SSL instead.' });
      return cloudflareFailure(404, { code: 1416, message: 'Certificate pack not found.' });
    }
    pack.deleted = true;
    return cloudflareSuccess({ id: pack.id });
  });
}
