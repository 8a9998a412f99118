import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, EDGE_ADDRESS, startSandbox, type Sandbox } from '@sslclick/sandbox';
import { lookupName, verifyHostname, verifyHostnames, type VerifyOptions, type VerifyResult } from '@sslclick/core';

let sandbox: Sandbox;
let counter = 0;
const edgeName = 'edge.cdn.sandbox.test';

beforeAll(async () => {
  sandbox = await startSandbox();
  sandbox.dns.zone.setRecord({ name: edgeName, type: 'A', value: EDGE_ADDRESS });
});
afterAll(async () => {
  await sandbox.close();
});

function options(extra: VerifyOptions = {}): VerifyOptions {
  return {
    resolver: sandbox.dns.address,
    ca: sandbox.ca.certificate,
    ports: sandbox.ports,
    expectedTargets: [edgeName],
    timeoutMs: 3_000,
    ...extra,
  };
}

function check(result: VerifyResult, id: string) {
  const found = result.checks.find((candidate) => candidate.id === id);
  expect(found, `check ${id}`).toBeDefined();
  return found as NonNullable<typeof found>;
}

/** A branded host behind the sandbox CDN, configured correctly unless told otherwise. */
async function brandedHost(setup: { route?: Partial<Parameters<Sandbox['edge']['setRoute']>[0]>; certificate?: Parameters<Sandbox['edge']['setCertificate']>[1] | null; cname?: string } = {}) {
  counter += 1;
  const hostname = `url${1000 + counter}.verifier.example.com`;
  sandbox.origin.addBrandedHost(hostname);
  sandbox.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: setup.cname ?? edgeName });
  if (setup.certificate !== null) await sandbox.edge.setCertificate(hostname, setup.certificate ?? undefined);
  sandbox.edge.setRoute({ hostname, provider: 'cloudfront', originHost: 'sendgrid.net', originProtocol: 'https', hostHeader: 'viewer', ...setup.route });
  const link = sandbox.origin.createLink(hostname, 'https://shop.example.org/sale?item=7', { protocol: 'https' });
  return { hostname, link };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('verifyHostname against the sandbox', () => {
  it('passes every check for a correct route', async () => {
    const { hostname, link } = await brandedHost();
    const result = await verifyHostname(hostname, options({ sampleLink: link.clickUrl }));
    expect(result.checks.map((item) => [item.id, item.ok])).toEqual([
      ['dns-points-to-cdn', true],
      ['dns-not-sendgrid', true],
      ['tls-valid', true],
      ['reaches-sendgrid', true],
      ['http-still-served', true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.observed.https).toMatchObject({ status: 302, location: 'https://shop.example.org/sale?item=7', cdn: 'cloudfront' });
    expect(result.observed.dns?.cnameChain).toEqual([edgeName]);
    expect(result.observed.tls?.names).toEqual([hostname]);
    expect(sandbox.origin.requests.some((request) => request.host === hostname && request.path === '/ls/click')).toBe(true);
  });

  it('fails the DNS checks, and names SendGrid\'s certificate, for a host still CNAMEd to sendgrid.net', async () => {
    const { hostname, link } = await brandedHost({ cname: 'sendgrid.net' });
    const result = await verifyHostname(hostname, options({ sampleLink: link.clickUrl }));
    expect(check(result, 'dns-not-sendgrid')).toMatchObject({ ok: false, detail: expect.stringMatching(/still a CNAME to sendgrid\.net/) });
    expect(check(result, 'dns-points-to-cdn').ok).toBe(false);
    expect(check(result, 'tls-valid')).toMatchObject({ ok: false, detail: expect.stringMatching(/reaches SendGrid directly/) });
    expect(result.ok).toBe(false);
  });

  it('fails tls-valid for a certificate issued for another name', async () => {
    const { hostname } = await brandedHost({ certificate: { names: ['other.example.net'] } });
    const result = await verifyHostname(hostname, options());
    expect(check(result, 'tls-valid')).toMatchObject({ ok: false, detail: expect.stringMatching(/other\.example\.net.*does not cover/) });
  });

  it('fails tls-valid for an expired certificate', async () => {
    const day = 86_400_000;
    const { hostname } = await brandedHost({ certificate: { notBefore: new Date(Date.now() - 100 * day), notAfter: new Date(Date.now() - day) } });
    const result = await verifyHostname(hostname, options());
    expect(check(result, 'tls-valid')).toMatchObject({ ok: false, detail: expect.stringMatching(/expired/) });
  });

  it('warns, but passes, when fewer than 14 days are left', async () => {
    const { hostname } = await brandedHost({ certificate: { notAfter: new Date(Date.now() + 5 * 86_400_000) } });
    const result = await verifyHostname(hostname, options());
    expect(check(result, 'tls-valid').ok).toBe(true);
    expect(result.warnings.join(' ')).toMatch(/expires in [45] days/);
  });

  it('fails tls-valid for a certificate from an untrusted root', async () => {
    const untrusted = await createCertificateAuthority({ name: 'Untrusted test root' });
    const { hostname } = await brandedHost({ certificate: { authority: untrusted } });
    const result = await verifyHostname(hostname, options());
    expect(check(result, 'tls-valid')).toMatchObject({ ok: false, detail: expect.stringMatching(/not trusted/) });
  });

  it('fails tls-valid when the edge has no certificate for the host', async () => {
    const { hostname } = await brandedHost({ certificate: null });
    const result = await verifyHostname(hostname, options());
    expect(check(result, 'tls-valid')).toMatchObject({ ok: false, detail: expect.stringMatching(/refused TLS/) });
    expect(check(result, 'reaches-sendgrid').ok).toBe(false);
  });

  it('fails reaches-sendgrid when the edge replaces the Host header (the origin answers 404)', async () => {
    const { hostname, link } = await brandedHost({ route: { hostHeader: 'origin' } });
    const result = await verifyHostname(hostname, options({ sampleLink: link.clickUrl }));
    expect(check(result, 'tls-valid').ok).toBe(true);
    expect(check(result, 'reaches-sendgrid')).toMatchObject({ ok: false, detail: expect.stringMatching(/404.*replaces the Host header/) });
    expect(result.ok).toBe(false);
  });

  it('fails http-still-served when port 80 is closed', async () => {
    const { hostname, link } = await brandedHost();
    const closedPort = await freePort();
    const result = await verifyHostname(hostname, options({ sampleLink: link.clickUrl, ports: { https: sandbox.ports.https, http: closedPort } }));
    expect(check(result, 'tls-valid').ok).toBe(true);
    expect(check(result, 'http-still-served')).toMatchObject({ ok: false, detail: expect.stringMatching(/ECONNREFUSED.*http:\/\/ links/) });
  });

  it('times out, rather than hangs, on a server that accepts TCP and never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const startedAt = Date.now();
      const result = await verifyHostname('url1.silent.example.com', {
        connectTo: '127.0.0.1',
        ports: { https: port, http: port },
        checks: ['tls-valid', 'reaches-sendgrid', 'http-still-served'],
        timeoutMs: 400,
      });
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(check(result, 'tls-valid')).toMatchObject({ ok: false, detail: expect.stringMatching(/within the time-out/) });
      expect(check(result, 'http-still-served')).toMatchObject({ ok: false, detail: expect.stringMatching(/No HTTP answer within 400 ms/) });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('runs one host\'s HTTPS and plain-HTTP probes at once: an edge answering HTTPS only after the plain request arrived passes', async () => {
    // Probes one after the other would send the plain request only after the HTTPS answer, which
    // this edge holds until the plain request came: reaches-sendgrid would time out.
    const hostname = 'url1.together.example.com';
    const issued = await sandbox.ca.issue({ names: [hostname] });
    let plainArrived!: () => void;
    const plainRequest = new Promise<void>((resolve) => {
      plainArrived = resolve;
    });
    const secure = createHttpsServer({ key: issued.key, cert: issued.certificate }, (_request, response) => {
      void plainRequest.then(() => response.writeHead(200, { server: 'together' }).end('ok'));
    });
    const plain = createHttpServer((_request, response) => {
      plainArrived();
      response.writeHead(200).end('ok');
    });
    await Promise.all([secure, plain].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    try {
      const result = await verifyHostname(hostname, {
        connectTo: '127.0.0.1',
        ca: sandbox.ca.certificate,
        ports: { https: (secure.address() as AddressInfo).port, http: (plain.address() as AddressInfo).port },
        checks: ['tls-valid', 'reaches-sendgrid', 'http-still-served'],
        timeoutMs: 2_000,
      });
      expect(result.checks.map((each) => each.id)).toEqual(['tls-valid', 'reaches-sendgrid', 'http-still-served']);
      expect(check(result, 'tls-valid').ok).toBe(true);
      expect(result.observed.https).toMatchObject({ status: 200 });
      expect(result.observed.https?.errorCode).toBeUndefined();
      expect(check(result, 'http-still-served').ok).toBe(true);
    } finally {
      secure.closeAllConnections();
      plain.closeAllConnections();
      await Promise.all([secure, plain].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it('dials connectTo before DNS points at the CDN: the pre-cutover check', async () => {
    const { hostname, link } = await brandedHost({ cname: 'sendgrid.net' });
    const result = await verifyHostname(hostname, options({ sampleLink: link.clickUrl, connectTo: edgeName, checks: ['tls-valid', 'reaches-sendgrid'] }));
    expect(result.observed.dialed).toEqual({ address: EDGE_ADDRESS, via: 'connectTo' });
    expect(result.ok).toBe(true);
  });

  it('reports an Auto SSL link as needing no CDN', async () => {
    const { hostname } = await brandedHost({ cname: 'click.sendgrid.net' });
    const result = await verifyHostname(hostname, options({ checks: ['dns-points-to-cdn', 'dns-not-sendgrid'] }));
    expect(result.observed.autoSsl).toBe(true);
    expect(check(result, 'dns-not-sendgrid')).toMatchObject({ ok: null, detail: expect.stringMatching(/Auto SSL.*no CDN is needed/) });
  });

  it('reports failed checks, not an exception, when the DNS server does not answer', async () => {
    const quiet = createSocket('udp4');
    await new Promise<void>((resolve) => quiet.bind(0, '127.0.0.1', resolve));
    try {
      const startedAt = Date.now();
      const result = await verifyHostname('url9.example.com', { resolver: `127.0.0.1:${quiet.address().port}`, timeoutMs: 300 });
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(result.ok).toBe(false);
      expect(check(result, 'dns-points-to-cdn')).toMatchObject({ ok: false, detail: expect.stringMatching(/did not answer/) });
      expect(check(result, 'tls-valid').ok).toBe(false);
    } finally {
      quiet.close();
    }
  });

  it('asks again when an answer is lost, instead of reporting that the DNS server did not answer', async () => {
    // A relay in front of the sandbox DNS that drops one query once the resolver has seen the
    // server answer quickly: c-ares then waits only 250 ms for an answer (five times the average
    // latency, at least 250 ms), whatever the time-out, so a single try reported one lost
    // datagram (a busy machine) as "did not answer" for the whole lookup.
    const relay = createSocket('udp4');
    const upstream = createSocket('udp4');
    await Promise.all([new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve)), new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve))]);
    const [dnsHost, dnsPort] = sandbox.dns.address.split(':') as [string, string];
    let client: { address: string; port: number } | undefined;
    let dropNext = false;
    let dropped = 0;
    relay.on('message', (message, from) => {
      client = { address: from.address, port: from.port };
      if (dropNext) {
        dropNext = false;
        dropped += 1;
        return;
      }
      upstream.send(message, Number(dnsPort), dnsHost);
    });
    upstream.on('message', (message) => {
      if (client) relay.send(message, client.port, client.address);
    });
    try {
      const servers = [`127.0.0.1:${relay.address().port}`];
      // Other names each time: c-ares keeps answers for their TTL and would not ask again.
      for (let round = 0; round < 3; round += 1) {
        const { hostname } = await brandedHost();
        expect(await lookupName(hostname, { servers, timeoutMs: 3_000 })).toMatchObject({ cnameChain: [edgeName], addresses: [EDGE_ADDRESS] });
      }
      const { hostname } = await brandedHost();
      dropNext = true;
      const afterLoss = await lookupName(hostname, { servers, timeoutMs: 3_000 });
      expect(dropped).toBe(1);
      expect(afterLoss).toMatchObject({ cnameChain: [edgeName], addresses: [EDGE_ADDRESS] });
      expect(afterLoss.errorCode).toBeUndefined();
    } finally {
      relay.close();
      upstream.close();
    }
  });

  it('reports a name that does not exist', async () => {
    const result = await verifyHostname('url404.nowhere.example.com', options());
    expect(check(result, 'dns-points-to-cdn')).toMatchObject({ ok: false, detail: expect.stringMatching(/does not exist/) });
  });

  it('rejects an invalid hostname with INVALID_INPUT', async () => {
    await expect(verifyHostname('https://url1.example.com/', options())).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('verifyHostnames', () => {
  it('checks many hosts with a bound on concurrency, in input order, and reports invalid ones', async () => {
    const hosts = await Promise.all(Array.from({ length: 6 }, () => brandedHost()));
    const names = [...hosts.map((host) => host.hostname), 'not a hostname'];
    const sampleLinks = Object.fromEntries(hosts.map((host) => [host.hostname, host.link.clickUrl]));
    const results = await verifyHostnames(names, { ...options(), concurrency: 3, sampleLinks });
    expect(results.map((result) => result.hostname)).toEqual(names);
    expect(results.slice(0, 6).every((result) => result.ok)).toBe(true);
    expect(results[6]).toMatchObject({ ok: false, checks: [{ id: 'hostname-valid', ok: false }] });
  });
});
