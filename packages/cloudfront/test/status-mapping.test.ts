import { describe, expect, it } from 'vitest';
import { certificateState, distributionState } from '../src/status-mapping.js';

describe('status mapping', () => {
  it('maps ACM statuses', () => {
    expect(certificateState(undefined)).toBe('absent');
    expect(certificateState('PENDING_VALIDATION')).toBe('pending');
    expect(certificateState('ISSUED')).toBe('issued');
    for (const status of ['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED', 'INACTIVE']) expect(certificateState(status)).toBe('failed');
  });
  it('maps CloudFront statuses', () => {
    expect(distributionState(undefined, undefined)).toBe('absent');
    expect(distributionState('InProgress', true)).toBe('pending');
    expect(distributionState('Deployed', true)).toBe('deployed');
    expect(distributionState('Deployed', false)).toBe('pending');
  });
});
