import type { Plan, PlannedChange, ProxyRequest, RunOptions } from '@sslclick/core';
import { normalizeRequest, provider, type PerHostContext } from './per-host-context.js';
import { diffVersion, plannedVersionChange, serviceName } from './service-configuration.js';
import { assertUsable, findService, readVersionContents } from './service-lookup.js';
import { configurationCnameTarget, findSubscription } from './tls-subscription.js';

/** Builds the per-host mode's `plan`: the changes `apply` would make, read and never written. */
export function createPerHostPlan(context: PerHostContext): (request: ProxyRequest, run?: RunOptions) => Promise<Plan> {
  const { client, mode, certificateAuthority, dns, loadPackage, currentCname } = context;

  async function plan(request: ProxyRequest, run?: RunOptions): Promise<Plan> {
    const target = normalizeRequest(request);
    const changes: PlannedChange[] = [];
    const warnings: string[] = [];
    const found = await findService(client, target.hostname, run);
    const packageHash = mode === 'compute' ? (await loadPackage()).filesHash : undefined;
    const desired = { hostname: target.hostname, origin: target.origin, mode, ...(packageHash ? { packageHash } : {}) };
    if (!found) {
      changes.push({ resource: { kind: 'fastly-service', name: serviceName(target.hostname) }, action: 'create', description: `Create the Fastly ${mode === 'compute' ? 'Compute (wasm)' : 'VCL'} service "${serviceName(target.hostname)}".` });
      changes.push(...diffVersion({ domains: [], backends: [], snippets: [] }, desired).map((change) => plannedVersionChange(change, undefined)));
      changes.push({ resource: { kind: 'fastly-version', name: '1' }, action: 'update', description: 'Activate version 1.' });
    } else {
      try {
        assertUsable(found, mode, target.adopt);
      } catch (error) {
        warnings.push(error instanceof Error ? error.message : String(error));
      }
      const base = found.active ?? found.latest;
      const versionChanges = base ? diffVersion(await readVersionContents(client, found.service, base.number, run), desired) : [];
      if (versionChanges.length > 0 || !found.active) {
        const editable = found.latest && !found.latest.active && !found.latest.locked;
        if (!editable && base) {
          changes.push({ resource: { kind: 'fastly-version', name: String(base.number), id: found.service.id }, action: 'create', description: `Clone version ${base.number} (active and locked versions are never edited).` });
        }
        changes.push(...versionChanges.map((change) => plannedVersionChange(change, found.service.id)));
        changes.push({ resource: { kind: 'fastly-version', name: 'new', id: found.service.id }, action: 'update', description: 'Activate the new version.' });
      }
    }
    const subscription = await findSubscription(client, target.hostname, run);
    if (!subscription) {
      changes.push({ resource: { kind: 'fastly-tls-subscription', name: target.hostname }, action: 'create', description: `Request a ${certificateAuthority} certificate (managed-dns challenge).` });
    } else {
      const cnameTarget = await configurationCnameTarget(client, subscription.configurationId, run);
      if (subscription.challenge && (await currentCname(subscription.challenge.name, run)) !== subscription.challenge.value) {
        changes.push({
          resource: { kind: 'dns-record', name: subscription.challenge.name },
          action: 'create',
          description: `${dns ? `Write through ${dns.name}` : 'You publish'}: ${subscription.challenge.name} CNAME ${subscription.challenge.value}.`,
        });
      }
      if ((await currentCname(target.hostname, run)) !== cnameTarget) {
        changes.push({ resource: { kind: 'dns-record', name: target.hostname }, action: 'update', description: `${dns ? `Write through ${dns.name}` : 'You publish'}, after the pre-cutover check: ${target.hostname} CNAME ${cnameTarget}.` });
      }
    }
    return { provider, hostname: target.hostname, changes, warnings };
  }

  return plan;
}
