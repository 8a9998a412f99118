/**
 * Settings of the saas mode are validated when the factory is called: `INVALID_INPUT` naming the
 * setting and what to pass, before any request (no server is running here).
 */
import { describe, expect, it } from 'vitest';
import { SslClickError, type DnsProvider } from '@sslclick/core';
import { createCloudflareProxy, type CloudflareSaasProxySettings } from '../src/index.js';
import type { CustomHostnameSummary } from '../src/custom-hostname.js';
import type { ProviderState } from '../src/fallback-origin.js';
import { certificateStateOf, edgeStateOf } from '../src/saas-status-mapping.js';

const zoneId = '023e105f4ecef8ad9ca31a8372d0c353';
const base = { mode: 'saas', zoneId, apiToken: 'a'.repeat(40), baseURL: 'https://api.cloudflare.com/client/v4' } as const;

function refusal(settings: unknown): SslClickError {
  try {
    createCloudflareProxy(settings as CloudflareSaasProxySettings);
  } catch (error) {
    if (SslClickError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('The factory accepted the settings.');
}

const cases: Array<{ name: string; settings: unknown; says: RegExp }> = [
  { name: 'an unknown mode', settings: { ...base, mode: 'shared' }, says: /mode must be "zone" .* or "saas"/ },
  { name: 'no zoneId', settings: { ...base, zoneId: undefined }, says: /mode "saas" needs zoneId/ },
  { name: 'a zoneId that is no Cloudflare id', settings: { ...base, zoneId: 'saas-provider.net' }, says: /is not a Cloudflare zone id/ },
  { name: 'a dns that is no DnsProvider', settings: { ...base, dns: { name: 'x' } }, says: /dns must be a DnsProvider/ },
  { name: 'a fallbackOrigin that is no host name', settings: { ...base, fallbackOrigin: 'not a name' }, says: /fallbackOrigin must be a host name/ },
  { name: 'the same name for fallback origin and CNAME target', settings: { ...base, fallbackOrigin: 'a.example.net', cnameTarget: 'A.example.net.' }, says: /two different names/ },
  { name: 'an origin that is not SendGrid', settings: { ...base, origin: 'example.org' }, says: /not a SendGrid link origin/ },
  { name: 'a cutoverCheckTimeoutMs out of range', settings: { ...base, cutoverCheckTimeoutMs: -1 }, says: /cutoverCheckTimeoutMs must be/ },
];

describe(`saas settings are refused with INVALID_INPUT (${cases.length} cases)`, () => {
  it.for(cases)('$name', ({ settings, says }) => {
    const error = refusal(settings);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(says);
    expect(error.message).not.toContain('a'.repeat(40));
  });

  it('accepts the settings with a DnsProvider and declares that it manages DNS (and not without one)', () => {
    const dns: DnsProvider = { name: 'test', getRecords: async () => [], upsertCname: async (name, value) => ({ changed: false, record: { name, type: 'CNAME', value } }), deleteCname: async () => ({ changed: false }) };
    expect(createCloudflareProxy({ ...base, dns }).capabilities).toEqual({ managesDns: true, managedCertificate: true });
    expect(createCloudflareProxy({ ...base }).capabilities).toEqual({ managesDns: false, managedCertificate: true });
  });

  it('refuses a request whose origin is not the fallback origin\'s, before any request', async () => {
    const proxy = createCloudflareProxy({ ...base, fetch: async () => Promise.reject(new Error('no request expected')) });
    const error = await proxy.apply({ hostname: 'url1.example.com', origin: 'eu.sendgrid.net' }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('INVALID_INPUT');
    expect((error as Error).message).toMatch(/one zone has one fallback origin/);
  });
});

describe('the status mapping table', () => {
  const provider: ProviderState = {
    zone: { id: zoneId, name: 'saas-provider.net', status: 'active' },
    fallbackName: 'sslclick-origin.saas-provider.net',
    fallbackRecord: { id: '1', name: 'sslclick-origin.saas-provider.net', type: 'CNAME', content: 'sendgrid.net', proxied: true, comment: null },
    targetName: 'sslclick-links.saas-provider.net',
    targetRecord: { id: '2', name: 'sslclick-links.saas-provider.net', type: 'CNAME', content: 'sslclick-origin.saas-provider.net', proxied: true, comment: null },
    sslMode: 'full',
    fallbackOrigin: { origin: 'sslclick-origin.saas-provider.net', status: 'active' },
    origin: 'sendgrid.net',
  };
  const custom = (status: string, sslStatus: string): CustomHostnameSummary => ({ id: 'id', hostname: 'url1.example.org', status, sslStatus, sslMethod: 'txt', verificationErrors: [], raw: {} });

  it.for([
    ['active', 'deployed'],
    ['pending', 'pending'],
    ['active_redeploying', 'pending'],
    ['test_pending', 'pending'],
    ['blocked', 'failed'],
    ['moved', 'failed'],
    ['pending_deletion', 'failed'],
    ['test_failed', 'failed'],
  ] as const)('hostname status %s → edge %s', ([status, edge]) => {
    expect(edgeStateOf(custom(status, 'active'), provider)).toBe(edge);
  });

  it('edge: absent without a custom hostname; pending while the fallback origin is not active; failed when it timed out', () => {
    expect(edgeStateOf(undefined, provider)).toBe('absent');
    expect(edgeStateOf(custom('active', 'active'), { ...provider, fallbackOrigin: { origin: provider.fallbackName, status: 'pending_deployment' } })).toBe('pending');
    expect(edgeStateOf(custom('active', 'active'), { ...provider, sslMode: 'strict' })).toBe('pending');
    expect(edgeStateOf(custom('active', 'active'), { ...provider, fallbackOrigin: { origin: provider.fallbackName, status: 'deployment_timed_out' } })).toBe('failed');
  });

  it.for([
    ['active', 'issued'],
    ['initializing', 'pending'],
    ['pending_validation', 'pending'],
    ['pending_issuance', 'pending'],
    ['pending_deployment', 'pending'],
    ['validation_timed_out', 'failed'],
    ['issuance_timed_out', 'failed'],
    ['expired', 'failed'],
    ['deleted', 'failed'],
    ['inactive', 'failed'],
  ] as const)('ssl.status %s → certificate %s', ([sslStatus, certificate]) => {
    expect(certificateStateOf(custom('active', sslStatus))).toBe(certificate);
  });
});
