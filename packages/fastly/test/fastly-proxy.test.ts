import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, verifyHostname, type ProgressEvent, type ProxyStatus } from '@sslclick/core';
import { EDGE_ADDRESS, type FastlyService } from '@sslclick/sandbox';
import { createFastlyProxy } from '../src/index.js';
import { createTestProxy, prepareHostname, publishRecords, restoreSendGrid, startFastlyWorld, type FastlyWorld } from './fastly-world.js';

let world: FastlyWorld;

beforeAll(async () => {
  world = await startFastlyWorld();
});

afterAll(async () => {
  await world?.close();
});

function serviceFor(hostname: string): FastlyService {
  const service = world.fastly.state.services.find((candidate) => candidate.name === `sslclick ${hostname}`);
  if (!service) throw new Error(`no service for ${hostname}`);
  return service;
}

async function applyToReady(adapter: ReturnType<typeof createFastlyProxy>, hostname: string): Promise<ProxyStatus> {
  let status = await adapter.apply({ hostname });
  if (!status.ready) {
    await publishRecords(world, status);
    status = await adapter.apply({ hostname });
  }
  expect(status.ready).toBe(true);
  return status;
}

/** Someone else edits our service through the API as Fastly allows: clone, change, activate. */
async function editBackendByHand(serviceId: string, fields: Record<string, string>): Promise<number> {
  const headers = { 'fastly-key': world.fastly.tokens.admin, 'content-type': 'application/x-www-form-urlencoded' };
  const service = (await (await fetch(`${world.fastly.url}/service/${serviceId}`, { headers })).json()) as { versions: Array<{ number: number; active: boolean }> };
  const active = service.versions.find((version) => version.active);
  const clone = (await (await fetch(`${world.fastly.url}/service/${serviceId}/version/${active?.number}/clone`, { method: 'PUT', headers })).json()) as { number: number };
  const updated = await fetch(`${world.fastly.url}/service/${serviceId}/version/${clone.number}/backend/sendgrid`, { method: 'PUT', headers, body: new URLSearchParams(fields).toString() });
  expect(updated.status).toBe(200);
  await fetch(`${world.fastly.url}/service/${serviceId}/version/${clone.number}/activate`, { method: 'PUT', headers });
  return clone.number;
}

function clickThroughEdge(hostname: string, status: ProxyStatus) {
  const link = world.origin.createLink(hostname, 'https://shop.example.org/offer');
  return verifyHostname(hostname, {
    resolver: world.dns.address,
    ca: world.ca.certificate,
    ports: world.ports,
    sampleLink: link.clickUrl,
    timeoutMs: 3_000,
    ...(status.edge.target ? { expectedTargets: [status.edge.target] } : {}),
  });
}

describe('createFastlyProxy settings', () => {
  it('rejects bad settings and input before any request', async () => {
    const before = world.fastly.server.requests.length;
    expect(() => createFastlyProxy({ apiToken: 'x'.repeat(20), mode: 'edge' as never })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => createFastlyProxy({ apiToken: 'x'.repeat(20), certificateAuthority: 'globalsign' as never })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    // The pre-cutover check's bound has one name on all three adapters.
    expect(() => createFastlyProxy({ apiToken: 'x'.repeat(20), cutoverCheckTimeoutMs: -1 })).toThrow(/cutoverCheckTimeoutMs must be/);
    expect(() => createFastlyProxy({ apiToken: 'x'.repeat(20), cutoverCheckTimeout: 5_000 } as never)).toThrow(/renamed cutoverCheckTimeoutMs/);
    expect(() => createFastlyProxy({ apiToken: 'x'.repeat(20), cutoverCheckTimeoutMs: 5_000 })).not.toThrow();
    const saved = process.env.FASTLY_API_TOKEN;
    delete process.env.FASTLY_API_TOKEN;
    try {
      expect(() => createFastlyProxy({})).toThrow(/apiToken.*FASTLY_API_TOKEN/);
    } finally {
      if (saved !== undefined) process.env.FASTLY_API_TOKEN = saved;
    }
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    for (const hostname of ['', 'https://url1.example.com/', '*.example.com', '127.0.0.1', 'example.com']) {
      await expect(adapter.apply({ hostname })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(world.fastly.server.requests.length).toBe(before);
  });

  it('translates Fastly errors: bad token, read-only token, 5xx retried', async () => {
    const hostname = await prepareHostname(world);
    const badToken = await createTestProxy(world, { mode: 'vcl', apiToken: 'not-a-real-fastly-token' });
    const unauthorized = await badToken.apply({ hostname }).catch((error: unknown) => error);
    expect(unauthorized).toMatchObject({ code: 'CREDENTIALS', provider: 'fastly' });
    expect(String((unauthorized as Error).message)).not.toContain('not-a-real-fastly-token');

    const readOnly = await createTestProxy(world, { mode: 'vcl', apiToken: world.fastly.tokens.readOnly });
    const forbidden = await readOnly.apply({ hostname }).catch((error: unknown) => error);
    expect(forbidden).toMatchObject({ code: 'PERMISSION' });
    expect((forbidden as Error).message).toMatch(/global/);

    world.fastly.server.injectFault({ kind: 'server-error', match: { method: 'POST', path: '/service' }, times: 2 });
    world.fastly.server.injectFault({ kind: 'html-error', match: { method: 'GET', path: '/tls/subscriptions' } });
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    const events: ProgressEvent[] = [];
    const status = await adapter.apply({ hostname }, { onProgress: (event) => events.push(event) });
    expect(status.certificate.state).toBe('pending');
    expect(events.filter((event) => event.type === 'request-retrying').length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(status)).not.toContain(world.fastly.tokens.admin);
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });
});

describe('createFastlyProxy without a DNS provider', () => {
  it('stops at "publish these records", then becomes ready once they exist', async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'compute' });
    const first = await adapter.apply({ hostname });
    expect(first.ready).toBe(false);
    expect(first.state).toBe('provisioning');
    expect(first.dns.managed).toBe(false);
    expect(first.edge.state).toBe('deployed');
    expect(first.certificate).toMatchObject({ state: 'pending', raw: { state: 'pending', certificate_authority: 'certainly' } });
    const challenge = first.dns.required.find((record) => record.name === `_acme-challenge.${hostname}`);
    expect(challenge).toMatchObject({ type: 'CNAME', value: expect.stringMatching(/\.fastly-validations\.com$/) });
    // The cutover target comes from the TLS configuration's DNS records.
    expect(first.dns.required).toContainEqual(expect.objectContaining({ name: hostname, type: 'CNAME', value: world.fastly.cnameTarget }));
    expect(first.edge.target).toBe(world.fastly.cnameTarget);
    expect(first.nextSteps[0]).toContain(`_acme-challenge.${hostname}`);
    expect(first.dns.pointsToCdn).toBe(false);

    // The user publishes only the validation record: the certificate is issued and the edge
    // verified, but DNS is not theirs to move by us.
    world.dns.zone.setRecord({ name: challenge!.name, type: 'CNAME', value: challenge!.value });
    const events: ProgressEvent[] = [];
    const second = await adapter.apply({ hostname }, { onProgress: (event) => events.push(event) });
    expect(second.certificate.state).toBe('issued');
    expect(second.ready).toBe(false);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['certificate-ready', 'edge-verified', 'records-required']));
    expect(second.nextSteps.join(' ')).toContain(`CNAME ${world.fastly.cnameTarget}`);
    expect(world.dns.zone.getRecords(hostname)[0]?.value).toBe('sendgrid.net');

    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: world.fastly.cnameTarget });
    const third = await adapter.apply({ hostname });
    expect(third.ready).toBe(true);
    expect(third.dns.pointsToCdn).toBe(true);
    const status = await adapter.status({ hostname });
    expect(status.ready).toBe(true);
    expect(status.resources).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'fastly-service', owned: true }), expect.objectContaining({ kind: 'fastly-tls-subscription', owned: true })]),
    );
    expect(status.edge.raw).toMatchObject({ serviceType: 'wasm', activeVersion: 1, package: { files_hash: expect.any(String) } });
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });
});

describe('createFastlyProxy on Fastly', () => {
  it('gives up on an edge that never answers after cutoverCheckTimeoutMs and leaves DNS alone', { timeout: 30_000 }, async () => {
    const hostname = await prepareHostname(world);
    // Only the certificate's validation record: the host itself still points at SendGrid.
    const first = await (await createTestProxy(world)).apply({ hostname });
    await publishRecords(world, { ...first, dns: { ...first.dns, required: first.dns.required.filter((record) => record.name !== hostname) } });
    // An edge address that accepts connections and never says a word (not even a TLS hello).
    const held = new Set<Socket>();
    const silent = createServer((socket) => void held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, EDGE_ADDRESS, resolve));
    try {
      const cutoverCheckTimeoutMs = 1_000;
      const adapter = await createTestProxy(world, {
        cutoverCheckTimeoutMs,
        verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: { ...world.ports, https: (silent.address() as AddressInfo).port }, timeoutMs: 400 },
      });
      const startedAt = Date.now();
      const error = await adapter.apply({ hostname }).catch((caught: unknown) => caught);
      expect(SslClickError.isInstance(error) && error.code).toBe('PROVIDER');
      expect((error as SslClickError).operation).toBe('pre-cutover-check');
      expect((error as SslClickError).message).toContain('no TLS handshake');
      expect(Date.now() - startedAt).toBeLessThan(cutoverCheckTimeoutMs + 8_000);
      expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    await (await createTestProxy(world)).destroy({ hostname });
  });

  it('creates the service, domain, backend and package as the issue says', async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'compute', certificateAuthority: 'lets-encrypt' });
    await applyToReady(adapter, hostname);
    const service = serviceFor(hostname);
    expect(service).toMatchObject({ type: 'wasm', comment: expect.stringMatching(/^Managed by sslclick/) });
    const active = service.versions.find((version) => version.active)!;
    expect(active.domains.map((domain) => domain.name)).toEqual([hostname]);
    expect(active.backends).toEqual([
      expect.objectContaining({ name: 'sendgrid', address: 'sendgrid.net', port: 443, use_ssl: true, ssl_cert_hostname: 'sendgrid.net', ssl_sni_hostname: 'sendgrid.net', override_host: null }),
    ]);
    expect(active.package?.metadata).toMatchObject({ name: 'sslclick-edge', language: 'javascript' });
    expect(world.fastly.state.subscriptions.find((subscription) => subscription.domains.includes(hostname))?.certificate_authority).toBe('lets-encrypt');
    // Writes were form-encoded on classic endpoints and JSON:API on /tls.
    const created = world.fastly.server.requests.find((request) => request.method === 'POST' && request.path === '/service' && request.body.includes(encodeURIComponent(hostname)));
    expect(new URLSearchParams(created?.body).get('type')).toBe('wasm');
    const subscription = world.fastly.server.requests.find((request) => request.method === 'POST' && request.path === '/tls/subscriptions' && request.body.includes(hostname));
    expect(JSON.parse(subscription?.body ?? '{}')).toMatchObject({ data: { type: 'tls_subscription', attributes: { certificate_authority: 'lets-encrypt' } } });
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });

  it('never modifies an active version; shows drift (override_host) in plan and repairs it', async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    const ready = await applyToReady(adapter, hostname);
    const service = serviceFor(hostname);
    const byHand = await editBackendByHand(service.id, { override_host: 'sendgrid.net' });

    // The override sends Host: sendgrid.net, so SendGrid no longer knows the click.
    const broken = await clickThroughEdge(hostname, ready);
    expect(broken.checks.find((check) => check.id === 'reaches-sendgrid')).toMatchObject({ ok: false, detail: expect.stringContaining('404') });
    const drifted = await adapter.status({ hostname });
    expect(drifted.warnings.join(' ')).toContain('override_host');

    const plan = await adapter.plan({ hostname });
    expect(plan.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: expect.objectContaining({ kind: 'fastly-backend', name: 'sendgrid' }), action: 'update', description: expect.stringContaining('override_host') }),
        expect.objectContaining({ resource: expect.objectContaining({ kind: 'fastly-version' }), action: 'create', description: expect.stringContaining(`Clone version ${byHand}`) }),
      ]),
    );

    const frozen = structuredClone(service.versions.find((version) => version.number === byHand));
    const logFrom = world.fastly.server.requests.length;
    const repaired = await adapter.apply({ hostname });
    expect(repaired.ready).toBe(true);
    // The hand-made version is untouched; the repair went into a clone, then was activated.
    expect(service.versions.find((version) => version.number === byHand)).toEqual({ ...frozen, active: false });
    const writes = world.fastly.server.requests.slice(logFrom).filter((request) => request.write).map((request) => `${request.method} ${request.path}`);
    const repairVersion = byHand + 1;
    expect(writes).toEqual([
      `PUT /service/${service.id}/version/${byHand}/clone`,
      `PUT /service/${service.id}/version/${repairVersion}/backend/sendgrid`,
      `PUT /service/${service.id}/version/${repairVersion}/activate`,
    ]);
    expect(service.versions.find((version) => version.active)?.backends[0]?.override_host).toBeNull();
    const fixed = await clickThroughEdge(hostname, repaired);
    expect(fixed.checks.find((check) => check.id === 'reaches-sendgrid')?.ok).toBe(true);
    // No edit ever targeted a version that was active or locked: the fake would have answered 400.
    expect(world.fastly.server.requests.slice(logFrom).filter((request) => request.status === 400)).toEqual([]);
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });

  it('passes every request in vcl mode, so a second click reaches SendGrid too', async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    const status = await applyToReady(adapter, hostname);
    const active = serviceFor(hostname).versions.find((version) => version.active)!;
    expect(active.snippets).toEqual([expect.objectContaining({ name: 'sslclick-pass', type: 'recv', content: expect.stringContaining('return(pass);') })]);
    const link = world.origin.createLink(hostname, 'https://shop.example.org/twice');
    const before = world.origin.requests.length;
    for (let click = 0; click < 2; click += 1) {
      const result = await verifyHostname(hostname, { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, sampleLink: link.clickUrl, timeoutMs: 3_000, checks: ['reaches-sendgrid'] });
      expect(result.observed.https?.location).toBe('https://shop.example.org/twice');
    }
    expect(world.origin.requests.slice(before).filter((request) => request.host === hostname && request.path === '/ls/click')).toHaveLength(2);
    expect(status.edge.raw).toMatchObject({ serviceType: 'vcl' });
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });

  it('reports a domain on a foreign service as a CONFLICT naming it, and leaves nothing behind', async () => {
    const hostname = await prepareHostname(world);
    const foreign = world.fastly.addForeignService({ hostname, name: 'Marketing site' });
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    const error = await adapter.apply({ hostname }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toContain('"Marketing site"');
    expect((error as Error).message).toContain(foreign.serviceId);
    expect(world.fastly.state.services.some((service) => service.name === `sslclick ${hostname}`)).toBe(false);

    const otherHostname = await prepareHostname(world);
    world.fastly.addForeignService({ hostname: otherHostname, customer: 'other' });
    await expect(adapter.apply({ hostname: otherHostname })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('another Fastly customer') });
  });

  it('waits for the rate-limit reset instead of failing halfway, and honours a 429', async () => {
    const hostname = await prepareHostname(world);
    world.fastly.setRateLimit({ limit: 1000, remaining: 4, windowMs: 1_500 });
    const adapter = await createTestProxy(world, { mode: 'vcl', rateLimit: { minimumRemaining: 2 } });
    const events: ProgressEvent[] = [];
    let status = await adapter.apply({ hostname }, { onProgress: (event) => events.push(event) });
    await publishRecords(world, status);
    status = await adapter.apply({ hostname }, { onProgress: (event) => events.push(event) });
    expect(status.ready).toBe(true);
    expect(events.some((event) => event.type === 'rate-limit-waiting')).toBe(true);
    expect(world.fastly.server.requests.filter((request) => request.status === 429)).toEqual([]);

    // A budget spent by someone else: the first write meets 429 and waits for Fastly-RateLimit-Reset.
    // Destroy's first write is a /tls one, whose answers carry the rate-limit headers only in one
    // of the fake's variants (go-fastly's recorded /tls/subscriptions writes have none; the
    // no-header case is in vendor-answers.test.ts).
    world.fastly.setVariants({ tlsRateLimitHeaders: true });
    world.fastly.setRateLimit({ limit: 1000, remaining: 0, windowMs: 800 });
    const startedAt = Date.now();
    restoreSendGrid(world, hostname);
    const destroyed = await adapter.destroy({ hostname });
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
    expect(world.fastly.server.requests.filter((request) => request.status === 429).length).toBe(1);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(500);
    world.fastly.setRateLimit({ limit: 1000, windowMs: 3_600_000 });
    world.fastly.setVariants({ tlsRateLimitHeaders: false });
  });

  it('maps subscription states onto the certificate state, keeping the raw value', async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    await applyToReady(adapter, hostname);
    world.fastly.setSubscriptionState(hostname, 'renewing');
    expect((await adapter.status({ hostname })).certificate).toMatchObject({ state: 'issued', raw: { state: 'renewing' } });
    world.fastly.setSubscriptionState(hostname, 'processing');
    expect((await adapter.status({ hostname })).certificate).toMatchObject({ state: 'pending', raw: { state: 'processing' } });
    world.fastly.setSubscriptionState(hostname, 'failed');
    const failed = await adapter.status({ hostname });
    expect(failed).toMatchObject({ state: 'failed', ready: false, certificate: { state: 'failed', raw: { state: 'failed' } } });
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });
});
