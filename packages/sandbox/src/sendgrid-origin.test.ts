import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN_ADDRESS } from './addresses.js';
import { startSandbox, type Sandbox } from './sandbox.js';
import { handshake, sendRequest } from '../test/clients.js';

// The fake SendGrid origin is a claim about SendGrid: each behaviour the verifier relies on is
// pinned here with its evidence.

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

function direct(host: string, path: string) {
  return sendRequest({ protocol: 'https', address: ORIGIN_ADDRESS, port: sandbox.ports.https, host, path, servername: 'sendgrid.net', ca: sandbox.ca.certificate });
}

describe('the fake SendGrid origin', () => {
  // sendgrid/docs universal-links.md (2019-01-30): a click link answers with a redirect whose
  // Location is the original URL; Braze's troubleshooting table: a 404 means the Host or path did
  // not reach SendGrid as sent (reference/sendgrid-cdn-facts.md §3 and §4).
  it('redirects a tracked link on its own host, and answers 404 for it under another Host', async () => {
    sandbox.origin.addBrandedHost('url7001.origin.example.com');
    const link = sandbox.origin.createLink('url7001.origin.example.com', 'https://shop.example.org/a');
    const known = await sendRequest({ protocol: 'https', address: ORIGIN_ADDRESS, port: sandbox.ports.https, host: 'url7001.origin.example.com', servername: 'sendgrid.net', path: `/ls/click?upn=${link.upn}`, ca: sandbox.ca.certificate });
    expect(known).toMatchObject({ status: 302, headers: { location: 'https://shop.example.org/a' } });
    const rewritten = await sendRequest({ protocol: 'https', address: ORIGIN_ADDRESS, port: sandbox.ports.https, host: 'sendgrid.net', path: `/ls/click?upn=${link.upn}`, ca: sandbox.ca.certificate });
    expect(rewritten.status).toBe(404);
  });

  // No source documents SendGrid's answer to GET / on a branded host (reference/sendgrid-cdn-facts.md
  // §3 "Responses to a bogus upn, or to /, are unknown (no source)", §7 item 4), so the fake can
  // give either plausible answer and the verifier is tested under both.
  it('answers GET / on a branded host either with a page or with the unknown-host 404, as switched', async () => {
    sandbox.origin.addBrandedHost('url7002.origin.example.com');
    try {
      expect((await direct('url7002.origin.example.com', '/')).status).toBe(200);
      sandbox.origin.setRootAnswer('not-found');
      expect((await direct('url7002.origin.example.com', '/')).status).toBe(404);
      expect((await direct('url7999.unknown.example.com', '/')).status).toBe(404);
    } finally {
      sandbox.origin.setRootAnswer('page');
    }
  });

  // Auto SSL link branding: the host is a CNAME to click.sendgrid.net, and SendGrid obtains its
  // certificate through the _acme-challenge CNAME it lists (support article 55419969558427,
  // reference/sendgrid-cdn-facts.md §0), so SendGrid itself serves a certificate for the host.
  it('serves an Auto SSL host with a certificate for the host itself, and routes it by Host', async () => {
    await sandbox.origin.enableAutoSsl('url7003.origin.example.com');
    const served = await handshake(ORIGIN_ADDRESS, sandbox.ports.https, 'url7003.origin.example.com', sandbox.ca.certificate);
    expect(served).toMatchObject({ authorized: true, certificate: { subject: { CN: 'url7003.origin.example.com' } } });
    const other = await handshake(ORIGIN_ADDRESS, sandbox.ports.https, 'url7004.origin.example.com', sandbox.ca.certificate);
    expect(other.certificate.subject.CN).toBe('*.sendgrid.net');
    const link = sandbox.origin.createLink('url7003.origin.example.com', 'https://shop.example.org/b');
    expect((await direct('url7003.origin.example.com', `/ls/click?upn=${link.upn}`)).status).toBe(302);
  });
});
