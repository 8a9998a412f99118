import { promises as dnsPromises } from 'node:dns';
import { connect as netConnect } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { TCPClient } from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handshake, sendRequest, verifiedHandshake } from '../test/clients.js';
import type { SendRequestOptions } from '../test/clients.js';
import { EDGE_ADDRESS, ORIGIN_ADDRESS } from './addresses.js';
import { createCertificateAuthority } from './certificate-authority.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { EdgeRoute } from './edge.js';
import { startSandbox } from './sandbox.js';
import type { Sandbox } from './sandbox.js';

let sandbox: Sandbox;
let untrustedAuthority: CertificateAuthority;

beforeAll(async () => {
  [sandbox, untrustedAuthority] = await Promise.all([startSandbox(), createCertificateAuthority({ name: 'untrusted root' })]);
});

afterAll(async () => {
  await sandbox.close();
});

/**
 * A resolver asking only the sandbox DNS, once. Answers get 2 s (at 300 ms, with test files side
 * by side on a loaded machine, a TXT answer timed out); the test of a server that is down passes
 * its own short time-out.
 */
function resolver(timeoutMs = 2_000): dnsPromises.Resolver {
  const result = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 1 });
  result.setServers([sandbox.dns.address]);
  return result;
}

/** Routes `hostname` through the edge to sendgrid.net (a correct CDN set-up), with its certificate and branding. */
async function configureHost(hostname: string, route: Partial<EdgeRoute> = {}): Promise<void> {
  sandbox.origin.addBrandedHost(hostname);
  sandbox.edge.setRoute({
    hostname,
    provider: 'cloudflare',
    originHost: 'sendgrid.net',
    originProtocol: 'https',
    hostHeader: 'viewer',
    ...route,
  });
  await sandbox.edge.setCertificate(hostname);
}

function viaEdge(hostname: string, path: string, options: Partial<SendRequestOptions> = {}): ReturnType<typeof sendRequest> {
  return sendRequest({
    protocol: 'https',
    address: EDGE_ADDRESS,
    port: sandbox.ports.https,
    host: hostname,
    path,
    ca: sandbox.ca.certificate,
    ...options,
  });
}

function originRequestsFor(hostname: string): number {
  return sandbox.origin.requests.filter((entry) => entry.host === hostname).length;
}

describe('sandbox DNS', () => {
  it('answers A, CNAME chains, TXT and NXDOMAIN to Node’s resolver', async () => {
    const zone = sandbox.dns.zone;
    zone.setRecord({ name: 'url1234.example.com', type: 'CNAME', value: 'url1234.example.com.cdn.cloudflare.net' });
    zone.setRecord({ name: 'url1234.example.com.cdn.cloudflare.net', type: 'A', value: EDGE_ADDRESS });
    zone.setRecord({ name: '_verify.example.com', type: 'TXT', value: 'token-123' });
    const client = resolver();

    expect(await client.resolve4('sendgrid.net')).toEqual([ORIGIN_ADDRESS]);
    expect(await client.resolve4('eu.sendgrid.net')).toEqual([ORIGIN_ADDRESS]);
    expect(await client.resolveCname('url1234.example.com')).toEqual(['url1234.example.com.cdn.cloudflare.net']);
    expect(await client.resolve4('URL1234.example.com')).toEqual([EDGE_ADDRESS]);
    expect(await client.resolveTxt('_verify.example.com')).toEqual([['token-123']]);
    await expect(client.resolve4('missing.example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(client.resolveCname('sendgrid.net')).rejects.toMatchObject({ code: 'ENODATA' });

    const logged = sandbox.dns.requests.find((entry) => entry.name === 'missing.example.com');
    expect(logged).toMatchObject({ type: 'A', transport: 'udp', responseCode: 'NXDOMAIN' });
    expect(typeof logged?.receivedAt).toBe('number');
  });

  it('answers over TCP on the same port', async () => {
    const resolve = TCPClient({ dns: sandbox.dns.host, port: sandbox.dns.port });
    const answer = await resolve('click.sendgrid.net', 'A');
    expect(answer.answers.map((record) => record.address)).toEqual([ORIGIN_ADDRESS]);
  });

  it('stops answering while down', async () => {
    sandbox.dns.setDown(true);
    try {
      await expect(resolver(300).resolve4('sendgrid.net')).rejects.toMatchObject({ code: 'ETIMEOUT' });
      expect(sandbox.dns.requests.at(-1)).toMatchObject({ name: 'sendgrid.net', responseCode: 'DROPPED' });
    } finally {
      sandbox.dns.setDown(false);
    }
    expect(await resolver().resolve4('sendgrid.net')).toEqual([ORIGIN_ADDRESS]);
  });
});

describe('sandbox certificates', () => {
  it('issues edge certificates trusted by the sandbox root, and rejects an untrusted root', async () => {
    const certificate = await sandbox.edge.setCertificate('trusted.example.com');
    expect(certificate.names).toEqual(['trusted.example.com']);
    expect(certificate.notAfter.getTime() - Date.now()).toBeGreaterThan(89 * 24 * 3600 * 1000);
    const peer = await verifiedHandshake(EDGE_ADDRESS, sandbox.ports.https, 'trusted.example.com', sandbox.ca.certificate);
    expect(peer.subject.CN).toBe('trusted.example.com');
    expect(sandbox.edge.getCertificate('TRUSTED.example.com')?.pem).toBe(certificate.pem);

    await sandbox.edge.setCertificate('untrusted.example.com', { authority: untrustedAuthority });
    await expect(
      verifiedHandshake(EDGE_ADDRESS, sandbox.ports.https, 'untrusted.example.com', sandbox.ca.certificate),
    ).rejects.toMatchObject({ code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/) });
  });

  it('serves a certificate with the names and validity asked for', async () => {
    const expired = new Date(Date.now() - 24 * 3600 * 1000);
    await sandbox.edge.setCertificate('expired.example.com', {
      notBefore: new Date(Date.now() - 10 * 24 * 3600 * 1000),
      notAfter: expired,
    });
    await expect(
      verifiedHandshake(EDGE_ADDRESS, sandbox.ports.https, 'expired.example.com', sandbox.ca.certificate),
    ).rejects.toMatchObject({ code: 'CERT_HAS_EXPIRED' });

    await sandbox.edge.setCertificate('wrong-name.example.com', { names: ['other.example.com'] });
    const result = await handshake(EDGE_ADDRESS, sandbox.ports.https, 'wrong-name.example.com', sandbox.ca.certificate);
    // The chain is trusted; only the name is wrong.
    expect(result.authorizationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(checkServerIdentity('other.example.com', result.certificate)).toBeUndefined();
  });

  it('fails the handshake for a host without a certificate', async () => {
    await expect(handshake(EDGE_ADDRESS, sandbox.ports.https, 'no-certificate.example.com')).rejects.toThrow();
    expect(sandbox.edge.handshakes.at(-1)).toMatchObject({ servername: 'no-certificate.example.com', outcome: 'no-certificate' });

    await sandbox.edge.setCertificate('removed.example.com');
    expect(sandbox.edge.removeCertificate('removed.example.com')).toBe(true);
    await expect(handshake(EDGE_ADDRESS, sandbox.ports.https, 'removed.example.com')).rejects.toThrow();
  });

  it('gives a host CNAMEd straight to sendgrid.net the *.sendgrid.net certificate', async () => {
    sandbox.dns.zone.setRecord({ name: 'url9999.example.com', type: 'CNAME', value: 'sendgrid.net' });
    const [address] = await resolver().resolve4('url9999.example.com');
    expect(address).toBe(ORIGIN_ADDRESS);
    const result = await handshake(address ?? '', sandbox.ports.https, 'url9999.example.com', sandbox.ca.certificate);
    expect(result.certificate.subject.CN).toBe('*.sendgrid.net');
    expect(result.certificate.subjectaltname).toBe('DNS:*.sendgrid.net, DNS:sendgrid.net');
    expect(checkServerIdentity('url9999.example.com', result.certificate)).toBeInstanceOf(Error);
  });
});

describe('sandbox edge and origin', () => {
  it('forwards a click with the viewer Host to the origin, which redirects', async () => {
    await configureHost('click.example.com');
    const link = sandbox.origin.createLink('click.example.com', 'https://www.example.com/landing?a=1');
    expect(link.clickUrl).toBe(`http://click.example.com/ls/click?upn=${link.upn}`);

    const answer = await viaEdge('click.example.com', `/ls/click?upn=${link.upn}`);
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('https://www.example.com/landing?a=1');
    expect(answer.headers.server).toBe('cloudflare');
    expect(answer.headers['cf-ray']).toMatch(/^[0-9a-f]{16}-SBX$/);

    const seen = sandbox.origin.requests.at(-1);
    expect(seen).toMatchObject({ method: 'GET', host: 'click.example.com', path: '/ls/click', protocol: 'https', status: 302 });
    expect(seen?.query).toEqual({ upn: link.upn });
    expect(sandbox.edge.requests.at(-1)).toMatchObject({
      hostname: 'click.example.com',
      servername: 'click.example.com',
      protocol: 'https',
      status: 302,
      originAddress: ORIGIN_ADDRESS,
    });

    expect((await viaEdge('click.example.com', '/ls/click?upn=unknown')).status).toBe(404);
    expect((await viaEdge('click.example.com', '/wf/click?upn=' + link.upn)).status).toBe(302);
    const unsubscribe = await viaEdge('click.example.com', '/asm/unsubscribe?upn=x', { method: 'POST', body: 'a=b' });
    expect(unsubscribe.status).toBe(200);
    expect(sandbox.origin.requests.at(-1)?.body).toBe('a=b');
  });

  it('breaks when the edge sends the origin’s Host instead of the viewer’s', async () => {
    await configureHost('origin-host.example.com', { hostHeader: 'origin', provider: 'fastly' });
    const link = sandbox.origin.createLink('origin-host.example.com', 'https://www.example.com/');
    const answer = await viaEdge('origin-host.example.com', `/ls/click?upn=${link.upn}`);
    expect(answer.status).toBe(404);
    expect(answer.headers.via).toBe('1.1 varnish');
    expect(answer.headers['x-served-by']).toBe('cache-sandbox');
    expect(sandbox.origin.requests.at(-1)?.host).toBe('sendgrid.net');
  });

  it('serves a repeated click from cache when the route caches', async () => {
    await configureHost('cached.example.com', { cache: true, provider: 'cloudfront' });
    const link = sandbox.origin.createLink('cached.example.com', 'https://www.example.com/cached');
    const first = await viaEdge('cached.example.com', `/ls/click?upn=${link.upn}`);
    const second = await viaEdge('cached.example.com', `/ls/click?upn=${link.upn}`);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(first.headers['x-cache']).toBe('Miss from cloudfront');
    expect(second.headers['x-cache']).toBe('Hit from cloudfront');
    expect(second.headers.via).toMatch(/^1\.1 [0-9a-f]+\.cloudfront\.net \(CloudFront\)$/);
    expect(second.headers['x-amz-cf-id']).toBeTruthy();
    expect(originRequestsFor('cached.example.com')).toBe(1);
  });

  it('answers the open pixel with a GIF', async () => {
    await configureHost('open.example.com');
    const link = sandbox.origin.createLink('open.example.com', 'https://www.example.com/', { protocol: 'https' });
    expect(link.openUrl).toBe(`https://open.example.com/wf/open?upn=${link.upn}`);
    const answer = await viaEdge('open.example.com', new URL(link.openUrl).pathname + new URL(link.openUrl).search);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('image/gif');
    expect(answer.body.subarray(0, 6).toString('latin1')).toBe('GIF89a');
  });

  it('forwards plain HTTP to the origin over HTTP', async () => {
    await configureHost('plain.example.com', { originProtocol: 'http' });
    const link = sandbox.origin.createLink('plain.example.com', 'https://www.example.com/plain');
    const answer = await sendRequest({
      protocol: 'http',
      address: EDGE_ADDRESS,
      port: sandbox.ports.http,
      host: 'plain.example.com',
      path: `/ls/click?upn=${link.upn}`,
    });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('https://www.example.com/plain');
    expect(sandbox.origin.requests.at(-1)).toMatchObject({ protocol: 'http', host: 'plain.example.com' });
    expect(sandbox.edge.requests.at(-1)).toMatchObject({ protocol: 'http', status: 302 });
  });

  it('routes by Host at the origin: unknown hosts and sendgrid.net itself get 404', async () => {
    const direct = (host: string, path: string, protocol: 'https' | 'http' = 'https') =>
      sendRequest({
        protocol,
        address: ORIGIN_ADDRESS,
        port: protocol === 'https' ? sandbox.ports.https : sandbox.ports.http,
        host,
        path,
        servername: 'sendgrid.net',
        ca: sandbox.ca.certificate,
      });
    expect((await direct('unknown.example.com', '/ls/click?upn=abc')).status).toBe(404);
    expect((await direct('sendgrid.net', '/ls/click?upn=abc')).status).toBe(404);
    expect((await direct('sendgrid.net', '/', 'http')).status).toBe(200);
    sandbox.origin.addBrandedHost('direct.example.com');
    const link = sandbox.origin.createLink('direct.example.com', 'https://www.example.com/direct');
    expect((await direct('direct.example.com', `/ls/click?upn=${link.upn}`, 'http')).status).toBe(302);
    expect(() => sandbox.origin.createLink('not-branded.example.com', 'https://www.example.com/')).toThrow(TypeError);
    expect(sandbox.origin.brandedHosts()).toContain('direct.example.com');
  });

  it('maps origin certificate validation to 526 on Cloudflare strict and passes on CloudFront', async () => {
    await configureHost('strict-cloudflare.example.com', { verifyOriginCertificate: true });
    const cloudflare = await viaEdge('strict-cloudflare.example.com', '/');
    expect(cloudflare.status).toBe(526);

    await configureHost('strict-cloudfront.example.com', { verifyOriginCertificate: true, provider: 'cloudfront' });
    const cloudfront = await viaEdge('strict-cloudfront.example.com', '/');
    expect(cloudfront.status).toBe(200);
  });

  it('fails like a CDN when the origin is wrong or the configuration is broken', async () => {
    await configureHost('no-origin.example.com', { originHost: 'does-not-exist.example.net', provider: 'cloudfront' });
    const unresolvable = await viaEdge('no-origin.example.com', '/');
    expect(unresolvable.status).toBe(502);
    expect(unresolvable.headers['x-cache']).toBe('Error from cloudfront');

    sandbox.dns.zone.setRecord({ name: 'dead-origin.example.net', type: 'A', value: '127.0.0.3' });
    await configureHost('dead-origin.example.com', { originHost: 'dead-origin.example.net' });
    expect((await viaEdge('dead-origin.example.com', '/')).status).toBe(521);

    await configureHost('disabled.example.com', { enabled: false, provider: 'cloudfront' });
    expect((await viaEdge('disabled.example.com', '/')).status).toBe(403);

    await configureHost('methods.example.com', { allowedMethods: ['GET', 'HEAD'], provider: 'cloudfront' });
    expect((await viaEdge('methods.example.com', '/wf/unsubscribe', { method: 'POST', body: 'x' })).status).toBe(403);

    await configureHost('unavailable.example.com', { failure: '503' });
    expect((await viaEdge('unavailable.example.com', '/')).status).toBe(503);

    await configureHost('refusing.example.com', { failure: 'refuse' });
    await expect(viaEdge('refusing.example.com', '/')).rejects.toThrow();

    await configureHost('hanging.example.com', { failure: 'hang' });
    await expect(viaEdge('hanging.example.com', '/', { timeoutMilliseconds: 200 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });

    await sandbox.edge.setCertificate('unrouted.example.com');
    expect((await viaEdge('unrouted.example.com', '/')).status).toBe(421);

    await configureHost('https-only.example.com', { http: false });
    const redirected = await sendRequest({
      protocol: 'http',
      address: EDGE_ADDRESS,
      port: sandbox.ports.http,
      host: 'https-only.example.com',
      path: '/ls/click?upn=x',
    });
    expect(redirected.status).toBe(301);
    expect(redirected.headers.location).toBe('https://https-only.example.com/ls/click?upn=x');
  });
});

describe('sandbox lifecycle', () => {
  it('closes every listener, idempotently', async () => {
    const other = await startSandbox();
    const listening = [
      [EDGE_ADDRESS, other.ports.https],
      [EDGE_ADDRESS, other.ports.http],
      [ORIGIN_ADDRESS, other.ports.https],
      [ORIGIN_ADDRESS, other.ports.http],
      [other.dns.host, other.dns.port],
    ] as const;
    // Hold an idle keep-alive connection open; close() must not wait for it.
    const idle = netConnect(other.ports.http, EDGE_ADDRESS);
    idle.on('error', () => undefined);
    await new Promise((resolve) => idle.once('connect', resolve));
    await Promise.all([other.close(), other.close()]);
    await other.close();
    for (const [host, port] of listening) {
      await expect(
        new Promise((resolve, reject) => {
          const socket = netConnect(port, host);
          socket.once('connect', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.once('error', reject);
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
  });
});
