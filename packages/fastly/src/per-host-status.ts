import { createLookupCache, type CheckResult, type DnsRecord, type LookupCache, type ProxyStatus, type ResourceReference, type RunOptions } from '@sslclick/core';
import { buildStatus } from '@sslclick/core/adapter';
import { checkHostAtEdge } from './edge-checks.js';
import { provider, type PerHostContext, type Target } from './per-host-context.js';
import { diffVersion, type VersionChange } from './service-configuration.js';
import { certificateStateOf, edgeStateOf } from './status-mapping.js';
import type { Subscription } from './tls-subscription.js';

/** How a status read sees the host's DNS. */
export interface StatusReadOptions {
  /**
   * Read the host's CNAME (and the validation record) from public DNS, as a click and SendGrid
   * see it, instead of through the DNS provider: `status` does, so it makes no DNS provider call
   * (one lookup plus one read per Fastly resource). `apply` and `destroy` end with what they read
   * or wrote through the provider.
   * @default false
   */
  publicDns?: boolean;
}

/** Reads a host's status: `extraWarnings` are added; `reads` holds what the calling step already read. */
export type StatusReader = (target: Target, run: RunOptions | undefined, extraWarnings?: string[], reads?: LookupCache, options?: StatusReadOptions) => Promise<ProxyStatus>;

/** Builds the per-host mode's status read, which `status` is and `apply` and `destroy` end with. */
export function createStatusReader(context: PerHostContext): StatusReader {
  const { mode, dns, verification, loadPackage, lookService, lookCnameTarget, lookContents, currentCname, publicLookup, findHostSubscription } = context;

  function requiredRecords(target: Target, subscription: Subscription | undefined, cnameTarget: string | undefined): DnsRecord[] {
    const records: DnsRecord[] = [];
    if (subscription?.challenge) records.push(subscription.challenge);
    if (cnameTarget) {
      records.push({
        name: target.hostname,
        type: 'CNAME',
        value: cnameTarget,
        purpose: 'cutover: replaces the CNAME to sendgrid.net; publish it once the certificate is issued and the edge check passed',
      });
    }
    return records;
  }

  async function readStatus(target: Target, run: RunOptions | undefined, extraWarnings: string[] = [], reads: LookupCache = createLookupCache(), options: StatusReadOptions = {}): Promise<ProxyStatus> {
    const cnameOf = async (name: string): Promise<string | undefined> => (options.publicDns ? (await publicLookup(name)).cnameChain[0] : currentCname(name, run, reads));
    const found = await lookService(target, run, reads);
    const resources: ResourceReference[] = [];
    const warnings = [...extraWarnings];
    const nextSteps: string[] = [];
    let edgeRaw: Record<string, unknown> | undefined;
    let activeComplete = false;
    if (found) {
      resources.push({ kind: 'fastly-service', id: found.service.id, owned: found.owned });
      let drift: VersionChange[] = [];
      let packageHash: string | undefined;
      if (found.active) {
        const contents = await lookContents(found.service, found.active, run, reads);
        packageHash = contents.packageHash;
        const expectedHash = mode === 'compute' && found.service.type === 'wasm' ? await loadPackage().then((built) => built.filesHash, () => undefined) : undefined;
        drift = diffVersion(contents, { hostname: target.hostname, origin: target.origin, mode: found.service.type === 'wasm' ? 'compute' : 'vcl', ...(expectedHash ? { packageHash: expectedHash } : {}) });
        activeComplete = !drift.some((change) => change.action === 'create' && change.kind !== 'snippet');
        for (const change of drift) warnings.push(`The active version ${found.active.number} differs from what sslclick set: ${change.description} Run apply to repair it.`);
      }
      if (!found.owned) warnings.push(`The service "${found.service.name}" (${found.service.id}) was not created by sslclick; it is left alone unless adopt: true.`);
      edgeRaw = {
        serviceId: found.service.id,
        serviceType: found.service.type,
        activeVersion: found.active?.number ?? null,
        latestVersion: found.latest?.number ?? null,
        package: found.service.type === 'wasm' ? (packageHash ? { files_hash: packageHash } : null) : undefined,
        drift: drift.map((change) => change.description),
      };
    }
    const subscription = await findHostSubscription(target, found, run, reads);
    if (subscription) resources.push({ kind: 'fastly-tls-subscription', id: subscription.id, owned: subscription.owned });
    const cnameTarget = subscription ? await lookCnameTarget(subscription, run) : undefined;
    const edgeState = edgeStateOf({ serviceExists: found !== undefined, activeVersion: found?.active?.number, activeComplete });
    const certificateState = subscription ? certificateStateOf[subscription.state] : 'absent';

    const checks: CheckResult[] = [];
    let observed: string[] | undefined;
    let pointsToCdn: boolean | undefined;
    if (cnameTarget) {
      const pointing = (await cnameOf(target.hostname)) === cnameTarget;
      const found = await checkHostAtEdge({ hostname: target.hostname, cnameTarget, pointing, apiSaysServing: certificateState === 'issued' && edgeState === 'deployed', verification }, run);
      checks.push(...found.checks);
      warnings.push(...found.warnings);
      ({ observed, pointsToCdn } = found);
    }

    // What to do next, in order.
    if (!found) nextSteps.push(`Run apply to create the Fastly service for ${target.hostname}.`);
    else if (edgeState !== 'deployed') nextSteps.push('Run apply to finish and activate the Fastly service version.');
    if (subscription?.challenge && (certificateState === 'pending' || certificateState === 'failed')) {
      const seen = (await cnameOf(subscription.challenge.name)) === subscription.challenge.value;
      if (!seen) {
        nextSteps.push(
          dns
            ? `Run apply to write the certificate validation record ${subscription.challenge.name} CNAME ${subscription.challenge.value} through ${dns.name}.`
            : `Publish the certificate validation record: ${subscription.challenge.name} CNAME ${subscription.challenge.value}, then run apply again.`,
        );
      } else if (certificateState === 'pending') {
        nextSteps.push('Wait for Fastly to issue the certificate (the validation record is in place), then run apply again.');
      }
    }
    if (certificateState === 'failed') nextSteps.push(`Fastly gave up issuing the certificate (state "failed"): check ${subscription?.challenge?.name ?? 'the validation record'} and retry the subscription in the Fastly console.`);
    if (cnameTarget && pointsToCdn !== true) {
      nextSteps.push(
        certificateState === 'issued'
          ? dns
            ? `Run apply to run the pre-cutover check and point ${target.hostname} at ${cnameTarget} through ${dns.name}.`
            : `Point ${target.hostname} at Fastly: CNAME ${cnameTarget} (replacing the CNAME to ${target.origin}) once apply has verified the edge.`
          : `After the certificate is issued and the edge verified, point ${target.hostname} at Fastly: CNAME ${cnameTarget}.`,
      );
    }
    return buildStatus({
      provider,
      hostname: target.hostname,
      origin: target.origin,
      edge: { state: edgeState, ...(cnameTarget ? { target: cnameTarget } : {}), ...(edgeRaw ? { raw: edgeRaw } : {}) },
      certificate: {
        state: certificateState,
        ...(subscription ? { raw: { id: subscription.id, state: subscription.state, certificate_authority: subscription.certificateAuthority, domains: subscription.domains } } : {}),
      },
      dns: { managed: dns !== undefined, required: requiredRecords(target, subscription, cnameTarget), ...(observed ? { observed } : {}), ...(pointsToCdn === undefined ? {} : { pointsToCdn }) },
      resources,
      checks,
      nextSteps,
      warnings,
    });
  }

  return readStatus;
}
