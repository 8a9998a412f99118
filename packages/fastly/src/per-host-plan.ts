import type { Plan, PlannedChange, ProxyRequest, RunOptions } from '@sslclick/core';
import { normalizeRequest, provider, type PerHostContext } from './per-host-context.js';
import { deployedPackageOf, diffVersion, plannedVersionChange, serviceName } from './service-configuration.js';
import { assertUsable, findService, readVersionContents } from './service-lookup.js';
import { findSubscription } from './tls-subscription.js';

/**
 * Builds the per-host mode's `plan`: the changes `apply` would make, read and never written. Each
 * change says the Fastly writes it costs (`writes`), as `apply` makes them: one request per
 * service, clone, version item, package upload, activation and subscription; one more with an
 * activation when sslclick's service comment must name the new version's package (a clone, never
 * a new service's version 1); none for a DNS record, written through another vendor's DNS
 * provider or by the user. `setupAccount` reserves their sum from the Fastly write budget, and a
 * retried write takes one more as it is sent.
 */
export function createPerHostPlan(context: PerHostContext): (request: ProxyRequest, run?: RunOptions) => Promise<Plan> {
  const { client, mode, certificateAuthority, dns, loadPackage, currentCname, lookCnameTarget } = context;

  async function plan(request: ProxyRequest, run?: RunOptions): Promise<Plan> {
    const target = normalizeRequest(request);
    const changes: PlannedChange[] = [];
    const warnings: string[] = [];
    const found = await findService(client, target.hostname, run);
    const packageHash = mode === 'compute' ? (await loadPackage()).filesHash : undefined;
    const desired = { hostname: target.hostname, origin: target.origin, mode, ...(packageHash ? { packageHash } : {}) };
    if (!found) {
      changes.push({ resource: { kind: 'fastly-service', name: serviceName(target.hostname) }, action: 'create', description: `Create the Fastly ${mode === 'compute' ? 'Compute (wasm)' : 'VCL'} service "${serviceName(target.hostname)}".`, writes: 1 });
      changes.push(...diffVersion({ domains: [], backends: [], snippets: [] }, desired).map((change) => ({ ...plannedVersionChange(change, undefined), writes: 1 })));
      // The new service's comment names version 1's package from the start: no write for it.
      changes.push({ resource: { kind: 'fastly-version', name: '1' }, action: 'update', description: 'Activate version 1.', writes: 1 });
    } else {
      try {
        assertUsable(found, mode, target.adopt);
      } catch (error) {
        warnings.push(error instanceof Error ? error.message : String(error));
      }
      const base = found.active ?? found.latest;
      let versionChanges = base ? diffVersion(await readVersionContents(client, found.service, base.number, run), desired) : [];
      if (versionChanges.length > 0 || !found.active) {
        const editable = found.latest && !found.latest.active && !found.latest.locked;
        // As apply does: a draft left by an interrupted run is finished, so what it lacks is what is written.
        if (editable && found.latest && found.latest.number !== base?.number) versionChanges = diffVersion(await readVersionContents(client, found.service, found.latest.number, run), desired);
        if (!editable && base) {
          changes.push({ resource: { kind: 'fastly-version', name: String(base.number), id: found.service.id }, action: 'create', description: `Clone version ${base.number} (active and locked versions are never edited).`, writes: 1 });
        }
        changes.push(...versionChanges.map((change) => ({ ...plannedVersionChange(change, found.service.id), writes: 1 })));
        // A clone is numbered after the newest version; a draft keeps its number.
        const activated = editable && found.latest ? found.latest.number : Math.max(0, ...found.service.versions.map((version) => version.number)) + 1;
        const marked = deployedPackageOf(found.service.comment);
        const marks = packageHash !== undefined && found.owned && (marked?.filesHash !== packageHash || marked.version !== activated);
        changes.push({
          resource: { kind: 'fastly-version', name: 'new', id: found.service.id },
          action: 'update',
          description: marks ? `Activate the new version, and name its package in the service's comment.` : 'Activate the new version.',
          writes: marks ? 2 : 1,
        });
      }
    }
    const subscription = await findSubscription(client, target.hostname, run);
    if (!subscription) {
      changes.push({ resource: { kind: 'fastly-tls-subscription', name: target.hostname }, action: 'create', description: `Request a ${certificateAuthority} certificate (managed-dns challenge).`, writes: 1 });
    } else {
      const cnameTarget = await lookCnameTarget(subscription, run);
      if (subscription.challenge && (await currentCname(subscription.challenge.name, run)) !== subscription.challenge.value) {
        changes.push({
          resource: { kind: 'dns-record', name: subscription.challenge.name },
          action: 'create',
          description: `${dns ? `Write through ${dns.name}` : 'You publish'}: ${subscription.challenge.name} CNAME ${subscription.challenge.value}.`,
          writes: 0,
        });
      }
      if ((await currentCname(target.hostname, run)) !== cnameTarget) {
        changes.push({ resource: { kind: 'dns-record', name: target.hostname }, action: 'update', description: `${dns ? `Write through ${dns.name}` : 'You publish'}, after the pre-cutover check: ${target.hostname} CNAME ${cnameTarget}.`, writes: 0 });
      }
    }
    return { provider, hostname: target.hostname, changes, warnings };
  }

  return plan;
}
