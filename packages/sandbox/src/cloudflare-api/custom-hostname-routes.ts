import type { VendorRequest, VendorResponse } from '../vendor-api-server.js';
import { cloudflareFailure, cloudflarePage, cloudflareSuccess } from './cloudflare-envelope.js';
import type { CloudflareRouteKit } from './cloudflare-routes.js';
import type { CloudflareSslMode } from './cloudflare-state.js';
import type { CustomHostnameDataPlane } from './custom-hostname-data-plane.js';
import type { CustomHostnameState, FakeCustomHostname } from './custom-hostnames.js';

/** Top-level domains Cloudflare refuses custom hostnames under (error 1409). */
const reservedTopDomains = new Set(['test', 'example', 'invalid', 'localhost']);
const sslModes: readonly CloudflareSslMode[] = ['off', 'flexible', 'full', 'strict', 'origin_pull'];
const hostnamePattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/;

function normalizeName(name: string): string {
  const lowered = name.trim().toLowerCase();
  return lowered.endsWith('.') ? lowered.slice(0, -1) : lowered;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * Registers the Cloudflare for SaaS routes: custom hostnames (`/zones/{zone_id}/custom_hostnames`,
 * list / create / get / edit / delete), the zone's fallback origin
 * (`/zones/{zone_id}/custom_hostnames/fallback_origin`, get / update / delete) and the edit of
 * the zone's `ssl` setting. Paths and verbs as in cloudflare-typescript's
 * `resources/custom-hostnames/{custom-hostnames,fallback-origin}.ts` and `resources/zones/settings.ts`.
 */
export function registerCustomHostnameRoutes(kit: CloudflareRouteKit, saas: CustomHostnameState, dataPlane: CustomHostnameDataPlane): void {
  const { route, zoneOr404, isResponse, jsonBody } = kit;
  const account = saas.account;

  const notFound = (): VendorResponse => cloudflareFailure(404, { code: 1436, message: 'The custom hostname was not found.' });
  const hostnameOr404 = (request: VendorRequest): FakeCustomHostname | VendorResponse => {
    const record = saas.hostnames.get(request.params.hostnameId ?? '');
    return record && record.zoneId === request.params.zoneId ? record : notFound();
  };
  /** A read: the hostname is marked read and re-evaluated against the public DNS, then the edge follows. */
  const observe = async (records: FakeCustomHostname[]): Promise<void> => {
    for (const record of records) {
      record.read = true;
      saas.evaluate(record);
      saas.touch(record);
    }
    await dataPlane.sync();
  };

  // --- the zone's ssl setting (Full for the fallback origin) --------------------------------
  route('PATCH', '/zones/:zoneId/settings/:settingId', 'Zone Settings Edit', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    if (request.params.settingId !== 'ssl') return cloudflareFailure(404, { code: 1003, message: 'Invalid or missing zone setting' });
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    if (!sslModes.includes(body.value as CloudflareSslMode)) return cloudflareFailure(400, { code: 1007, message: `Invalid value for zone setting ssl` });
    zone.ssl = body.value as CloudflareSslMode;
    zone.modified_on = account.timestamp();
    return cloudflareSuccess({ id: 'ssl', value: zone.ssl, editable: true, modified_on: zone.modified_on });
  });

  // --- fallback origin ------------------------------------------------------------------------
  const fallbackPath = '/zones/:zoneId/custom_hostnames/fallback_origin';
  route('GET', fallbackPath, 'SSL and Certificates Read', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const fallback = saas.fallbackOrigins.get(zone.id);
    if (!fallback) return cloudflareFailure(404, { code: 1551, message: 'No fallback origin found.' });
    return cloudflareSuccess(saas.fallbackView(zone.id, fallback));
  });
  route('PUT', fallbackPath, 'SSL and Certificates Edit', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const origin = typeof body.origin === 'string' ? normalizeName(body.origin) : '';
    if (!hostnamePattern.test(origin)) return cloudflareFailure(400, { code: 1550, message: 'The fallback origin must be a hostname.' });
    const now = account.timestamp();
    const existing = saas.fallbackOrigins.get(zone.id);
    const fallback = { origin, createdAt: existing?.createdAt ?? now, updatedAt: now };
    saas.fallbackOrigins.set(zone.id, fallback);
    return cloudflareSuccess(saas.fallbackView(zone.id, fallback));
  });
  route('DELETE', fallbackPath, 'SSL and Certificates Edit', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const fallback = saas.fallbackOrigins.get(zone.id);
    if (!fallback) return cloudflareFailure(404, { code: 1551, message: 'No fallback origin found.' });
    saas.fallbackOrigins.delete(zone.id);
    return cloudflareSuccess({ ...saas.fallbackView(zone.id, fallback), status: 'pending_deletion' });
  });

  // --- custom hostnames -----------------------------------------------------------------------
  route('GET', '/zones/:zoneId/custom_hostnames', 'SSL and Certificates Read', async (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const query = request.query;
    const exact = query.get('hostname.exact') ?? query.get('hostname');
    const contain = query.get('hostname.contain');
    const id = query.get('id');
    // An exact hostname is looked up, not searched for among every hostname of the zone.
    const byExact = exact ? saas.withHostname(normalizeName(exact)) : undefined;
    const candidates = exact ? (byExact && byExact.zoneId === zone.id ? [byExact] : []) : saas.zoneHostnames(zone.id);
    const records = candidates
      .filter((record) => (id ? record.id === id : true))
      .filter((record) => (exact ? record.hostname === normalizeName(exact) : true))
      .filter((record) => (contain ? record.hostname.includes(contain.toLowerCase()) : true))
      .sort((left, right) => left.hostname.localeCompare(right.hostname));
    await observe(records);
    return cloudflarePage(records.map((record) => saas.view(record)), query, 20);
  });

  route('POST', '/zones/:zoneId/custom_hostnames', 'SSL and Certificates Edit', (request) => {
    const zone = zoneOr404(request);
    if (isResponse(zone)) return zone;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const hostname = typeof body.hostname === 'string' ? normalizeName(body.hostname) : '';
    if (!hostnamePattern.test(hostname)) return cloudflareFailure(400, { code: 1407, message: 'Invalid custom hostname. Custom hostnames have to be smaller than 256 characters in length, cannot be IP addresses, cannot contain any special characters.' });
    if (reservedTopDomains.has(hostname.split('.').pop() ?? '')) {
      return cloudflareFailure(400, { code: 1409, message: "Reserved top domain custom hostnames, such as 'test', 'example', 'invalid' or 'localhost', is not supported. Check your input and try again." });
    }
    if (saas.withHostname(hostname)) {
      return cloudflareFailure(409, { code: 1406, message: 'Duplicate custom hostname found.' });
    }
    const ssl = (typeof body.ssl === 'object' && body.ssl !== null ? body.ssl : {}) as Record<string, unknown>;
    const method = typeof ssl.method === 'string' ? ssl.method : 'http';
    if (!['http', 'txt', 'email'].includes(method)) return cloudflareFailure(400, { code: 1412, message: `Invalid SSL validation method ${method}.` });
    const metadata = stringMap(body.custom_metadata);
    const record = saas.create(zone.id, hostname, {
      sslMethod: method,
      sslType: typeof ssl.type === 'string' ? ssl.type : 'dv',
      ...(typeof body.custom_origin_server === 'string' ? { customOriginServer: normalizeName(body.custom_origin_server) } : {}),
      ...(typeof body.custom_origin_sni === 'string' ? { customOriginSni: body.custom_origin_sni } : {}),
      ...(metadata ? { customMetadata: metadata } : {}),
    });
    // 201 Created, as Cloudflare's status code table for custom hostnames lists.
    return cloudflareSuccess(saas.view(record), undefined, 201);
  });

  route('GET', '/zones/:zoneId/custom_hostnames/:hostnameId', 'SSL and Certificates Read', async (request) => {
    const record = hostnameOr404(request);
    if (isResponse(record)) return record;
    await observe([record]);
    return cloudflareSuccess(saas.view(record));
  });

  route('PATCH', '/zones/:zoneId/custom_hostnames/:hostnameId', 'SSL and Certificates Edit', (request) => {
    const record = hostnameOr404(request);
    if (isResponse(record)) return record;
    const body = jsonBody(request);
    if (isResponse(body)) return body;
    const ssl = typeof body.ssl === 'object' && body.ssl !== null ? (body.ssl as Record<string, unknown>) : undefined;
    if (ssl && typeof ssl.method === 'string' && ssl.method !== record.sslMethod) {
      // A new validation method restarts validation.
      record.sslMethod = ssl.method;
      record.sslStep = -1;
    }
    if (typeof body.custom_origin_server === 'string') record.customOriginServer = normalizeName(body.custom_origin_server);
    if (typeof body.custom_origin_sni === 'string') record.customOriginSni = body.custom_origin_sni;
    const metadata = stringMap(body.custom_metadata);
    if (metadata) record.customMetadata = metadata;
    saas.touch(record);
    // 202 Accepted: the change (a restarted validation) is carried out later.
    return cloudflareSuccess(saas.view(record), undefined, 202);
  });

  // The SDK does not unwrap this answer (cloudflare-typescript `customHostnames.delete` has no
  // `_thenUnwrap`, and `CustomHostnameDeleteResponse` is `{ id }`): the body is the bare `{ id }`.
  route('DELETE', '/zones/:zoneId/custom_hostnames/:hostnameId', 'SSL and Certificates Edit', (request) => {
    const record = hostnameOr404(request);
    if (isResponse(record)) return record;
    saas.hostnames.delete(record.id);
    return { status: 200, body: { id: record.id } };
  });
}
