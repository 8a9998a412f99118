import { SslClickError, createLookupCache, type DnsProvider, type LookupCache, type ProxyRequest, type ProxyStatus, type RunOptions } from '@sslclick/core';
import { restoreFailingCutover, throwIfAborted, waitUntil } from '@sslclick/core/adapter';
import { cutOverToEdge } from './edge-cutover.js';
import { normalizeRequest, provider, type PerHostContext, type Target } from './per-host-context.js';
import { createServiceEnsurer } from './per-host-service.js';
import { createStatusReader } from './per-host-status.js';
import { createSubscription, findSubscription } from './tls-subscription.js';

/**
 * Builds the per-host mode's `apply`: the service, the TLS subscription and its validation
 * record, the wait for the certificate, the pre-cutover check through the edge, then the cutover
 * CNAME (through `dns`, or left in `status.dns.required`).
 */
export function createPerHostApply(context: PerHostContext): (request: ProxyRequest, run?: RunOptions) => Promise<ProxyStatus> {
  const { client, settings, mode, certificateAuthority, dns, verification, cutoverCheckTimeoutMs, loadPackage, emit, lookService, lookSubscription, lookCnameTarget, currentCname, publicLookup } = context;
  const ensureService = createServiceEnsurer(context);
  const readStatus = createStatusReader(context);


  /**
   * Before anything else: a hostname that points at our Fastly edge while the edge fails the
   * checks (a run that died before putting DNS back) goes back to SendGrid first.
   */
  async function restoreIfFailing(target: Target, dnsProvider: DnsProvider, run: RunOptions | undefined, reads: LookupCache): Promise<void> {
    // Fastly's CNAME target is shared by every customer: only a host on sslclick's own service
    // (or one being adopted) is sslclick's to move back.
    const found = await lookService(target, run, reads);
    if (!found || (!found.owned && !target.adopt)) return;
    const subscription = await lookSubscription(target, run, reads);
    if (!subscription) return;
    const cnameTarget = await lookCnameTarget(subscription, run);
    if (!cnameTarget || (await currentCname(target.hostname, run, reads)) !== cnameTarget) return;
    await restoreFailingCutover({
      hostname: target.hostname,
      provider,
      edgeTarget: cnameTarget,
      restoreRecord: { name: target.hostname, type: 'CNAME', value: target.origin },
      restore: () => {
        reads.invalidate(`cname:${target.hostname}`);
        return dnsProvider.upsertCname(target.hostname, target.origin, { ...run, replaceable: [cnameTarget] });
      },
      dnsName: dnsProvider.name,
      ...(verification ? { verification } : {}),
      ...(run?.signal ? { signal: run.signal } : {}),
      ...(run?.onProgress ? { onProgress: run.onProgress } : {}),
    });
  }

  async function apply(request: ProxyRequest, run?: RunOptions): Promise<ProxyStatus> {
    const target = normalizeRequest(request);
    // Each thing is read once in this call; a write forgets what it changed (see lookService).
    const reads = createLookupCache();
    if (dns) await restoreIfFailing(target, dns, run, reads);
    if (mode === 'compute') await loadPackage();
    // An unknown zone or a DNS token that cannot read it fails here, before any Fastly write.
    if (dns) await currentCname(target.hostname, run, reads);
    throwIfAborted(run?.signal, 'apply');
    await ensureService(target, run, reads);

    let subscription = await lookSubscription(target, run, reads);
    const warnings: string[] = [];
    if (!subscription) {
      throwIfAborted(run?.signal, 'apply');
      reads.invalidate('subscription');
      subscription = await createSubscription(client, target.hostname, certificateAuthority, run);
      emit(run, { type: 'certificate-requested', hostname: target.hostname, message: `Requested a ${certificateAuthority} certificate for ${target.hostname} (TLS subscription ${subscription.id}, managed-dns challenge).` });
    } else if (subscription.certificateAuthority !== certificateAuthority) {
      warnings.push(`The TLS subscription ${subscription.id} uses ${subscription.certificateAuthority}, not ${certificateAuthority}; it is kept as it is.`);
    }
    const cnameTarget = await lookCnameTarget(subscription, run);
    const challenge = subscription.challenge;

    if (challenge && dns) {
      // Kept after issuance too: Fastly renews through the same record.
      reads.invalidate(`cname:${challenge.name}`);
      const written = await dns.upsertCname(challenge.name, challenge.value, { ...run, adopt: target.adopt, comment: 'sslclick: Fastly certificate validation' });
      if (written.changed) emit(run, { type: 'dns-record-written', hostname: target.hostname, message: `Wrote ${challenge.name} CNAME ${challenge.value} through ${dns.name}.` });
    }
    if (subscription.state !== 'issued' && subscription.state !== 'renewing') {
      if (!challenge) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'apply', message: `The TLS subscription ${subscription.id} offers no managed-dns challenge for ${target.hostname}.` });
      if (!dns && (await publicLookup(challenge.name)).cnameChain[0] !== challenge.value) {
        emit(run, { type: 'records-required', hostname: target.hostname, message: `Publish ${challenge.name} CNAME ${challenge.value} so Fastly can issue the certificate, then run apply again.` });
        return readStatus(target, run, warnings, reads);
      }
      // The subscription's state changes while waiting: the final status reads it again.
      reads.invalidate('subscription');
      await waitUntil(
        async ({ signal }) => {
          const current = await findSubscription(client, target.hostname, { ...run, ...(signal ? { signal } : {}) });
          const state = current?.state ?? 'missing';
          return { done: state === 'issued' || state === 'renewing', failed: state === 'failed' || state === 'missing', state };
        },
        {
          description: `Fastly to issue the certificate for ${target.hostname}`,
          subject: 'certificate',
          provider,
          hostname: target.hostname,
          minDelay: settings.wait?.minDelay ?? 5_000,
          maxDelay: settings.wait?.maxDelay ?? 60_000,
          maxWaitTime: settings.wait?.maxWaitTime ?? 3_600_000,
          ...(run?.signal ? { signal: run.signal } : {}),
          ...(run?.onProgress ? { onProgress: run.onProgress } : {}),
        },
      );
    }

    if ((await currentCname(target.hostname, run, reads)) !== cnameTarget) {
      // DNS is written (and maybe put back) from here: the final status reads it again.
      reads.invalidate(`cname:${target.hostname}`);
      await cutOverToEdge({ hostname: target.hostname, origin: target.origin, adopt: target.adopt, cnameTarget, dns, verification, cutoverCheckTimeoutMs, maxWaitTime: settings.wait?.maxWaitTime, emit }, run);
    }
    return readStatus(target, run, warnings, reads);
  }

  return apply;
}
