import type { ProxyStatus } from '@sslclick/core';
import type { FastlySubscriptionState } from './fastly-types.js';

/** Fastly's subscription states onto the uniform certificate states. */
export const certificateStateOf: Readonly<Record<FastlySubscriptionState, ProxyStatus['certificate']['state']>> = {
  pending: 'pending',
  processing: 'pending',
  issued: 'issued',
  // A renewing subscription still serves its issued certificate.
  renewing: 'issued',
  failed: 'failed',
};

/**
 * The edge state from the service: no service → absent; an active version that holds the
 * hostname, the backend and (Compute) a package → deployed; anything short of that → pending.
 */
export function edgeStateOf(input: { serviceExists: boolean; activeVersion: number | undefined; activeComplete: boolean }): ProxyStatus['edge']['state'] {
  if (!input.serviceExists) return 'absent';
  if (input.activeVersion === undefined || !input.activeComplete) return 'pending';
  return 'deployed';
}
