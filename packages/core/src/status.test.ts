import { describe, expect, it } from 'vitest';
import { buildStatus, deriveState, type StatusParts } from './status.js';

/** A host whose edge, certificate and DNS are all in place; the checks decide. */
function cutOver(checks: StatusParts['checks'], dns: Partial<StatusParts['dns']> = {}): StatusParts {
  return {
    provider: 'fastly',
    hostname: 'url1234.example.com',
    origin: 'sendgrid.net',
    edge: { state: 'deployed', target: 't.sni.global.fastly.net' },
    certificate: { state: 'issued' },
    dns: { managed: true, required: [], pointsToCdn: true, ...dns },
    resources: [{ kind: 'fastly-service', id: 'abc', owned: true }],
    checks,
  };
}

describe('a host whose DNS points at a CDN that fails the checks', () => {
  it('is failed, not degraded, when TLS or the request to SendGrid fails', () => {
    for (const id of ['tls-valid', 'reaches-sendgrid']) {
      expect(deriveState({ ...cutOver([]), checks: [{ id, ok: false, detail: 'no answer' }] })).toBe('failed');
    }
    // Another failing check with the CDN serving is still degraded; not pointing yet is provisioning.
    expect(deriveState({ ...cutOver([]), checks: [{ id: 'http-still-served', ok: false, detail: '301' }] })).toBe('degraded');
    expect(deriveState({ ...cutOver([], { pointsToCdn: false }), checks: [{ id: 'tls-valid', ok: false, detail: 'no answer' }] })).toBe('provisioning');
  });

  it('names the record to restore, first in nextSteps and in dns.restore, once even when rebuilt', () => {
    const status = buildStatus({ ...cutOver([{ id: 'reaches-sendgrid', ok: false, detail: 'The edge answered 503.' }]), nextSteps: ['Run apply to repair it.'] });
    expect(status.state).toBe('failed');
    expect(status.dns.restore).toEqual({ name: 'url1234.example.com', type: 'CNAME', value: 'sendgrid.net', purpose: 'the SendGrid link branding CNAME, as before the cutover' });
    expect(status.nextSteps[0]).toMatch(/^DNS points at a CDN that fails the checks: url1234\.example\.com resolves to fastly, which does not serve it \(The edge answered 503\.\)/);
    expect(status.nextSteps[0]).toContain('Restore the record url1234.example.com CNAME sendgrid.net');
    expect(status.nextSteps[0]).toContain('or run apply, which puts it back before anything else');
    expect(status.nextSteps[1]).toBe('Run apply to repair it.');
    const rebuilt = buildStatus({ ...status, provider: status.provider });
    expect(rebuilt.nextSteps).toEqual(status.nextSteps);
  });

  it('takes the adapter’s own restore record, and drops it once the checks pass', () => {
    const restore = { name: 'url1234.example.com', type: 'CNAME' as const, value: 'sendgrid.net', purpose: 'DNS only: proxy status off' };
    const failing = buildStatus(cutOver([{ id: 'tls-valid', ok: false, detail: 'expired' }], { restore, managed: false }));
    expect(failing.dns.restore).toEqual(restore);
    expect(failing.nextSteps[0]).toContain('(DNS only: proxy status off) by hand at once; then');
    const passing = buildStatus(cutOver([{ id: 'tls-valid', ok: true, detail: 'valid' }], { restore }));
    expect(passing.state).toBe('ready');
    expect(passing.dns.restore).toBeUndefined();
    expect(passing.nextSteps.join(' ')).not.toMatch(/fails the checks/);
  });
});

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
    // A check other than TLS or the request to SendGrid: those two make a cut-over host 'failed'.
    const status = buildStatus({ ...inPlace, checks: [{ id: 'http-still-served', ok: false, detail: 'Plain HTTP answers 403.' }] });
    expect(status.state).toBe('degraded');
    expect(status.nextSteps[0]).toBe('Fix http-still-served: Plain HTTP answers 403.');
    expect(status.nextSteps.at(-1)).toMatch(/run setup for url1234\.example\.com again/);
  });

  it('a failed status names the part that failed', () => {
    const status = buildStatus({ ...inPlace, certificate: { state: 'failed' } });
    expect(status.state).toBe('failed');
    expect(status.nextSteps.join('\n')).toMatch(/The certificate for url1234\.example\.com failed at example-cdn/);
  });

  it('the adapter’s own steps are kept, and nothing is added to them', () => {
    const status = buildStatus({ ...inPlace, checks: [{ id: 'http-still-served', ok: false, detail: 'Answers 403.' }], nextSteps: ['Allow plain HTTP.'] });
    expect(status.nextSteps).toEqual(['Allow plain HTTP.']);
  });

  it('rebuilt as ready, a status drops the repair steps of its degraded past', () => {
    const degraded = buildStatus({ ...inPlace, checks: [{ id: 'tls-valid', ok: false, detail: 'Expired.' }] });
    const ready = buildStatus({ ...inPlace, checks: [{ id: 'tls-valid', ok: true, detail: 'Valid.' }], nextSteps: degraded.nextSteps });
    expect(ready.state).toBe('ready');
    expect(ready.nextSteps.some((step) => step.startsWith('Fix ') || step.startsWith('DNS points at a CDN that fails'))).toBe(false);
    expect(ready.nextSteps.join('\n')).toMatch(/Ask SendGrid support/);
  });
});
