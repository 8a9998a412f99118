import { SslClickError, normalizeHostname, type PlannedChange, type ProxyRequest } from '@sslclick/core';
import { invalidInput } from '@sslclick/core/adapter';
import { describeRecords } from './branding-record.js';
import { isFailedPack } from './certificate-coverage.js';
import { targetRecord, type CloudflareObservation } from './cloudflare-observation.js';
import type { RuleDecision } from './host-rules.js';
import { packOrderStep } from './pack-order-marker.js';
import { isPartialZone, partialZoneTarget, type CloudflareZoneReference } from './zone-lookup.js';

const provider = 'cloudflare';

/** A request after `normalizeRequest`. */
export interface NormalizedRequest {
  hostname: string;
  origin: string;
  adopt: boolean;
}

/** Checks and normalises a request: the hostname by core's rules, a SendGrid origin, adopt a boolean. */
export function normalizeRequest(request: ProxyRequest): NormalizedRequest {
  if (request === null || typeof request !== 'object') throw invalidInput('The request must be an object such as { hostname: "url1234.example.com" }.', { provider });
  const hostname = normalizeHostname(request.hostname);
  const origin = (request.origin ?? 'sendgrid.net').trim().toLowerCase().replace(/\.$/, '');
  if (!/^(?:[a-z0-9-]+\.)*sendgrid\.net$/.test(origin) || origin === 'click.sendgrid.net') {
    throw invalidInput(`origin "${request.origin}" is not a SendGrid link origin: use "sendgrid.net", or "eu.sendgrid.net" for EU regional links.`, { provider });
  }
  if (request.adopt !== undefined && typeof request.adopt !== 'boolean') throw invalidInput('adopt must be true or false.', { provider });
  return { hostname, origin, adopt: request.adopt === true };
}

/** The error when no edge certificate covers the host and ordering one was not allowed. */
export function notCoveredError(hostname: string, zone: CloudflareZoneReference): SslClickError {
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

/** What is said about a host on SendGrid Auto SSL. */
export function autoSslNote(hostname: string): string {
  return `${hostname} is a CNAME to click.sendgrid.net: SendGrid Auto SSL already serves HTTPS for it, so no CDN is needed, and proxying it through Cloudflare risks error 1014. sslclick changed nothing.`;
}

/** What decides the changes besides the observation: the adapter's settings. */
export interface ChangeSettings {
  orderCertificate: boolean;
  certificateAuthority: string;
  bypassCache: boolean;
}

/** The changes `apply` would make, from an observation; shared by `plan` and `apply`'s pre-checks. */
export function plannedChanges(request: NormalizedRequest, observation: CloudflareObservation, { orderCertificate, certificateAuthority, bypassCache }: ChangeSettings): { changes: PlannedChange[]; warnings: string[]; blocked?: SslClickError } {
  const changes: PlannedChange[] = [];
  const warnings: string[] = [];
  const state = observation.recordState;
  const { hostname, origin } = request;
  if (state.kind === 'auto-ssl') {
    warnings.push(autoSslNote(hostname));
    return { changes, warnings };
  }
  if (state.kind === 'missing') {
    const partial = isPartialZone(observation.zone);
    changes.push({
      resource: { kind: 'dns-record', name: hostname },
      action: 'create',
      description: partial
        ? `Create ${hostname} CNAME ${origin}, DNS-only, in the partial zone (the public does not see it; your own DNS host does).`
        : `Create ${hostname} CNAME ${origin}, DNS-only, then stop: validate the link branding in SendGrid before it is proxied.`,
    });
    if (!partial) return { changes, warnings };
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
  const order = !best || isFailedPack(best) ? packOrderStep(observation) : undefined;
  if (order && !orderCertificate) {
    const blocked = notCoveredError(hostname, observation.zone);
    warnings.push(blocked.message);
    return { changes, warnings, blocked };
  }
  if (order?.failedOwn) {
    changes.push({
      resource: { kind: 'certificate-pack', name: `advanced: ${order.failedOwn.hosts.join(', ')}`, id: order.failedOwn.id },
      action: 'delete',
      description: `Delete the certificate pack ${order.failedOwn.id} that sslclick ordered earlier: it is "${order.failedOwn.status}" and will not serve.`,
    });
  }
  const ruleChange = (decision: RuleDecision, label: string): void => {
    const action = decision.action === 'create-entrypoint' ? 'create' : decision.action;
    const where = decision.action === 'create-entrypoint' ? ` (creating the zone's ${decision.desired.phase} entrypoint)` : '';
    const marker = order && decision === order.configuration ? ', noting in its description that sslclick orders the certificate pack (the proof the pack is ours, should a run stop before its id is noted)' : '';
    changes.push({
      resource: { kind: 'ruleset-rule', name: `${decision.desired.phase}: ${decision.desired.description}`, ...(decision.existing ? { id: decision.existing.id } : {}) },
      action,
      description:
        action === 'none'
          ? `${label} is in place.`
          : decision.reason === 'note'
            ? `Note on ${label} that sslclick orders the certificate pack for ${hostname} (the proof the pack is ours, should a run stop before its id is noted).`
            : `${action === 'create' ? 'Add' : 'Repair'} ${label}${where}${marker}.`,
    });
  };
  ruleChange(order?.configuration ?? observation.configuration, `the Configuration Rule setting SSL mode Full for ${hostname}`);
  if (bypassCache) ruleChange(observation.cache, `the Cache Rule bypassing the cache for ${hostname}`);
  else if (observation.cache.existing) {
    changes.push({
      resource: { kind: 'ruleset-rule', name: `http_request_cache_settings: ${observation.cache.desired.description}`, id: observation.cache.existing.id },
      action: 'delete',
      description: `Remove sslclick's Cache Rule for ${hostname} (bypassCache is false).`,
    });
  }
  if (order) {
    changes.push({
      resource: { kind: 'certificate-pack', name: `advanced: ${observation.zone.name}, ${hostname}` },
      action: 'create',
      description: `Order an advanced certificate pack for ${observation.zone.name} and ${hostname} (${certificateAuthority}) and wait until it is active.`,
    });
  }
  const record = targetRecord(observation);
  const cutOver = state.kind === 'branding' && state.record.proxied;
  // The pack's id is noted in the record's comment by the PATCH that proxies it (one PATCH).
  const noting = order || (observation.pendingOrder && observation.ownedPack) ? `, noting the ordered pack's id in its comment so destroy removes only that pack` : '';
  changes.push({
    resource: { kind: 'dns-record', name: hostname, ...(record ? { id: record.id } : {}) },
    action: cutOver && noting === '' ? 'none' : 'update',
    description: cutOver
      ? `${hostname} is proxied through Cloudflare to ${origin}${noting === '' ? '' : `; note the ordered pack's id in its comment so destroy removes only that pack`}.`
      : isPartialZone(observation.zone)
        ? `Proxy ${hostname} (CNAME ${origin}, orange cloud) in the partial zone${noting}, check it through ${partialZoneTarget(hostname)}, then ask for ${hostname} CNAME ${partialZoneTarget(hostname)} at your own DNS.`
        : `Proxy ${hostname} (CNAME ${origin}, orange cloud)${noting}, check it through the edge, and put it back as it was if the check fails.`,
  });
  if (state.kind === 'foreign' && state.records.length > 1) {
    for (const extra of state.records.slice(1)) {
      changes.push({ resource: { kind: 'dns-record', name: hostname, id: extra.id }, action: 'delete', description: `Delete ${extra.type} ${extra.content} (adopt: a CNAME cannot share its name).` });
    }
  }
  return { changes, warnings };
}
