import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  EDGE_ADDRESS,
  startHttpsListener,
  startSandbox,
  type HttpsListener,
  type HttpsListenerOptions,
  type Sandbox,
} from '@sslclick/sandbox';
import { verifyHostname, verifyHostnames, type CheckResult, type VerifyOptions, type VerifyResult } from '@sslclick/core';
import { checkBeforeCutover } from '@sslclick/core/adapter';

// Issue 12: the verifier judges like SendGrid support. One sandbox case per point, each asserting
// the verdict and the exact advice a person reads.

let sandbox: Sandbox;
let counter = 0;
const listeners: HttpsListener[] = [];
const edgeName = 'edge.judgement-cdn.sandbox.test';
const destination = 'https://shop.example.org/sale?item=7';
const sampleLinkInstruction =
  'send a test message through SendGrid from this account with click tracking on, copy a tracked link from it (…/ls/click?upn=… or …/wf/click?upn=…), and pass it as sampleLink.';

beforeAll(async () => {
  sandbox = await startSandbox();
  sandbox.dns.zone.setRecord({ name: edgeName, type: 'A', value: EDGE_ADDRESS });
});
afterAll(async () => {
  await Promise.all(listeners.map((listener) => listener.close()));
  await sandbox.close();
});

function options(extra: VerifyOptions = {}): VerifyOptions {
  return { ...sandbox.verification, expectedTargets: [edgeName], timeoutMs: 3_000, ...extra };
}

function check(result: VerifyResult, id: string): CheckResult {
  const found = result.checks.find((candidate) => candidate.id === id);
  expect(found, `check ${id}`).toBeDefined();
  return found as CheckResult;
}

function nextHostname(): string {
  counter += 1;
  return `url${2000 + counter}.judgement.example.com`;
}

/** A branded host behind the sandbox CDN edge (CloudFront-style), correct unless told otherwise. */
async function brandedHost(setup: { route?: Partial<Parameters<Sandbox['edge']['setRoute']>[0]>; certificate?: Parameters<Sandbox['edge']['setCertificate']>[1] } = {}) {
  const hostname = nextHostname();
  sandbox.origin.addBrandedHost(hostname);
  sandbox.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: edgeName });
  const certificate = await sandbox.edge.setCertificate(hostname, setup.certificate);
  sandbox.edge.setRoute({ hostname, provider: 'cloudfront', originHost: 'sendgrid.net', originProtocol: 'https', hostHeader: 'viewer', ...setup.route });
  const link = sandbox.origin.createLink(hostname, destination, { protocol: 'https' });
  return { hostname, link, certificate };
}

/** A bare web server for `hostname` (the misconfigured nginx of the issue), on 127.0.0.1. */
async function listener(hostname: string, settings: Omit<HttpsListenerOptions, 'certificate'> & { certificate?: HttpsListenerOptions['certificate'] } = {}) {
  const certificate = settings.certificate ?? (await sandbox.ca.issue({ names: [hostname] }));
  const started = await startHttpsListener({ ...settings, certificate });
  listeners.push(started);
  return started;
}

function direct(port: number, extra: VerifyOptions = {}): VerifyOptions {
  return options({ connectTo: '127.0.0.1', ports: { https: port, http: sandbox.ports.http }, checks: ['tls-valid', 'reaches-sendgrid'], ...extra });
}

function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

describe('1. no false pass without a tracked link', () => {
  it('does not pass an edge that replaces the Host header: not proven without a link, failed with one', async () => {
    const { hostname, link } = await brandedHost({ route: { hostHeader: 'origin' } });
    const without = await verifyHostname(hostname, options());
    expect(check(without, 'tls-valid').ok).toBe(true);
    expect(check(without, 'reaches-sendgrid')).toEqual({
      id: 'reaches-sendgrid',
      ok: null,
      detail: `${hostname} answered 200 through cloudfront over HTTPS, so the CDN reaches an origin, but only a tracked link shows that SendGrid knows the Host ${hostname}: ${sampleLinkInstruction}`,
    });
    expect(without.ok).toBe(false);
    expect(without.edgeForwards).toBe(true);

    const withLink = await verifyHostname(hostname, options({ sampleLink: link.clickUrl }));
    expect(check(withLink, 'reaches-sendgrid')).toEqual({
      id: 'reaches-sendgrid',
      ok: false,
      detail: `The tracked link answered 404 through cloudfront: SendGrid does not know the Host it received, so the CDN replaces the Host header or changes the path; forward the viewer's Host ${hostname} and the full path unchanged.`,
    });
    expect(withLink.ok).toBe(false);
  });

  // What SendGrid answers for "/" on a branded host is not documented anywhere, so the fake origin
  // can answer it either way; the verdict without a link must not depend on it.
  for (const answer of ['page', 'not-found'] as const) {
    it(`judges a correct and a Host-rewriting edge alike without a link when "/" answers ${answer}`, async () => {
      sandbox.origin.setRootAnswer(answer);
      try {
        const correct = await brandedHost();
        const rewriting = await brandedHost({ route: { hostHeader: 'origin' } });
        const results = await Promise.all([correct, rewriting].map((host) => verifyHostname(host.hostname, options())));
        for (const result of results) {
          expect(check(result, 'reaches-sendgrid').ok).toBeNull();
          expect(check(result, 'reaches-sendgrid').detail).toContain('only a tracked link shows that SendGrid knows the Host');
          expect(result.ok).toBe(false);
        }
        const proven = await verifyHostname(correct.hostname, options({ sampleLink: correct.link.clickUrl }));
        expect(check(proven, 'reaches-sendgrid')).toEqual({
          id: 'reaches-sendgrid',
          ok: true,
          detail: `The tracked link answered 302 through cloudfront with Location ${destination}: SendGrid received it with Host ${correct.hostname}.`,
        });
        expect(proven.ok).toBe(true);
      } finally {
        sandbox.origin.setRootAnswer('page');
      }
    });
  }
});

describe('2. a server that offers only TLS 1.0/1.1', () => {
  for (const [version, name] of [['TLSv1.1', 'TLS 1.1'], ['TLSv1', 'TLS 1.0']] as const) {
    it(`says a ${name}-only server offers only ${name} and advises raising the minimum TLS version at the CDN`, async () => {
      const hostname = nextHostname();
      // OpenSSL 3 offers TLS 1.0 and 1.1 only at security level 0, on both ends.
      const server = await listener(hostname, { minVersion: 'TLSv1', maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' });
      const result = await verifyHostname(hostname, direct(server.port));
      expect(result.observed.tls).toMatchObject({ handshake: false, legacyProtocol: version });
      expect(check(result, 'tls-valid')).toEqual({
        id: 'tls-valid',
        ok: false,
        detail: `127.0.0.1:${server.port} offers only ${name} or older for ${hostname}, which browsers refuse: raise the minimum TLS version at the CDN to TLS 1.2.`,
      });
      expect(check(result, 'reaches-sendgrid')).toEqual({ id: 'reaches-sendgrid', ok: false, detail: 'Not run: no TLS connection to 127.0.0.1 (see tls-valid).' });
      expect(result.ok).toBe(false);
    });
  }
});

describe('3. a SendGrid Auto SSL host', () => {
  it('marks the DNS checks not applicable with one sentence, and passes with valid TLS reaching SendGrid', async () => {
    const hostname = nextHostname();
    sandbox.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'click.sendgrid.net' });
    await sandbox.origin.enableAutoSsl(hostname);
    const result = await verifyHostname(hostname, options({ expectedTargets: [] }));
    const notApplicable = `${hostname} is a CNAME to click.sendgrid.net, a SendGrid Auto SSL link: SendGrid serves HTTPS for it itself and no CDN is needed, so the CDN checks do not apply.`;
    expect(check(result, 'dns-points-to-cdn')).toEqual({ id: 'dns-points-to-cdn', ok: null, detail: notApplicable });
    expect(check(result, 'dns-not-sendgrid')).toEqual({ id: 'dns-not-sendgrid', ok: null, detail: notApplicable });
    expect(check(result, 'tls-valid').ok).toBe(true);
    expect(check(result, 'reaches-sendgrid')).toEqual({
      id: 'reaches-sendgrid',
      ok: true,
      detail: `SendGrid answered 200 over HTTPS itself: ${hostname} is an Auto SSL link served by SendGrid directly, with no proxy that could change the Host.`,
    });
    expect(check(result, 'http-still-served').ok).toBe(true);
    expect(result.ok).toBe(true);
    expect(result.observed).toMatchObject({ autoSsl: true, tls: { names: [hostname] } });
  });
});

describe('4. a chain without its intermediate', () => {
  it('says the server does not send the intermediate and to configure the full chain; the full chain passes', async () => {
    const hostname = nextHostname();
    const intermediate = await sandbox.ca.createIntermediate('Sandbox Issuing CA R9');
    const certificate = await intermediate.issue({ names: [hostname] });
    const incomplete = await listener(hostname, { certificate, sendChain: false });
    const result = await verifyHostname(hostname, direct(incomplete.port));
    expect(result.observed.tls?.trustError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(check(result, 'tls-valid')).toEqual({
      id: 'tls-valid',
      ok: false,
      detail: `The server sends the certificate for ${hostname} without its intermediate certificate (issuer Sandbox Issuing CA R9), so browsers cannot build the chain to a trusted root: configure the full chain (the certificate followed by the intermediate) at the CDN.`,
    });

    const complete = await listener(hostname, { certificate, sendChain: true });
    expect(check(await verifyHostname(hostname, direct(complete.port)), 'tls-valid').ok).toBe(true);
  });
});

describe('5. expiry', () => {
  it('says 4 days 23 hours, not 4 days, and gives the date', async () => {
    const notAfter = new Date(Date.now() + ((4 * 24 + 23) * 60 + 30) * 60_000);
    const { hostname, certificate, link } = await brandedHost({ certificate: { notAfter } });
    const result = await verifyHostname(hostname, options({ sampleLink: link.clickUrl }));
    const date = utcMinute(certificate.notAfter);
    expect(result.warnings).toEqual([`The certificate for ${hostname} expires in 4 days 23 hours, on ${date}: check that the CDN renews it.`]);
    expect(check(result, 'tls-valid')).toEqual({
      id: 'tls-valid',
      ok: true,
      detail: `${EDGE_ADDRESS}:${sandbox.ports.https} served a trusted certificate for ${hostname} over TLS 1.3, valid until ${date} (4 days 23 hours left).`,
    });
    expect(result.ok).toBe(true);
  });
});

describe('6. reached only with certificate checking off', () => {
  it('never passes reaches-sendgrid beside a failed TLS check, with or without a tracked link', async () => {
    const untrusted = await createCertificateAuthority({ name: 'Untrusted judgement root' });
    const { hostname, link } = await brandedHost({ certificate: { authority: untrusted } });
    const withLink = await verifyHostname(hostname, options({ sampleLink: link.clickUrl }));
    expect(check(withLink, 'tls-valid').ok).toBe(false);
    expect(check(withLink, 'reaches-sendgrid')).toEqual({
      id: 'reaches-sendgrid',
      ok: null,
      detail: `The tracked link redirected (302 through cloudfront, Location ${destination}), but only with certificate checking off: SendGrid knows the Host ${hostname}, yet browsers stop at the certificate error first (see tls-valid).`,
    });
    const without = await verifyHostname(hostname, options());
    expect(check(without, 'reaches-sendgrid')).toEqual({
      id: 'reaches-sendgrid',
      ok: null,
      detail: `${hostname} answered 200 through cloudfront, but only with certificate checking off: browsers stop at the certificate error first (see tls-valid).`,
    });
    expect(without.ok).toBe(false);
    expect(without.edgeForwards).toBe(false);
  });
});

describe('dns-points-to-cdn from published address ranges', () => {
  it('decides a host that resolves to addresses only (a proxied Cloudflare record) from the ranges given', async () => {
    const hostname = nextHostname();
    sandbox.dns.zone.setRecord({ name: hostname, type: 'A', value: EDGE_ADDRESS });
    const checks = ['dns-points-to-cdn'] as const;
    const published = await verifyHostname(hostname, options({ expectedTargets: [], checks }));
    expect(check(published, 'dns-points-to-cdn')).toEqual({
      id: 'dns-points-to-cdn',
      ok: null,
      detail: `${hostname} resolves to ${EDGE_ADDRESS}, which is no known CDN name and in no published CDN address range; pass expectedTargets to tell whether that is the CDN.`,
    });
    const local = await verifyHostname(hostname, options({ expectedTargets: [], checks, cdnAddressRanges: { cloudflare: ['127.0.0.0/30'] } }));
    expect(check(local, 'dns-points-to-cdn')).toEqual({
      id: 'dns-points-to-cdn',
      ok: true,
      detail: `${hostname} resolves to ${EDGE_ADDRESS}, inside Cloudflare's address range 127.0.0.0/30: it leads to Cloudflare's edge.`,
    });
    await expect(verifyHostname(hostname, options({ cdnAddressRanges: { cloudflare: ['127.0.0.1'] } }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('7. text: every failure path', () => {
  const rawOpenSsl = /error:[0-9a-f]{6,}|SSL routines|ssl3_|\.c:\d+|alert number/i;

  function assertReadable(text: string, where: string): void {
    expect(text, where).not.toMatch(/[\r\n]/);
    expect(text, where).not.toMatch(rawOpenSsl);
    expect(text, where).not.toMatch(/\.\s*\.|\.\)|[,;:]\s*[.,;:]|\s[.,;:]/);
    expect(text, where).toMatch(/[^.][.!?]$/);
    expect(text.length, where).toBeLessThan(600);
    const sentences = text.split(/(?<=[.!?]) /).filter((part) => part.length > 20);
    expect(new Set(sentences).size, `${where}: a repeated sentence`).toBe(sentences.length);
  }

  it('keeps every detail and warning on one line, without raw OpenSSL text, doubled sentences or punctuation', async () => {
    const results: VerifyResult[] = [];
    const day = 86_400_000;
    const untrusted = await createCertificateAuthority({ name: 'Another untrusted root' });
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    const quietDns = createSocket('udp4');
    await new Promise<void>((resolve) => quietDns.bind(0, '127.0.0.1', resolve));
    try {
      const hosts = await Promise.all([
        brandedHost({ route: { hostHeader: 'origin' } }),
        brandedHost({ certificate: { names: ['other.example.net'] } }),
        brandedHost({ certificate: { notBefore: new Date(Date.now() - 100 * day), notAfter: new Date(Date.now() - day) } }),
        brandedHost({ certificate: { notBefore: new Date(Date.now() + day), notAfter: new Date(Date.now() + 90 * day) } }),
        brandedHost({ certificate: { authority: untrusted } }),
        brandedHost({ certificate: { notAfter: new Date(Date.now() + 2 * 3_600_000) } }),
        brandedHost({ route: { failure: '502' } }),
        brandedHost({ route: { failure: 'refuse' } }),
        brandedHost({ route: { originHost: 'no-such-origin.sandbox.test' } }),
        brandedHost({ route: { http: false } }),
      ]);
      for (const host of hosts) {
        results.push(await verifyHostname(host.hostname, options()));
        results.push(await verifyHostname(host.hostname, options({ sampleLink: `${host.link.clickUrl}x` })));
      }
      const noCertificate = await brandedHost();
      sandbox.edge.removeCertificate(noCertificate.hostname);
      results.push(await verifyHostname(noCertificate.hostname, options()));
      const stillSendGrid = nextHostname();
      sandbox.dns.zone.setRecord({ name: stillSendGrid, type: 'CNAME', value: 'sendgrid.net' });
      results.push(await verifyHostname(stillSendGrid, options()));
      results.push(await verifyHostname('url404.nowhere.example.com', options()));
      results.push(await verifyHostname('url405.nowhere.example.com', options({ connectTo: 'edge.nowhere.example.com' })));
      results.push(await verifyHostname('url406.nowhere.example.com', { resolver: `127.0.0.1:${quietDns.address().port}`, timeoutMs: 300 }));
      results.push(await verifyHostname('url407.silent.example.com', { connectTo: '127.0.0.1', ports: { https: silentPort, http: silentPort }, timeoutMs: 300, checks: ['tls-valid', 'reaches-sendgrid', 'http-still-served'] }));
      results.push(await verifyHostname('url408.plain.example.com', { connectTo: '127.0.0.1', ports: { https: sandbox.ports.http, http: sandbox.ports.http }, timeoutMs: 3_000 }));
      const legacy = nextHostname();
      const legacyServer = await listener(legacy, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
      results.push(await verifyHostname(legacy, direct(legacyServer.port)));
      const chainless = nextHostname();
      const intermediate = await sandbox.ca.createIntermediate();
      const chainlessServer = await listener(chainless, { certificate: await intermediate.issue({ names: [chainless] }), sendChain: false });
      results.push(await verifyHostname(chainless, direct(chainlessServer.port)));
      const longName = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(55)}.example.com`;
      expect(longName).toHaveLength(311);
      const [invalid] = await verifyHostnames([longName], options());
      results.push(invalid as VerifyResult);
      expect(JSON.stringify(invalid)).not.toContain(longName);
      expect(invalid?.checks[0]?.detail).toContain('(311 characters)');

      let details = 0;
      for (const result of results) {
        for (const item of result.checks) {
          assertReadable(item.detail, `${result.hostname.slice(0, 40)} ${item.id}`);
          details += 1;
        }
        for (const warning of result.warnings) assertReadable(warning, `${result.hostname.slice(0, 40)} warning`);
      }
      expect(details).toBeGreaterThan(60);
      expect(results.some((result) => result.checks.some((item) => item.ok === false))).toBe(true);

      // The pre-cutover check's error joins the failing details once each.
      const error = await checkBeforeCutover({ hostname: 'url409.nowhere.example.com', edgeTarget: 'edge.nowhere.example.com', provider: 'direct-edge', verification: { ...sandbox.verification, timeoutMs: 500 }, maxWaitTime: 300 }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'PROVIDER' });
      assertReadable((error as Error).message, 'pre-cutover error');
      expect((error as Error).message.match(/NXDOMAIN/g)).toHaveLength(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      quietDns.close();
    }
  }, 60_000);
});
