import {
  requireVerificationForLocalEndpoints,
  SslClickError,
  buildStatus,
  invalidInput,
  normalizeHostname,
  throwIfAborted,
  waitUntil,
  type CommonProxySettings,
  type Plan,
  type PlannedChange,
  type ProxyAdapter,
  type ProxyRequest,
  type ProxyStatus,
  type RunOptions,
} from '@sslclick/core';
import { commentWithPack, commentWithoutPack, describeRecords, orderedPackId, pendingPackMarker, readRecordsAt, type BrandingRecord } from './branding-record.js';
import { coveringPacks, isActivePack, isFailedPack, listCertificatePacks, orderedPackFor } from './certificate-coverage.js';
import { createCloudflareConnection, type CloudflareConnectionSettings } from './cloudflare-client.js';
import { observe, targetRecord, type CloudflareObservation } from './cloudflare-observation.js';
import { checkThroughEdge, observedAddresses, verificationForZone, verifyOnce } from './edge-verification.js';
import { applyRuleDecision, deleteOurRule, type RuleDecision } from './host-rules.js';
import { buildCloudflareStatus } from './status-mapping.js';
import { findZone, requireActiveZone, type CloudflareZoneReference } from './zone-lookup.js';

/** Settings of `createCloudflareProxy`. */
export interface CloudflareProxySettings extends CloudflareConnectionSettings, CommonProxySettings {
  /**
   * Order an advanced certificate pack (Advanced Certificate Manager) when no edge certificate
   * covers the hostname, e.g. `url1234.mail.example.com`, which Universal SSL does not cover;
   * without it `apply` stops before any change and says so.
   * @default false
   */
  orderCertificate?: boolean;
  /**
   * The certificate authority of an ordered pack.
   * @default 'google'
   */
  certificateAuthority?: 'google' | 'lets_encrypt' | 'ssl_com';
  /**
   * Add a Cache Rule that bypasses the cache for the host, so a zone-wide "cache everything" does
   * not hide repeat clicks and opens from SendGrid. `false` leaves the cache as the zone has it.
   * @default true
   */
  bypassCache?: boolean;
  /**
   * How long, right after the record is proxied, the edge may take to serve the host correctly
   * before the record is put back as it was, in ms.
   * @default 60000
   */
  cutoverCheckTimeout?: number;
}

const provider = 'cloudflare';
const sslClickRecordComment = 'SendGrid link branding (created by sslclick)';

interface NormalizedRequest {
  hostname: string;
  origin: string;
  adopt: boolean;
}

function normalizeRequest(request: ProxyRequest): NormalizedRequest {
  if (request === null || typeof request !== 'object') throw invalidInput('The request must be an object such as { hostname: "url1234.example.com" }.', { provider });
  const hostname = normalizeHostname(request.hostname);
  const origin = (request.origin ?? 'sendgrid.net').trim().toLowerCase().replace(/\.$/, '');
  if (!/^(?:[a-z0-9-]+\.)*sendgrid\.net$/.test(origin) || origin === 'click.sendgrid.net') {
    throw invalidInput(`origin "${request.origin}" is not a SendGrid link origin: use "sendgrid.net", or "eu.sendgrid.net" for EU regional links.`, { provider });
  }
  if (request.adopt !== undefined && typeof request.adopt !== 'boolean') throw invalidInput('adopt must be true or false.', { provider });
  return { hostname, origin, adopt: request.adopt === true };
}

function validateSettings(settings: CloudflareProxySettings): void {
  const booleanSetting = (name: 'orderCertificate' | 'bypassCache'): void => {
    if (settings[name] !== undefined && typeof settings[name] !== 'boolean') throw invalidInput(`${name} must be true or false.`, { provider, operation: 'create' });
  };
  booleanSetting('orderCertificate');
  booleanSetting('bypassCache');
  if (settings.certificateAuthority !== undefined && !['google', 'lets_encrypt', 'ssl_com'].includes(settings.certificateAuthority)) {
    throw invalidInput(`certificateAuthority must be "google", "lets_encrypt" or "ssl_com", not "${String(settings.certificateAuthority)}".`, { provider, operation: 'create' });
  }
  if (settings.cutoverCheckTimeout !== undefined && !(Number.isFinite(settings.cutoverCheckTimeout) && settings.cutoverCheckTimeout >= 0)) {
    throw invalidInput('cutoverCheckTimeout must be a number of milliseconds, 0 or more.', { provider, operation: 'create' });
  }
}

function notCoveredError(hostname: string, zone: CloudflareZoneReference): SslClickError {
  return new SslClickError({
    code: 'UNSAFE',
    message:
      `No active Cloudflare edge certificate covers ${hostname}: Universal SSL covers only ${zone.name} and its first-level names (*.${zone.name}), so proxying it would break every link. ` +
      `Nothing was changed. Either run again with orderCertificate: true, which orders an advanced certificate pack for ${hostname} (needs Advanced Certificate Manager on the zone) and waits for it, ` +
      `or use a first-level branded host such as url1234.${zone.name} in SendGrid (or upload a certificate covering ${hostname} to Cloudflare yourself).`,
    provider,
    operation: 'certificate-check',
  });
}

function absentStatus(request: NormalizedRequest, warnings: string[] = []): ProxyStatus {
  return buildStatus({
    provider,
    hostname: request.hostname,
    origin: request.origin,
    edge: { state: 'absent' },
    certificate: { state: 'absent' },
    dns: { managed: true, required: [{ name: request.hostname, type: 'CNAME', value: request.origin, purpose: 'SendGrid link branding, proxied through Cloudflare' }] },
    resources: [],
    warnings,
  });
}

function autoSslNote(hostname: string): string {
  return `${hostname} is a CNAME to click.sendgrid.net: SendGrid Auto SSL already serves HTTPS for it, so no CDN is needed, and proxying it through Cloudflare risks error 1014. sslclick changed nothing.`;
}

/**
 * Creates the Cloudflare adapter: the branded link host becomes a proxied ("orange cloud") CNAME
 * to SendGrid's origin, with a Configuration Rule setting SSL mode Full for that host only and a
 * Cache Rule bypassing the cache for it, on an edge certificate that covers it (Universal SSL, or
 * an advanced pack ordered with `orderCertificate: true`). Right after the record is proxied the
 * host is checked through the edge, and the record is put back as it was if the check fails.
 * Settings are validated here; no request is made until a method runs.
 */
export function createCloudflareProxy(settings: CloudflareProxySettings = {}): ProxyAdapter {
  const connection = createCloudflareConnection(settings, 'createCloudflareProxy');
  validateSettings(settings);
  requireVerificationForLocalEndpoints({ provider, endpoints: [settings.baseURL], verification: settings.verification });
  const orderCertificate = settings.orderCertificate ?? false;
  const bypassCache = settings.bypassCache ?? true;
  const certificateAuthority = settings.certificateAuthority ?? 'google';
  const cutoverCheckTimeout = settings.cutoverCheckTimeout ?? 60_000;

  const progress = (run: RunOptions, type: string, message: string, hostname: string, detail?: Record<string, unknown>): void => {
    run.onProgress?.({ type, message, provider, hostname, ...(detail ? { detail } : {}) });
  };

  async function observeRequest(request: NormalizedRequest, zone: CloudflareZoneReference, run: RunOptions): Promise<CloudflareObservation> {
    return observe(connection, zone, request.hostname, request.origin, run);
  }

  async function editRecord(record: BrandingRecord, zoneId: string, fields: { type: string; content: string; proxied: boolean; ttl: number; comment: string | null }, run: RunOptions): Promise<void> {
    await connection.call(
      'dns.records.edit',
      'Zone > DNS > Edit',
      (options) =>
        connection.client.dns.records.edit(
          record.id,
          { zone_id: zoneId, name: record.name, type: fields.type as 'CNAME', content: fields.content, proxied: fields.proxied, ttl: fields.ttl, comment: fields.comment ?? '' } as never,
          options,
        ),
      run,
    );
  }

  async function waitForCertificate(request: NormalizedRequest, zone: CloudflareZoneReference, run: RunOptions): Promise<void> {
    await waitUntil(
      async () => {
        const packs = coveringPacks(await listCertificatePacks(connection, zone.id, run), request.hostname);
        const best = packs[0];
        if (!best) return { done: false, state: 'no covering pack', failed: true };
        return { done: isActivePack(best), state: best.status, failed: isFailedPack(best) };
      },
      {
        description: `the Cloudflare certificate pack for ${request.hostname} to become active`,
        subject: 'certificate',
        provider,
        hostname: request.hostname,
        minDelay: settings.wait?.minDelay ?? 5_000,
        maxDelay: settings.wait?.maxDelay ?? 30_000,
        maxWaitTime: settings.wait?.maxWaitTime ?? 900_000,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.onProgress ? { onProgress: run.onProgress } : {}),
      },
    );
  }

  /** The changes `apply` would make, from an observation; shared by `plan` and `apply`'s pre-checks. */
  function plannedChanges(request: NormalizedRequest, observation: CloudflareObservation): { changes: PlannedChange[]; warnings: string[]; blocked?: SslClickError } {
    const changes: PlannedChange[] = [];
    const warnings: string[] = [];
    const state = observation.recordState;
    const { hostname, origin } = request;
    if (state.kind === 'auto-ssl') {
      warnings.push(autoSslNote(hostname));
      return { changes, warnings };
    }
    if (state.kind === 'missing') {
      changes.push({
        resource: { kind: 'dns-record', name: hostname },
        action: 'create',
        description: `Create ${hostname} CNAME ${origin}, DNS-only, then stop: validate the link branding in SendGrid before it is proxied.`,
      });
      return { changes, warnings };
    }
    if (state.kind === 'foreign' && !request.adopt) {
      const blocked = new SslClickError({
        code: 'CONFLICT',
        message: `${hostname} already holds ${describeRecords(state.records)} in the Cloudflare zone ${observation.zone.name}, not the SendGrid branding CNAME to ${origin}. Nothing was changed; point it at ${origin} yourself, or pass adopt: true to let sslclick replace it.`,
        provider,
        operation: 'apply',
      });
      warnings.push(blocked.message);
      return { changes, warnings, blocked };
    }
    const best = observation.covering[0];
    if (!best || isFailedPack(best)) {
      if (!orderCertificate) {
        const blocked = notCoveredError(hostname, observation.zone);
        warnings.push(blocked.message);
        return { changes, warnings, blocked };
      }
      changes.push({
        resource: { kind: 'certificate-pack', name: `advanced: ${observation.zone.name}, ${hostname}` },
        action: 'create',
        description: `Order an advanced certificate pack for ${observation.zone.name} and ${hostname} (${certificateAuthority}) and wait until it is active.`,
      });
      changes.push({
        resource: { kind: 'dns-record', name: hostname, id: targetRecord(observation)?.id ?? '' },
        action: 'update',
        description: `Note the ordered pack's id in the comment of ${hostname}, so destroy removes only that pack.`,
      });
    }
    const ruleChange = (decision: RuleDecision, label: string): void => {
      const action = decision.action === 'create-entrypoint' ? 'create' : decision.action;
      const where = decision.action === 'create-entrypoint' ? ` (creating the zone's ${decision.desired.phase} entrypoint)` : '';
      changes.push({
        resource: { kind: 'ruleset-rule', name: `${decision.desired.phase}: ${decision.desired.description}`, ...(decision.existing ? { id: decision.existing.id } : {}) },
        action,
        description: action === 'none' ? `${label} is in place.` : `${action === 'create' ? 'Add' : 'Repair'} ${label}${where}.`,
      });
    };
    ruleChange(observation.configuration, `the Configuration Rule setting SSL mode Full for ${hostname}`);
    if (bypassCache) ruleChange(observation.cache, `the Cache Rule bypassing the cache for ${hostname}`);
    else if (observation.cache.existing) {
      changes.push({
        resource: { kind: 'ruleset-rule', name: `http_request_cache_settings: ${observation.cache.desired.description}`, id: observation.cache.existing.id },
        action: 'delete',
        description: `Remove sslclick's Cache Rule for ${hostname} (bypassCache is false).`,
      });
    }
    const record = targetRecord(observation);
    const cutOver = state.kind === 'branding' && state.record.proxied;
    changes.push({
      resource: { kind: 'dns-record', name: hostname, ...(record ? { id: record.id } : {}) },
      action: cutOver ? 'none' : 'update',
      description: cutOver
        ? `${hostname} is proxied through Cloudflare to ${origin}.`
        : `Proxy ${hostname} (CNAME ${origin}, orange cloud), check it through the edge, and put it back as it was if the check fails.`,
    });
    if (state.kind === 'foreign' && state.records.length > 1) {
      for (const extra of state.records.slice(1)) {
        changes.push({ resource: { kind: 'dns-record', name: hostname, id: extra.id }, action: 'delete', description: `Delete ${extra.type} ${extra.content} (adopt: a CNAME cannot share its name).` });
      }
    }
    return { changes, warnings };
  }

  async function apply(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    const { hostname, origin } = request;
    throwIfAborted(run.signal, 'apply');
    const zone = await requireActiveZone(connection, hostname, run);
    progress(run, 'zone-found', `${hostname} is in the Cloudflare zone ${zone.name}.`, hostname, { zoneId: zone.id });
    let observation = await observeRequest(request, zone, run);
    const { blocked } = plannedChanges(request, observation);
    if (blocked) throw blocked;

    const state = observation.recordState;
    if (state.kind === 'auto-ssl') {
      return buildCloudflareStatus(observation, { bypassCache, nextSteps: [autoSslNote(hostname)], warnings: [autoSslNote(hostname)] });
    }
    if (state.kind === 'missing') {
      await connection.call(
        'dns.records.create',
        'Zone > DNS > Edit',
        (options) =>
          connection.client.dns.records
            .create({ zone_id: zone.id, type: 'CNAME', name: hostname, content: origin, proxied: false, ttl: 1, comment: sslClickRecordComment }, options)
            .then((created) => created.id),
        run,
        // A create whose answer was lost may have been carried out: the record is read back before a retry.
        { recover: async () => (await readRecordsAt(connection, zone.id, hostname, run)).find((record) => record.type === 'CNAME' && record.content === origin)?.id },
      );
      progress(run, 'record-created', `Created ${hostname} CNAME ${origin}, DNS-only.`, hostname);
      observation = await observeRequest(request, zone, run);
      return buildCloudflareStatus(observation, {
        bypassCache,
        nextSteps: [
          `Validate the link branding of ${hostname} in SendGrid now (Settings → Sender Authentication → Verify): ${hostname} is a DNS-only CNAME to ${origin}, the only state in which validation can pass. Once the record is proxied, SendGrid's validation can never pass again.`,
          'Then run apply again to put Cloudflare in front of it.',
        ],
      });
    }

    // From here the target record is the branding CNAME, or (adopt) the first foreign record.
    let record = targetRecord(observation) as BrandingRecord;
    const original = { ...record };
    throwIfAborted(run.signal, 'apply');

    // 1. The certificate: order an advanced pack when nothing covers the host (checked above).
    // A previous run that stopped between ordering and noting the pack's id left the pending
    // marker: the pack it ordered is ours, so its id is noted now instead of ordering another.
    if (observation.pendingOrderRecord?.id === record.id && observation.ownedPack) {
      const claimed = observation.ownedPack;
      const comment = commentWithPack(record.comment, claimed.id);
      await editRecord(record, zone.id, { type: record.type, content: record.content, proxied: record.proxied, ttl: record.ttl, comment }, run);
      record = { ...record, comment };
      progress(run, 'certificate-resumed', `Found the advanced certificate pack ${claimed.id} that an earlier run ordered for ${hostname}; using it.`, hostname, { packId: claimed.id });
    }
    const best = observation.covering[0];
    if (!best || isFailedPack(best)) {
      // The intent goes into the record's comment first, so a run stopped right after the order
      // still knows the pack is ours (see above) and neither orders a second one nor orphans it.
      const pendingComment = commentWithPack(record.comment, pendingPackMarker);
      if (pendingComment !== record.comment) {
        await editRecord(record, zone.id, { type: record.type, content: record.content, proxied: record.proxied, ttl: record.ttl, comment: pendingComment }, run);
        record = { ...record, comment: pendingComment };
      }
      // An order whose answer was lost (a time-out) may have been carried out: before a retry the
      // packs are read again, and a pack for exactly these hosts that was not there before is
      // the one just ordered (as the pending marker says across runs), so no second one is ordered.
      const knownPacks = new Set(observation.covering.map((pack) => pack.id));
      const pack = await connection.call(
        'ssl.certificatePacks.create',
        'Zone > SSL and Certificates > Edit',
        (options) =>
          connection.client.ssl.certificatePacks
            .create(
              { zone_id: zone.id, type: 'advanced', hosts: [zone.name, hostname], certificate_authority: certificateAuthority, validation_method: 'txt', validity_days: 90 },
              options,
            )
            .then((ordered): { id: string; status: string } => ({ id: ordered.id, status: ordered.status })),
        run,
        {
          recover: async () => {
            const packs = (await listCertificatePacks(connection, zone.id, run)).filter((candidate) => !knownPacks.has(candidate.id) && !isFailedPack(candidate));
            const ordered = orderedPackFor(packs, zone.name, hostname);
            return ordered ? { id: ordered.id, status: ordered.status } : undefined;
          },
        },
      );
      progress(run, 'certificate-ordered', `Ordered the advanced certificate pack ${pack.id} for ${zone.name} and ${hostname}.`, hostname, { packId: pack.id, status: pack.status });
      // The pack's id goes into the record's comment at once: it is how destroy knows the pack is ours.
      const comment = commentWithPack(record.comment, pack.id);
      await editRecord(record, zone.id, { type: record.type, content: record.content, proxied: record.proxied, ttl: record.ttl, comment }, run);
      record = { ...record, comment };
    }

    // 2. The rules, one by one, never replacing a phase.
    for (const decision of [observation.configuration, ...(bypassCache ? [observation.cache] : [])]) {
      if (decision.action === 'none') continue;
      throwIfAborted(run.signal, 'apply');
      const id = await applyRuleDecision(connection, zone.id, decision, run);
      progress(run, decision.action === 'update' ? 'rule-repaired' : 'rule-created', `${decision.action === 'update' ? 'Repaired' : 'Added'} "${decision.desired.description}".`, hostname, { rule: id });
    }
    if (!bypassCache && observation.cache.existing && observation.cache.entrypoint) {
      await deleteOurRule(connection, zone.id, observation.cache.desired, observation.cache.entrypoint.id, observation.cache.existing.id, run);
      progress(run, 'rule-deleted', `Removed sslclick's Cache Rule for ${hostname} (bypassCache is false).`, hostname);
    }

    // 3. Wait for the certificate.
    if (!best || !isActivePack(best)) await waitForCertificate(request, zone, run);
    throwIfAborted(run.signal, 'apply');

    // 4. The cutover, checked through the edge, rolled back if the check fails.
    const verification = await verificationForZone(settings.verification, zone);
    const alreadyCutOver = record.type === 'CNAME' && record.content === origin && record.proxied;
    if (alreadyCutOver) {
      const outcome = await verifyOnce(hostname, verification, run.signal);
      observation = await observeRequest(request, zone, run);
      return buildCloudflareStatus(observation, { bypassCache, verifierChecks: outcome.checks, observedDns: outcome.observedDns });
    }
    if (observation.recordState.kind === 'foreign') {
      for (const extra of observation.recordState.records.slice(1)) {
        try {
          await connection.call('dns.records.delete', 'Zone > DNS > Edit', (options) => connection.client.dns.records.delete(extra.id, { zone_id: zone.id }, options), run);
        } catch (error) {
          // Already gone: a retry after a lost answer, or removed meanwhile. Either way it is done.
          if (!(SslClickError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
        }
      }
    }
    await editRecord(record, zone.id, { type: 'CNAME', content: origin, proxied: true, ttl: 1, comment: record.comment }, run);
    progress(run, 'record-proxied', `${hostname} is now proxied through Cloudflare to ${origin}; checking it through the edge.`, hostname);
    const outcome = await checkThroughEdge({
      hostname,
      verification,
      maxWaitTime: cutoverCheckTimeout,
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
    });
    if (!outcome.ok) {
      await editRecord(record, zone.id, { type: original.type, content: original.content, proxied: original.proxied, ttl: original.ttl, comment: record.comment }, run);
      progress(run, 'record-rolled-back', `The check through the edge failed, so ${hostname} was put back as it was (${original.type} ${original.content}, ${original.proxied ? 'proxied' : 'DNS-only'}).`, hostname);
      observation = await observeRequest(request, zone, run);
      return buildCloudflareStatus(observation, {
        bypassCache,
        cutoverFailed: true,
        verifierChecks: outcome.checks,
        observedDns: outcome.observedDns,
        nextSteps: [
          `The check through Cloudflare failed, so ${hostname} was put back as it was and live links keep working: ${outcome.failure ?? 'see the checks'}`,
          `Fix what the checks name (a later Configuration Rule or Page Rule overriding SSL mode Full, a firewall rule blocking the host, the origin), then run apply again.`,
        ],
      });
    }
    observation = await observeRequest(request, zone, run);
    return buildCloudflareStatus(observation, { bypassCache, verifierChecks: outcome.checks, observedDns: outcome.observedDns });
  }

  async function status(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    throwIfAborted(run.signal, 'status');
    const zone = await findZone(connection, request.hostname, run);
    if (!zone) return absentStatus(request, [`No Cloudflare zone this token can see holds ${request.hostname}.`]);
    const observation = await observeRequest(request, zone, run);
    const notes = observation.recordState.kind === 'auto-ssl' ? [autoSslNote(request.hostname)] : [];
    const proxied = observation.recordState.kind === 'branding' && observation.recordState.record.proxied;
    // A proxied record answers with Cloudflare's edge addresses: reading them (DNS, not the API)
    // lets a verification from outside recognise them as the CDN.
    const observedDns = proxied ? await observedAddresses(request.hostname, await verificationForZone(settings.verification, zone)) : undefined;
    return buildCloudflareStatus(observation, {
      bypassCache,
      warnings: notes,
      ...(notes.length > 0 ? { nextSteps: notes } : {}),
      ...(observedDns ? { observedDns } : {}),
    });
  }

  async function plan(input: ProxyRequest, run: RunOptions = {}): Promise<Plan> {
    const request = normalizeRequest(input);
    throwIfAborted(run.signal, 'plan');
    const zone = await requireActiveZone(connection, request.hostname, run);
    const observation = await observeRequest(request, zone, run);
    const { changes, warnings } = plannedChanges(request, observation);
    return { provider, hostname: request.hostname, changes, warnings };
  }

  async function destroy(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    const { hostname, origin } = request;
    throwIfAborted(run.signal, 'destroy');
    const zone = await findZone(connection, hostname, run);
    if (!zone) return absentStatus(request, [`No Cloudflare zone this token can see holds ${hostname}; nothing to remove.`]);
    let observation = await observeRequest(request, zone, run);
    const state = observation.recordState;

    // 1. DNS first: the branding record back to DNS-only at SendGrid (never deleted: SendGrid needs it).
    if (state.kind === 'branding' && state.record.proxied) {
      const record = state.record;
      await editRecord(record, zone.id, { type: 'CNAME', content: origin, proxied: false, ttl: 1, comment: record.comment }, run);
      progress(run, 'record-unproxied', `${hostname} is a DNS-only CNAME to ${origin} again.`, hostname);
    }
    throwIfAborted(run.signal, 'destroy');

    // 2. Our rules, and only ours.
    for (const decision of [observation.configuration, observation.cache]) {
      if (!decision.existing || !decision.entrypoint) continue;
      await deleteOurRule(connection, zone.id, decision.desired, decision.entrypoint.id, decision.existing.id, run);
      progress(run, 'rule-deleted', `Removed "${decision.desired.description}".`, hostname);
    }

    // 3. The pack we ordered, then its note in the record's comment.
    if (observation.ownedPack && !['deleted', 'pending_deletion'].includes(observation.ownedPack.status)) {
      const packId = observation.ownedPack.id;
      try {
        await connection.call('ssl.certificatePacks.delete', 'Zone > SSL and Certificates > Edit', (options) => connection.client.ssl.certificatePacks.delete(packId, { zone_id: zone.id }, options), run);
      } catch (error) {
        if (!(SslClickError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
      }
      progress(run, 'certificate-deleted', `Deleted the certificate pack ${packId} that sslclick ordered.`, hostname);
    }
    const ownedPackId = observation.ownedPackId;
    const marked = ownedPackId ? observation.records.find((record) => orderedPackId(record) === ownedPackId) : observation.pendingOrderRecord;
    if (marked) {
      const isBranding = state.kind === 'branding' && state.record.id === marked.id;
      await editRecord(
        marked,
        zone.id,
        isBranding
          ? { type: 'CNAME', content: origin, proxied: false, ttl: marked.proxied ? 1 : marked.ttl, comment: commentWithoutPack(marked.comment) }
          : { type: marked.type, content: marked.content, proxied: marked.proxied, ttl: marked.ttl, comment: commentWithoutPack(marked.comment) },
        run,
      );
    }
    observation = await observeRequest(request, zone, run);
    return buildCloudflareStatus(observation, { bypassCache });
  }

  return {
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: true, managedCertificate: true },
    plan,
    apply,
    status,
    destroy,
  } satisfies ProxyAdapter;
}
