import { type CheckResult, type DnsRecord, type ProxyStatus, type ResourceReference } from '@sslclick/core';
import { buildStatus } from '@sslclick/core/adapter';
import { describeRecords } from './branding-record.js';
import { isActivePack, isFailedPack } from './certificate-coverage.js';
import type { CloudflareObservation } from './cloudflare-observation.js';
import { isPartialZone, partialZoneTarget } from './zone-lookup.js';

/** What the adapter adds to an observation to build a status. */
export interface StatusContext {
  bypassCache: boolean;
  /** Checks from the verifier (through the edge), when it ran. */
  verifierChecks?: CheckResult[];
  /** What DNS answered during verification. */
  observedDns?: string[];
  /** The cutover check failed and the record was put back: the edge is reported `failed`. */
  cutoverFailed?: boolean;
  nextSteps?: string[];
  warnings?: string[];
  /**
   * In a partial (CNAME-setup) zone: whether the public DNS (never the zone's own nameserver)
   * shows the host as a CNAME to `<host>.cdn.cloudflare.net`. Unknown is false.
   */
  publicPointsToCdn?: boolean;
}

/** The branding record as it was before the cutover: the same CNAME, DNS-only (the record to restore when Cloudflare fails). */
export function dnsOnlyRecord(hostname: string, origin: string): DnsRecord {
  return { name: hostname, type: 'CNAME', value: origin, purpose: 'DNS only: proxy status off (grey cloud) in the Cloudflare dashboard' };
}

/**
 * Maps what was read onto the uniform status. The table:
 * - edge: `deployed` when the branding record is proxied and our Configuration Rule (and Cache Rule,
 *   unless `bypassCache: false`) are in place; `pending` when only some of that is; `absent` when
 *   none is; `failed` after a cutover check that failed and was rolled back.
 * - certificate: the best covering pack: `active` → `issued`; `*_timed_out`, `expired`, `deleted`
 *   … → `failed`; other states (`initializing`, `pending_validation`, `pending_issuance`,
 *   `pending_deployment` …) → `pending`; none → `absent`. Cloudflare serves a certificate only for
 *   proxied records, so while the record is DNS-only a pack that sslclick did not order (Universal
 *   SSL) is reported `absent`, with the pack kept in `raw`.
 * - dns: managed by the adapter; points to the CDN when the record is proxied. In a partial
 *   (CNAME-setup) zone the public DNS is the customer's: not managed, the required record is the
 *   host's CNAME to `<host>.cdn.cloudflare.net`, and it points to the CDN only when the public DNS
 *   shows that CNAME and the record is proxied.
 * Cloudflare's own values are kept in `raw`.
 */
export function buildCloudflareStatus(observation: CloudflareObservation, context: StatusContext): ProxyStatus {
  const { hostname, origin, recordState, configuration, cache } = observation;
  const record = recordState.kind === 'branding' ? recordState.record : undefined;
  const proxied = record?.proxied === true;
  const configurationInPlace = configuration.action === 'none';
  const cacheInPlace = !context.bypassCache || cache.action === 'none';
  const ourRules = [configuration, cache].filter((decision) => decision.existing !== undefined);

  let edgeState: ProxyStatus['edge']['state'] = 'absent';
  if (context.cutoverFailed) edgeState = 'failed';
  else if (proxied && configurationInPlace && cacheInPlace) edgeState = 'deployed';
  else if (proxied || ourRules.length > 0) edgeState = 'pending';

  const best = observation.covering[0];
  let certificateState: ProxyStatus['certificate']['state'] = 'absent';
  if (best) {
    const servedOrOurs = proxied || (observation.ownedPack !== undefined && observation.ownedPack.id === best.id);
    if (!servedOrOurs) certificateState = 'absent';
    else if (isActivePack(best)) certificateState = 'issued';
    else if (isFailedPack(best)) certificateState = 'failed';
    else certificateState = 'pending';
  }

  const resources: ResourceReference[] = [];
  for (const found of observation.records) resources.push({ kind: 'dns-record', id: found.id, owned: false });
  for (const decision of ourRules) {
    resources.push({ kind: 'ruleset-rule', id: `${decision.entrypoint?.id}/${decision.existing?.id}`, owned: true });
  }
  if (observation.ownedPack) resources.push({ kind: 'certificate-pack', id: observation.ownedPack.id, owned: true });

  const partialTarget = isPartialZone(observation.zone) ? partialZoneTarget(hostname) : undefined;
  const pointsToCdn = partialTarget ? proxied && context.publicPointsToCdn === true : proxied;

  const checks: CheckResult[] = [];
  if (recordState.kind === 'branding' || recordState.kind === 'missing') {
    checks.push(
      best && isActivePack(best)
        ? { id: 'certificate-covers-host', ok: true, detail: `The ${best.type} certificate pack ${best.id} (${best.hosts.join(', ')}) covers ${hostname} and is active.` }
        : best
          ? { id: 'certificate-covers-host', ok: false, detail: `The ${best.type} certificate pack ${best.id} covering ${hostname} is "${best.status}".` }
          : { id: 'certificate-covers-host', ok: false, detail: `No edge certificate covers ${hostname}: Universal SSL covers only first-level names.` },
      configurationInPlace
        ? { id: 'configuration-rule', ok: true, detail: `A Configuration Rule sets SSL mode Full for ${hostname}.` }
        : { id: 'configuration-rule', ok: false, detail: `No sslclick Configuration Rule sets SSL mode Full for ${hostname} yet.` },
    );
    if (context.bypassCache) {
      checks.push(
        cacheInPlace
          ? { id: 'cache-rule', ok: true, detail: `A Cache Rule bypasses the cache for ${hostname}.` }
          : { id: 'cache-rule', ok: false, detail: `No sslclick Cache Rule bypasses the cache for ${hostname} yet.` },
      );
    }
    checks.push(
      proxied
        ? { id: 'record-proxied', ok: true, detail: `${hostname} is a proxied CNAME to ${origin}: Cloudflare terminates TLS for it.` }
        : { id: 'record-proxied', ok: false, detail: `${hostname} is ${record ? `a DNS-only CNAME to ${record.content}` : 'not in DNS'}: links reach SendGrid directly, without TLS for the branded host.` },
    );
    if (partialTarget) {
      checks.push(
        context.publicPointsToCdn === true
          ? { id: 'public-cname', ok: true, detail: `The public DNS answers ${hostname} as a CNAME to ${partialTarget}.` }
          : { id: 'public-cname', ok: false, detail: `The public DNS does not answer ${hostname} as a CNAME to ${partialTarget} yet: ${observation.zone.name} is a partial (CNAME setup) zone, so that record is published at your own DNS.` },
      );
    }
  }
  checks.push(...(context.verifierChecks ?? []));

  const warnings = [...(context.warnings ?? [])];
  // The customer's own rules that name this host are left alone, and said so: one placed after
  // sslclick's could override SSL mode Full or the cache bypass.
  for (const decision of [configuration, cache]) {
    for (const rule of decision.entrypoint?.rules ?? []) {
      if (rule.id === decision.existing?.id || typeof rule.expression !== 'string' || !rule.expression.includes(`"${hostname}"`)) continue;
      const description = typeof rule.description === 'string' && rule.description !== '' ? `"${rule.description}"` : rule.id;
      warnings.push(`The zone's own rule ${description} in ${decision.desired.phase} also applies to ${hostname}; sslclick leaves it as it is.`);
    }
  }
  if (observation.unclaimedOrders.length > 0) {
    warnings.push(
      `An order of sslclick's for ${hostname} was not noted before its run stopped, and ${observation.unclaimedOrders.length} packs for exactly ${observation.zone.name} and ${hostname} appeared since (${observation.unclaimedOrders.map((pack) => pack.id).join(', ')}): sslclick cannot tell which is its own, so it claims none and destroy deletes none. Delete the one you did not order.`,
    );
  }
  if (recordState.kind === 'foreign') {
    warnings.push(`${hostname} holds ${describeRecords(recordState.records)}, not the SendGrid branding CNAME to ${origin}; sslclick leaves it alone unless adopt: true.`);
  }

  return buildStatus({
    provider: 'cloudflare',
    hostname,
    origin,
    edge: {
      state: edgeState,
      ...(partialTarget ? { target: partialTarget } : {}),
      raw: {
        zone: { id: observation.zone.id, name: observation.zone.name, status: observation.zone.status, type: observation.zone.type },
        records: observation.records,
        configurationRule: configuration.existing ?? null,
        cacheRule: cache.existing ?? null,
      },
    },
    certificate: {
      state: certificateState,
      ...(best?.expiresOn && certificateState === 'issued' ? { notAfter: best.expiresOn } : {}),
      raw: { packs: observation.covering },
    },
    dns: partialTarget
      ? {
          managed: false,
          required: [
            {
              name: hostname,
              type: 'CNAME',
              value: partialTarget,
              purpose: `publish at the DNS that is authoritative for ${observation.zone.name} (a partial, CNAME-setup Cloudflare zone): sends the branded host through Cloudflare`,
            },
          ],
          ...(context.observedDns ? { observed: context.observedDns } : {}),
          pointsToCdn,
          // Kept by buildStatus only when the host fails the checks: the record to restore, at the
          // customer's own DNS, since the public does not see a partial zone's records.
          restore: { name: hostname, type: 'CNAME', value: origin, purpose: `at the DNS that is authoritative for ${observation.zone.name}: sends the branded host straight to SendGrid again` },
        }
      : {
          managed: true,
          required: [{ name: hostname, type: 'CNAME', value: origin, purpose: 'SendGrid link branding, proxied through Cloudflare' }],
          ...(context.observedDns ? { observed: context.observedDns } : {}),
          pointsToCdn,
          // Kept by buildStatus only when the proxied host fails the checks: the record to restore.
          restore: dnsOnlyRecord(hostname, origin),
        },
    resources,
    checks,
    nextSteps: context.nextSteps ?? [],
    warnings,
  });
}
