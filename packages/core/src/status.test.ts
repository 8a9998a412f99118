import { describe, expect, it } from 'vitest';
import { buildStatus, type StatusParts } from './status.js';

const inPlace: StatusParts = {
  provider: 'example-cdn',
  hostname: 'url1234.example.com',
  origin: 'sendgrid.net',
  edge: { state: 'deployed', target: 'edge.example.net' },
  certificate: { state: 'issued' },
  dns: { managed: true, required: [], pointsToCdn: true },
  resources: [{ kind: 'distribution', id: 'd1', owned: true }],
};

describe('buildStatus next steps', () => {
  it('a degraded status whose adapter named no step gets one per failed check', () => {
    const status = buildStatus({ ...inPlace, checks: [{ id: 'tls-valid', ok: false, detail: 'The certificate has expired.' }] });
    expect(status.state).toBe('degraded');
    expect(status.nextSteps[0]).toBe('Fix tls-valid: The certificate has expired.');
    expect(status.nextSteps.at(-1)).toMatch(/run setup for url1234\.example\.com again/);
  });

  it('a failed status names the part that failed', () => {
    const status = buildStatus({ ...inPlace, certificate: { state: 'failed' } });
    expect(status.state).toBe('failed');
    expect(status.nextSteps.join('\n')).toMatch(/The certificate for url1234\.example\.com failed at example-cdn/);
  });

  it('the adapter’s own steps are kept, and nothing is added to them', () => {
    const status = buildStatus({ ...inPlace, checks: [{ id: 'tls-valid', ok: false, detail: 'Expired.' }], nextSteps: ['Renew the certificate.'] });
    expect(status.nextSteps).toEqual(['Renew the certificate.']);
  });

  it('rebuilt as ready, a status drops the repair steps of its degraded past', () => {
    const degraded = buildStatus({ ...inPlace, checks: [{ id: 'tls-valid', ok: false, detail: 'Expired.' }] });
    const ready = buildStatus({ ...inPlace, checks: [{ id: 'tls-valid', ok: true, detail: 'Valid.' }], nextSteps: degraded.nextSteps });
    expect(ready.state).toBe('ready');
    expect(ready.nextSteps.some((step) => step.startsWith('Fix '))).toBe(false);
    expect(ready.nextSteps.join('\n')).toMatch(/Ask SendGrid support/);
  });
});
