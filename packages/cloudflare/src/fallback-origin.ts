import { SslClickError, type RunOptions } from '@sslclick/core';
import { listAll, type CloudflareConnection } from './cloudflare-client.js';
import type { SaasNames } from './saas-settings.js';

const provider = 'cloudflare';

/** A DNS record of the provider zone, as read. */
export interface ProviderRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  comment: string | null;
}

/** The shared part of Cloudflare for SaaS: the provider zone, its fallback origin and CNAME target. */
export interface ProviderState {
  zone: { id: string; name: string; status: string };
  /** The fallback origin's record name and the record there, if any. */
  fallbackName: string;
  fallbackRecord?: ProviderRecord | undefined;
  /** The CNAME target's name and the record there, if any. */
  targetName: string;
  targetRecord?: ProviderRecord | undefined;
  /** The zone's `ssl` setting. */
  sslMode: string;
  /** The zone's fallback origin as Cloudflare reports it, or undefined when none is set. */
  fallbackOrigin?: { origin?: string; status?: string; errors?: string[] } | undefined;
  /** The SendGrid origin the fallback origin forwards to. */
  origin: string;
}

/** Whether every shared part is in place and active. */
export function providerReady(state: ProviderState): boolean {
  return (
    state.fallbackRecord?.type === 'CNAME' &&
    state.fallbackRecord.content === state.origin &&
    state.fallbackRecord.proxied &&
    state.targetRecord?.type === 'CNAME' &&
    state.targetRecord.content === state.fallbackName &&
    state.targetRecord.proxied &&
    state.sslMode === 'full' &&
    state.fallbackOrigin?.origin === state.fallbackName &&
    state.fallbackOrigin.status === 'active'
  );
}

const comment = 'sslclick: Cloudflare for SaaS for SendGrid links';

function clean(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

async function recordAt(connection: CloudflareConnection, zoneId: string, name: string, run?: RunOptions): Promise<ProviderRecord | undefined> {
  const records = await listAll(
    connection,
    'dns.records.list',
    'Zone > DNS > Read',
    (page, options) => connection.client.dns.records.list({ zone_id: zoneId, name: { exact: name }, page, per_page: 100 }, options),
    run,
  );
  const found = records.find((record) => ['A', 'AAAA', 'CNAME'].includes(record.type ?? ''));
  return found ? { id: found.id, name: clean(found.name), type: found.type ?? '', content: found.type === 'CNAME' ? clean(found.content ?? '') : (found.content ?? ''), proxied: found.proxied === true, comment: found.comment ?? null } : undefined;
}

/** Reads the provider zone's shared parts (read-only). */
export async function readProvider(connection: CloudflareConnection, zoneId: string, names: SaasNames, run?: RunOptions): Promise<ProviderState> {
  const zone = await connection.call('zones.get', 'Zone > Zone > Read', (options) => connection.client.zones.get({ zone_id: zoneId }, options), run);
  const zoneName = clean(zone.name);
  const fallbackName = names.fallbackOrigin(zoneName);
  const targetName = names.cnameTarget(zoneName);
  // One after another: the same requests in the same order on every run (the reliability sweeps count on it).
  const fallbackRecord = await recordAt(connection, zoneId, fallbackName, run);
  const targetRecord = await recordAt(connection, zoneId, targetName, run);
  const ssl = await connection.call('zones.settings.get', 'Zone > Zone > Read', (options) => connection.client.zones.settings.get('ssl', { zone_id: zoneId }, options), run);
  const fallbackOrigin = await connection
    .call('customHostnames.fallbackOrigin.get', 'Zone > SSL and Certificates > Read', (options) => connection.client.customHostnames.fallbackOrigin.get({ zone_id: zoneId }, options), run)
    .catch((error: unknown) => {
      // No fallback origin yet is an answer, not a failure.
      if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    });
  return {
    zone: { id: zone.id, name: zoneName, status: zone.status ?? 'active' },
    fallbackName,
    fallbackRecord,
    targetName,
    targetRecord,
    sslMode: String((ssl as { value?: unknown }).value ?? ''),
    fallbackOrigin: fallbackOrigin ? { ...(fallbackOrigin.origin ? { origin: clean(fallbackOrigin.origin) } : {}), ...(fallbackOrigin.status ? { status: fallbackOrigin.status } : {}), ...(fallbackOrigin.errors ? { errors: fallbackOrigin.errors } : {}) } : undefined,
    origin: names.origin,
  };
}

/**
 * Puts the shared parts in place, each only when it is not already: the fallback origin record
 * (a proxied CNAME to SendGrid), the CNAME target (a proxied CNAME to the fallback origin), SSL
 * mode Full on the zone, and the zone's fallback origin. A record of the same name that sslclick
 * did not write (another content, or DNS-only) is a `CONFLICT`: nothing is overwritten.
 * Returns the state as written; whether the fallback origin is active is for the caller to wait on.
 */
export async function ensureProvider(connection: CloudflareConnection, state: ProviderState, run: RunOptions, progress: (type: string, message: string) => void): Promise<ProviderState> {
  const zoneId = state.zone.id;
  if (state.zone.status !== 'active') {
    throw new SslClickError({ code: 'CONFLICT', provider, operation: 'apply', message: `The provider zone ${state.zone.name} is "${state.zone.status}", not active: Cloudflare serves custom hostnames only from an active zone. Nothing was changed.` });
  }
  const ensureRecord = async (name: string, content: string, current: ProviderRecord | undefined, what: string): Promise<ProviderRecord> => {
    if (current?.type === 'CNAME' && current.content === content && current.proxied) return current;
    if (current && current.comment !== comment) {
      throw new SslClickError({
        code: 'CONFLICT',
        provider,
        operation: 'apply',
        message: `${name} in the provider zone holds ${current.type} ${current.content}${current.proxied ? ' (proxied)' : ' (DNS only)'}, not sslclick's ${what} (a proxied CNAME to ${content}); sslclick will not overwrite it. Remove it, or pass another ${what === 'fallback origin' ? 'fallbackOrigin' : 'cnameTarget'} name. Nothing was changed.`,
      });
    }
    await run.budget?.take(1);
    const written = current
      ? await connection.call('dns.records.edit', 'Zone > DNS > Edit', (options) => connection.client.dns.records.edit(current.id, { zone_id: zoneId, type: 'CNAME', name, content, proxied: true, ttl: 1 } as never, options), run)
      : await connection.call('dns.records.create', 'Zone > DNS > Edit', (options) => connection.client.dns.records.create({ zone_id: zoneId, type: 'CNAME', name, content, proxied: true, ttl: 1, comment }, options), run, {
          recover: async () => {
            const now = await recordAt(connection, zoneId, name, run);
            return now?.type === 'CNAME' && now.content === content ? ({ id: now.id } as never) : undefined;
          },
        });
    progress('provider-record-written', `${name} is a proxied CNAME to ${content} in ${state.zone.name} (the ${what}).`);
    return { id: written.id, name, type: 'CNAME', content, proxied: true, comment };
  };
  const fallbackRecord = await ensureRecord(state.fallbackName, state.origin, state.fallbackRecord, 'fallback origin');
  const targetRecord = await ensureRecord(state.targetName, state.fallbackName, state.targetRecord, 'CNAME target');
  let sslMode = state.sslMode;
  if (sslMode !== 'full') {
    await run.budget?.take(1);
    await connection.call('zones.settings.edit', 'Zone > Zone Settings > Edit', (options) => connection.client.zones.settings.edit('ssl', { zone_id: zoneId, value: 'full' }, options), run);
    progress('ssl-mode-set', `The provider zone ${state.zone.name} now uses SSL mode Full (it was "${sslMode}"): Cloudflare reaches SendGrid over HTTPS without checking its *.sendgrid.net certificate against the branded host.`);
    sslMode = 'full';
  }
  let fallbackOrigin = state.fallbackOrigin;
  if (fallbackOrigin?.origin !== state.fallbackName) {
    if (fallbackOrigin?.origin) {
      throw new SslClickError({
        code: 'CONFLICT',
        provider,
        operation: 'apply',
        message: `The provider zone ${state.zone.name} already has the fallback origin ${fallbackOrigin.origin}, not ${state.fallbackName}; a zone has one, and its other custom hostnames rely on it. sslclick will not change it: pass fallbackOrigin: "${fallbackOrigin.origin}" if that record forwards to ${state.origin}, or use another zone. Nothing was changed there.`,
      });
    }
    await run.budget?.take(1);
    const answer = await connection.call('customHostnames.fallbackOrigin.update', 'Zone > SSL and Certificates > Edit', (options) => connection.client.customHostnames.fallbackOrigin.update({ zone_id: zoneId, origin: state.fallbackName }, options), run);
    fallbackOrigin = { origin: state.fallbackName, ...(answer.status ? { status: answer.status } : {}), ...(answer.errors ? { errors: answer.errors } : {}) };
    progress('fallback-origin-set', `${state.fallbackName} is the fallback origin of ${state.zone.name}.`);
  }
  return { ...state, fallbackRecord, targetRecord, sslMode, fallbackOrigin };
}

/** Reads the fallback origin again (for the wait until it is active). */
export async function readFallbackOrigin(connection: CloudflareConnection, zoneId: string, run?: RunOptions): Promise<ProviderState['fallbackOrigin']> {
  const answer = await connection.call('customHostnames.fallbackOrigin.get', 'Zone > SSL and Certificates > Read', (options) => connection.client.customHostnames.fallbackOrigin.get({ zone_id: zoneId }, options), run);
  return { ...(answer.origin ? { origin: clean(answer.origin) } : {}), ...(answer.status ? { status: answer.status } : {}), ...(answer.errors ? { errors: answer.errors } : {}) };
}
