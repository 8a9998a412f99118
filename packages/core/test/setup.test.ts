import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_ADDRESS, startSandbox, startSendGridApi, type SendGridApi } from '@sslclick/sandbox';
import { createSendGridLinks } from '@sslclick/sendgrid';
import { accountReadiness, setup, getStatus, destroy, type ProgressEvent } from '@sslclick/core';
import { createDirectEdgeAdapter, directEdgeName, type DirectEdgeWorld } from './direct-edge-adapter.js';

let world: DirectEdgeWorld;
let sendgrid: SendGridApi;
const apiKey = 'SG.setup-test-key.0123456789abcdef';
let counter = 0;

beforeAll(async () => {
  const sandbox = await startSandbox();
  sandbox.dns.zone.setRecord({ name: directEdgeName, type: 'A', value: EDGE_ADDRESS });
  world = Object.assign(sandbox, { writes: 0 });
  sendgrid = await startSendGridApi(world);
  sendgrid.addApiKey(apiKey, { scopes: ['whitelabel.read', 'whitelabel.update'], username: 'acme' });
});
afterAll(async () => {
  await sendgrid?.close();
  await world?.close();
});

function links(subuser?: string) {
  return createSendGridLinks({ apiKey, baseURL: sendgrid.url, verification: world.verification, ...(subuser ? { subuser } : {}), retry: { minDelay: 5, maxDelay: 20 } });
}

/** A tracked link on `hostname`, as copied from a test message sent through SendGrid. */
function trackedLink(hostname: string): string {
  return world.origin.createLink(hostname, 'https://shop.example.org/welcome').clickUrl;
}

function newBranding(options: { valid?: boolean; autoSsl?: boolean; username?: string; domain?: string } = {}) {
  counter += 1;
  return sendgrid.addLinkBranding({ domain: options.domain ?? `shop${counter}.example.com`, subdomain: `url${counter}`, username: options.username ?? 'acme', ...options });
}

describe('setup()', () => {
  it('takes a fresh account with a valid branding to ready, with a support request and the never-re-validate reminder', async () => {
    const branding = newBranding();
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const events: ProgressEvent[] = [];
    const result = await setup(createDirectEdgeAdapter(world), { hostname }, { sendgrid: links(), verification: world.verification, sampleLink: trackedLink(hostname), onProgress: (event) => events.push(event) });
    expect(result.ready).toBe(true);
    expect(result.branding).toMatchObject({ id: branding.id, hostname, valid: true, route: 'classic' });
    expect(result.checks.map((check) => [check.id, check.ok])).toEqual(
      expect.arrayContaining([
        ['branding-assigned', true],
        ['branding-valid', true],
        ['dns-points-to-cdn', true],
        ['dns-not-sendgrid', true],
        ['tls-valid', true],
        ['reaches-sendgrid', true],
        ['http-still-served', true],
      ]),
    );
    expect(result.supportRequest).toContain(hostname);
    expect(result.supportRequest).toMatch(/tls-valid: passed/);
    expect(result.nextSteps.join('\n')).toMatch(/Never re-validate/);
    expect(events.map((event) => event.type)).toContain('edge-verified');
    expect(JSON.stringify({ result, events })).not.toContain(apiKey);
  });

  it('does not call a host ready without a tracked link, and says how to get one', async () => {
    const branding = newBranding();
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const result = await setup(createDirectEdgeAdapter(world), { hostname }, { sendgrid: links(), verification: world.verification });
    expect(result).toMatchObject({ ready: false, state: 'provisioning' });
    expect(result.supportRequest).toBeUndefined();
    expect(result.checks.find((check) => check.id === 'reaches-sendgrid')).toEqual({
      id: 'reaches-sendgrid',
      ok: null,
      detail: `${hostname} answered 200 through fastly over HTTPS, so the CDN reaches an origin, but only a tracked link shows that SendGrid knows the Host ${hostname}: send a test message through SendGrid from this account with click tracking on, copy a tracked link from it (…/ls/click?upn=… or …/wf/click?upn=…), and pass it as sampleLink.`,
    });
    expect(result.nextSteps).toEqual([
      `Prove that SendGrid knows the Host ${hostname}: send a test message through SendGrid from the account "acme" with click tracking on, copy a tracked link from it (http://${hostname}/ls/click?upn=… or …/wf/click?upn=…; the http:// form is fine), and run setup again with the option sampleLink set to that link.`,
    ]);
    expect(result.nextSteps.join(' ')).not.toMatch(/Ask SendGrid support/);
  });

  it('validates a not-yet-valid branding first, while its CNAME still points at SendGrid', async () => {
    const branding = newBranding({ valid: false });
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const before = sendgrid.server.requests.length;
    const adapter = createDirectEdgeAdapter(world);
    const first = await setup(adapter, { hostname }, { sendgrid: links(), verification: world.verification });
    expect(first.branding?.valid).toBe(true);
    // Valid now, so SendGrid writes tracked links on the host: the proof setup asked for.
    expect(first.ready).toBe(false);
    const result = await setup(adapter, { hostname }, { sendgrid: links(), verification: world.verification, sampleLink: trackedLink(hostname) });
    const validations = sendgrid.server.requests.slice(before).filter((request) => request.method === 'POST' && request.path.endsWith('/validate'));
    expect(validations).toHaveLength(1);
    expect(result.ready).toBe(true);
    expect(result.branding?.valid).toBe(true);
  });

  it('checks a sub-user\'s branding on its behalf and names the sub-user in the support request', async () => {
    sendgrid.addSubuser('acme', 'acme-eu-shop');
    const branding = newBranding({ username: 'acme-eu-shop' });
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const before = sendgrid.server.requests.length;
    const result = await setup(createDirectEdgeAdapter(world), { hostname }, { sendgrid: links('acme-eu-shop'), verification: world.verification, sampleLink: trackedLink(hostname) });
    expect(result.ready).toBe(true);
    expect(result.supportRequest).toMatch(/sub-user "acme-eu-shop"/);
    expect(result.nextSteps.join('\n')).toMatch(/sub-user "acme-eu-shop".*each sub-user is enabled separately/);
    expect(sendgrid.server.requests.length).toBeGreaterThan(before);
  });

  it('stops for an Auto SSL branding with no CDN writes', async () => {
    const branding = newBranding({ autoSsl: true });
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const writesBefore = world.writes;
    const result = await setup(createDirectEdgeAdapter(world), { hostname }, { sendgrid: links(), verification: world.verification });
    expect(world.writes).toBe(writesBefore);
    expect(result.ready).toBe(false);
    expect(result.state).toBe('absent');
    expect(result.nextSteps[0]).toMatch(/Auto SSL.*No CDN is needed/);
  });

  it('fails with NOT_FOUND, before any CDN write, for a host the account has no branding for', async () => {
    const writesBefore = world.writes;
    await expect(setup(createDirectEdgeAdapter(world), { hostname: 'url9999.unknown.example.com' }, { sendgrid: links() })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(world.writes).toBe(writesBefore);
  });

  it('waits for records the user publishes by hand, then finishes', async () => {
    const branding = newBranding();
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const adapter = createDirectEdgeAdapter(world, { managesDns: false });
    // The user publishes once setup says it waits (a fixed 400 ms timer could fire before setup
    // got there on a busy machine, and then nothing was waited for).
    let publisher: NodeJS.Timeout | undefined;
    try {
      const events: ProgressEvent[] = [];
      const result = await setup(adapter, { hostname }, {
        sendgrid: links(),
        verification: world.verification,
        waitForDns: { minDelay: 50, maxDelay: 200, maxWaitTime: 10_000 },
        sampleLink: trackedLink(hostname),
        onProgress: (event) => {
          events.push(event);
          if (event.type === 'dns-waiting' && publisher === undefined) {
            publisher = setTimeout(() => world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: directEdgeName }), 100);
          }
        },
      });
      expect(result.ready).toBe(true);
      expect(events.some((event) => event.type === 'dns-waiting' && /not yet published/.test(event.message))).toBe(true);
    } finally {
      clearTimeout(publisher);
    }
  });

  it('without waitForDns, says which records to publish', async () => {
    const branding = newBranding();
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const result = await setup(createDirectEdgeAdapter(world, { managesDns: false }), { hostname }, { verification: world.verification });
    expect(result.ready).toBe(false);
    expect(result.nextSteps.join('\n')).toContain(`Publish ${hostname} CNAME ${directEdgeName}`);
  });
});

describe('getStatus() and destroy()', () => {
  it('report the verified state, and destroy undoes setup', async () => {
    const branding = newBranding();
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const adapter = createDirectEdgeAdapter(world);
    const sampleLink = trackedLink(hostname);
    await setup(adapter, { hostname }, { sendgrid: links(), verification: world.verification, sampleLink });
    const current = await getStatus(adapter, { hostname }, { sendgrid: links(), verification: world.verification, sampleLink });
    expect(current.ready).toBe(true);
    expect(current.checks.find((check) => check.id === 'branding-valid')?.ok).toBe(true);
    const removed = await destroy(adapter, { hostname });
    expect(removed.ready).toBe(false);
    expect(removed.resources.filter((resource) => resource.owned)).toEqual([]);
    expect(world.dns.zone.getRecords(hostname).find((record) => record.type === 'CNAME')?.value).toBe('sendgrid.net');
  });
});

describe('getStatus() when DNS does not answer', () => {
  it('returns a status with failed checks, not an exception, within the time-out', async () => {
    const branding = newBranding();
    const hostname = `${branding.subdomain}.${branding.domain}`;
    const adapter = createDirectEdgeAdapter(world);
    await setup(adapter, { hostname }, { verification: world.verification });
    world.dns.setDown(true);
    try {
      const startedAt = Date.now();
      const current = await getStatus(adapter, { hostname }, { verification: { ...world.verification, timeoutMs: 300 } });
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      expect(current.ready).toBe(false);
      expect(current.checks.find((check) => check.id === 'dns-points-to-cdn')).toMatchObject({ ok: false, detail: expect.stringMatching(/did not answer/) });
    } finally {
      world.dns.setDown(false);
    }
  });
});

describe('accountReadiness()', () => {
  it('reports exactly the branding that is not behind TLS', async () => {
    sendgrid.addApiKey('SG.readiness-key.0123456789abcdef', { scopes: ['whitelabel.read'], username: 'solo' });
    const ready = newBranding({ username: 'solo' });
    const unproxied = newBranding({ username: 'solo' });
    const readyHost = `${ready.subdomain}.${ready.domain}`;
    const unproxiedHost = `${unproxied.subdomain}.${unproxied.domain}`;
    await setup(createDirectEdgeAdapter(world), { hostname: readyHost }, { verification: world.verification });
    const soloLinks = createSendGridLinks({ apiKey: 'SG.readiness-key.0123456789abcdef', baseURL: sendgrid.url, verification: world.verification });
    const report = await accountReadiness(soloLinks, { ...world.verification, expectedTargets: [directEdgeName], timeoutMs: 3_000, sampleLinks: { [readyHost]: trackedLink(readyHost) } });
    expect(report.ready).toBe(false);
    expect(report.wouldBreak).toEqual([unproxiedHost]);
    const broken = report.hosts.find((host) => host.hostname === unproxiedHost);
    expect(broken?.reasons.join(' ')).toMatch(/still a CNAME to sendgrid\.net/);
    expect(report.hosts.find((host) => host.hostname === readyHost)?.ready).toBe(true);
  });

  it('counts an Auto SSL host as ready, and decides a proxied record (addresses only) from the CDN\'s ranges', async () => {
    sendgrid.addApiKey('SG.readiness-key.auto0123456789abcdef', { scopes: ['whitelabel.read'], username: 'mixed' });
    const auto = newBranding({ username: 'mixed', autoSsl: true });
    const proxied = newBranding({ username: 'mixed' });
    const autoHost = `${auto.subdomain}.${auto.domain}`;
    const proxiedHost = `${proxied.subdomain}.${proxied.domain}`;
    await world.origin.enableAutoSsl(autoHost);
    await setup(createDirectEdgeAdapter(world), { hostname: proxiedHost }, { verification: world.verification, sampleLink: trackedLink(proxiedHost) });
    // As Cloudflare answers for a proxied record: the edge's addresses, no CNAME.
    world.dns.zone.deleteRecord(proxiedHost, 'CNAME');
    world.dns.zone.setRecord({ name: proxiedHost, type: 'A', value: EDGE_ADDRESS });
    const mixedLinks = createSendGridLinks({ apiKey: 'SG.readiness-key.auto0123456789abcdef', baseURL: sendgrid.url, verification: world.verification });
    const options = { ...world.verification, timeoutMs: 3_000, cdnAddressRanges: { cloudflare: [`${EDGE_ADDRESS}/32`] }, sampleLinks: { [proxiedHost]: trackedLink(proxiedHost) } };
    const report = await accountReadiness(mixedLinks, options);
    expect(report).toMatchObject({ ready: true, wouldBreak: [] });
    expect(report.hosts.find((host) => host.hostname === autoHost)).toMatchObject({ ready: true, reasons: [] });
    const proxiedReport = report.hosts.find((host) => host.hostname === proxiedHost);
    expect(proxiedReport?.verification?.checks.find((check) => check.id === 'dns-points-to-cdn')).toEqual({
      id: 'dns-points-to-cdn',
      ok: true,
      detail: `${proxiedHost} resolves to ${EDGE_ADDRESS}, inside Cloudflare's address range ${EDGE_ADDRESS}/32: it leads to Cloudflare's edge.`,
    });

    // Without its tracked link the proxied host is not ready, and the report says why.
    const unproven = await accountReadiness(mixedLinks, { ...options, sampleLinks: {} });
    expect(unproven.wouldBreak).toEqual([proxiedHost]);
    expect(unproven.hosts.find((host) => host.hostname === proxiedHost)?.reasons.join(' ')).toContain('only a tracked link shows that SendGrid knows the Host');
  });
});
