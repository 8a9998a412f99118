import { SslClickError, createLookupCache, type ProxyRequest, type ProxyStatus, type RunOptions } from '@sslclick/core';
import { throwIfAborted } from '@sslclick/core/adapter';
import type { FastlyVersion } from './fastly-types.js';
import { normalizeRequest, provider, type PerHostContext, type Target } from './per-host-context.js';
import { createStatusReader } from './per-host-status.js';

/**
 * Builds the per-host mode's `destroy`: DNS back to SendGrid first (or a refusal while links
 * still reach Fastly), then the TLS subscription and the service, only where they are sslclick's.
 */
export function createPerHostDestroy(context: PerHostContext): (request: ProxyRequest, run?: RunOptions) => Promise<ProxyStatus> {
  const { client, dns, emit, servicePath, lookService, lookCnameTarget, forgetService, currentCname, publicLookup, findHostSubscription } = context;
  const readStatus = createStatusReader(context);

  async function destroy(request: ProxyRequest, run?: RunOptions): Promise<ProxyStatus> {
    const target = normalizeRequest(request);
    const warnings: string[] = [];
    const reads = createLookupCache();
    const found = await lookService(target, run, reads);
    const subscription = await findHostSubscription(target, found, run, reads);
    const cnameTarget = await lookCnameTarget(subscription, run);
    const removesSomething = found?.owned === true || subscription?.owned === true;
    if (dns) {
      if ((await currentCname(target.hostname, run, reads)) === cnameTarget) {
        reads.invalidate(`cname:${target.hostname}`);
        // Links must keep working: DNS goes back to SendGrid before Fastly stops serving.
        await dns.upsertCname(target.hostname, target.origin, { ...run, replaceable: [cnameTarget], comment: 'sslclick: restored to SendGrid' });
        emit(run, { type: 'dns-restored', hostname: target.hostname, message: `Pointed ${target.hostname} back at ${target.origin} through ${dns.name}.` });
      }
    } else if (removesSomething) {
      await assertNoLongerOnFastly(target, cnameTarget);
    }
    throwIfAborted(run?.signal, 'destroy');
    if (subscription?.owned) {
      reads.invalidate('subscription');
      if (dns && subscription.challenge) {
        reads.invalidate(`cname:${subscription.challenge.name}`);
        await dns.deleteCname(subscription.challenge.name, subscription.challenge.value, run);
      }
      await client.write('DELETE', `/tls/subscriptions/${encodeURIComponent(subscription.id)}`, { operation: 'tls.subscriptions.delete', query: { force: 'true' }, allowNotFound: true, run });
      emit(run, { type: 'certificate-deleted', hostname: target.hostname, message: `Deleted the TLS subscription ${subscription.id}.` });
    } else if (subscription) {
      const others = subscription.domains.filter((domain) => domain !== target.hostname);
      warnings.push(
        others.length > 0
          ? `The TLS subscription ${subscription.id} also covers ${others.join(', ')}; sslclick left it alone.`
          : `The TLS subscription ${subscription.id} for ${target.hostname} was made before sslclick's service, so it is not sslclick's; it was left alone.`,
      );
    }
    if (found?.owned) {
      forgetService(reads);
      if (found.active) {
        const serviceId = found.service.id;
        const activeNumber = found.active.number;
        await client.write<FastlyVersion>('PUT', `${servicePath(serviceId)}/version/${activeNumber}/deactivate`, {
          operation: 'version.deactivate',
          // A deactivation whose answer was lost is refused when sent again ("not active").
          recover: async () => {
            const version = await client.get<FastlyVersion>(`${servicePath(serviceId)}/version/${activeNumber}`, { operation: 'version.get', run });
            return version && !version.active ? version : undefined;
          },
          run,
        });
      }
      await client.write('DELETE', servicePath(found.service.id), { operation: 'service.delete', allowNotFound: true, run });
      emit(run, { type: 'service-deleted', hostname: target.hostname, message: `Deactivated and deleted the Fastly service ${found.service.id}.` });
    } else if (found) {
      warnings.push(`The service "${found.service.name}" (${found.service.id}) was not created by sslclick; it was left alone.`);
    }
    return readStatus(target, run, warnings, reads);
  }

  /**
   * Without a DNS provider, destroy cannot move the hostname back itself; removing the service
   * while public DNS still sends clicks to Fastly would break every link already sent. So it
   * refuses (`UNSAFE`, before any write) until DNS shows the hostname off Fastly, and also when
   * DNS cannot be read at all, since then nobody can tell.
   */
  async function assertNoLongerOnFastly(target: Target, cnameTarget: string): Promise<void> {
    const seen = await publicLookup(target.hostname);
    const onFastly = seen.cnameChain.some((name) => name === cnameTarget || /(?:^|\.)(?:fastly\.net|fastlylb\.net)$/.test(name));
    const restore = `${target.hostname} CNAME ${target.origin}`;
    if (onFastly) {
      throw new SslClickError({
        code: 'UNSAFE',
        provider,
        operation: 'destroy',
        message: `${target.hostname} still points at Fastly (${seen.cnameChain.join(' → ')}), so deleting the service now would break every link already sent. Restore the record ${restore} (replacing the CNAME to ${cnameTarget}), wait until DNS shows it, then run destroy again; or give the adapter a dns provider so destroy restores it first.`,
      });
    }
    const readable = seen.errorCode === undefined || seen.cnameChain.length > 0 || seen.errorCode === 'NXDOMAIN' || seen.errorCode === 'ENODATA' || seen.errorCode === 'NOADDRESS';
    if (!readable) {
      throw new SslClickError({
        code: 'UNSAFE',
        provider,
        operation: 'destroy',
        message: `Could not read the DNS of ${target.hostname} (${seen.error ?? seen.errorCode}), so destroy cannot tell whether its links still go through Fastly; nothing was deleted. Make sure ${restore} is published, then run destroy again when DNS answers.`,
      });
    }
  }

  return destroy;
}
