/**
 * What a refused edit of a service version means, read from the services themselves rather than
 * from the wording of Fastly's messages, which is not documented.
 */
import { SslClickError, type RunOptions } from '@sslclick/core';
import type { FastlyClient } from './fastly-client.js';
import { FastlyHttpError } from './fastly-errors.js';
import type { FastlyVersion } from './fastly-types.js';
import { findDomainHolder } from './service-lookup.js';

/** The Fastly answer behind an error, if it was one. */
export function fastlyAnswerOf(error: unknown): FastlyHttpError | undefined {
  const cause = SslClickError.isInstance(error) ? error.cause : error;
  return cause instanceof FastlyHttpError ? cause : undefined;
}

/**
 * Service ids (Fastly's 22 base62 characters) that a refusal happens to mention. Only a hint of
 * where to look first: nothing depends on the wording.
 */
export function mentionedServiceIds(answer: FastlyHttpError): string[] {
  return [...new Set(`${answer.title ?? ''} ${answer.detail ?? ''}`.match(/\b[A-Za-z0-9]{22}\b/g) ?? [])];
}

/**
 * Fastly refused to add the domain (400). Whoever holds it is looked up among the account's
 * services: the holder is named when it is one of them; when none is, the domain is on another
 * customer's service, as the Fastly CLI reads such a refusal (fastly/cli
 * `pkg/commands/compute/setup/domain.go`).
 */
export async function conflictFromRefusedDomain(
  client: FastlyClient,
  answer: FastlyHttpError,
  serviceId: string,
  hostname: string,
  run: RunOptions | undefined,
): Promise<SslClickError> {
  const holder = await findDomainHolder(client, hostname, serviceId, mentionedServiceIds(answer), run).catch(() => undefined);
  const said = [answer.title, answer.detail].filter(Boolean).join(': ');
  if (holder) {
    return new SslClickError({
      code: 'CONFLICT',
      provider: 'fastly',
      operation: 'domain.create',
      cause: answer,
      message: `${hostname} is already on the Fastly service "${holder.name}" (${holder.id}), which sslclick did not create; remove the domain from that service first. sslclick never edits a service it does not own.`,
    });
  }
  return new SslClickError({
    code: 'CONFLICT',
    provider: 'fastly',
    operation: 'domain.create',
    cause: answer,
    message: `Fastly refused to add ${hostname} (400${said ? `: ${said}` : ''}) and none of your services holds it, so it is most likely on a service of another Fastly customer; it must be removed there before sslclick can serve it.`,
  });
}

/**
 * Whether the version was locked or activated (by someone else) since apply read it. Fastly
 * answers such an edit 422 "Version locked" (go-fastly fixtures/tls_subscription/compute/cleanup.yaml);
 * the version itself is asked, so a 400 is understood as well.
 */
export async function lockedMeanwhile(client: FastlyClient, serviceId: string, versionNumber: number, run: RunOptions | undefined): Promise<boolean> {
  const version = await client.get<FastlyVersion>(`/service/${encodeURIComponent(serviceId)}/version/${versionNumber}`, { operation: 'version.get', run }).catch(() => undefined);
  return version !== undefined && (version.locked || version.active);
}

/** The error for an edit refused because the version was locked under apply. */
export function lockedVersionConflict(cause: unknown, status: number, serviceId: string, versionNumber: number, operation: string): SslClickError {
  return new SslClickError({
    code: 'CONFLICT',
    provider: 'fastly',
    operation,
    cause,
    message: `Version ${versionNumber} of the Fastly service ${serviceId} was locked or activated by someone else while apply was changing it (Fastly answered ${status}); sslclick never edits a locked version, so it stopped there. Run apply again: it clones the newest version and finishes.`,
  });
}
