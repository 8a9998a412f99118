import type { ProxyStatus } from '@sslclick/core';

/** ACM certificate status → the uniform certificate state. */
export function certificateState(acmStatus: string | undefined): ProxyStatus['certificate']['state'] {
  if (acmStatus === undefined) return 'absent';
  if (acmStatus === 'PENDING_VALIDATION') return 'pending';
  if (acmStatus === 'ISSUED') return 'issued';
  // INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED: none becomes issued by itself.
  return 'failed';
}

/** CloudFront distribution status → the uniform edge state. */
export function distributionState(status: string | undefined, enabled: boolean | undefined): ProxyStatus['edge']['state'] {
  if (status === undefined) return 'absent';
  if (status === 'Deployed') return enabled === false ? 'pending' : 'deployed';
  if (status === 'InProgress') return 'pending';
  return 'failed';
}
