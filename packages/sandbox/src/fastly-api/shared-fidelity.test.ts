/**
 * The fake Fastly API's claims for the shared-service mode (one service, many domains; TLS
 * subscriptions holding several domains), one test per behaviour the adapter relies on, each
 * citing its evidence. The per-host claims are in fidelity.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { defaultFastlyApiVariants, startFastlyApi, type FastlyApi } from './fastly-api.js';

let sandbox: Sandbox;
let fastly: FastlyApi;

beforeAll(async () => {
  sandbox = await startSandbox();
  fastly = await startFastlyApi(sandbox, { issuanceDelayMs: 1_000, maxDomainsPerSubscription: 3 });
});

afterEach(() => {
  fastly.setVariants(defaultFastlyApiVariants);
});

afterAll(async () => {
  await fastly?.close();
  await sandbox?.close();
});

const fastlyIdPattern = /^[A-Za-z0-9]{22}$/;

function call(method: string, path: string, body?: Record<string, string> | object): Promise<Response> {
  const tls = path.startsWith('/tls');
  return fetch(`${fastly.url}${path}`, {
    method,
    headers: { 'fastly-key': fastly.tokens.admin, ...(body ? { 'content-type': tls ? 'application/vnd.api+json' : 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { body: tls ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString() } : {}),
  });
}

let counter = 0;
function names(count: number): string[] {
  counter += 1;
  return Array.from({ length: count }, (_, index) => `shared${counter}x${index}.fidelity${Date.now()}.example.com`);
}

/** One active VCL service holding every name (version 1). */
async function serviceWith(domains: readonly string[]): Promise<string> {
  const created = await call('POST', '/service', { name: `shared fidelity ${Date.now()} ${counter}`, type: 'vcl' });
  const id = ((await created.json()) as { id: string }).id;
  for (const name of domains) expect((await call('POST', `/service/${id}/version/1/domain`, { name })).status).toBe(200);
  expect((await call('POST', `/service/${id}/version/1/backend`, { name: 'sendgrid', address: 'sendgrid.net', port: '443' })).status).toBe(200);
  expect((await call('PUT', `/service/${id}/version/1/activate`)).status).toBe(200);
  return id;
}

interface SubscriptionDocument {
  data: { id: string; attributes: { state: string; has_active_order: boolean }; relationships: Record<string, { data: unknown }> };
  included: Array<{ id: string; type: string; attributes: { state: string; challenges: Array<{ type: string; record_name: string; values: string[] }> } }>;
}

function subscribe(domains: readonly string[]): Promise<Response> {
  return call('POST', '/tls/subscriptions', {
    data: { type: 'tls_subscription', attributes: { certificate_authority: 'certainly' }, relationships: { tls_domains: { data: domains.map((id) => ({ type: 'tls_domain', id })) } } },
  });
}

function challengesOf(document: SubscriptionDocument): Map<string, string> {
  const found = new Map<string, string>();
  for (const authorization of document.included) {
    const challenge = authorization.attributes.challenges.find((candidate) => candidate.type === 'managed-dns');
    if (challenge?.values[0]) found.set(challenge.record_name, challenge.values[0]);
  }
  return found;
}

function publish(challenges: Map<string, string>): void {
  for (const [name, value] of challenges) sandbox.dns.zone.setRecord({ name, type: 'CNAME', value });
}

async function issued(id: string): Promise<SubscriptionDocument> {
  await fastly.sync();
  sandbox.clock.advance(1_000);
  return (await (await call('GET', `/tls/subscriptions/${id}?include=tls_authorizations`)).json()) as SubscriptionDocument;
}

describe('Fastly shared service: many domains on one version', () => {
  it('one version holds many domains, listed by GET …/version/{v}/domain and the details', async () => {
    // go-fastly fixtures/tls_subscription/domains/create.yaml and create2.yaml: two domains
    // created on one version of one service, each answered with its service_id and version.
    const domains = names(5);
    const id = await serviceWith(domains);
    const listed = (await (await call('GET', `/service/${id}/version/1/domain`)).json()) as Array<{ name: string; service_id: string; version: number }>;
    expect(listed.map((domain) => domain.name)).toEqual(domains);
    expect(listed.every((domain) => domain.service_id === id && domain.version === 1)).toBe(true);
    const details = (await (await call('GET', `/service/${id}/details`)).json()) as { active_version: { domains: Array<{ name: string }> } };
    expect(details.active_version.domains).toHaveLength(5);
  });

  it('a cloned version can lose one domain (DELETE …/domain/{name}) and keep the others', async () => {
    // Fastly API reference, Domain: "DELETE /service/{service_id}/version/{version_id}/domain/{domain_name}"
    // answers { "status": "ok" } (go-fastly fixtures/domains/delete.yaml).
    const domains = names(3);
    const id = await serviceWith(domains);
    expect((await call('PUT', `/service/${id}/version/1/clone`)).status).toBe(200);
    const removed = await call('DELETE', `/service/${id}/version/2/domain/${domains[1]}`);
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ status: 'ok' });
    const listed = (await (await call('GET', `/service/${id}/version/2/domain`)).json()) as Array<{ name: string }>;
    expect(listed.map((domain) => domain.name)).toEqual([domains[0], domains[2]]);
  });
});

describe('the domain limit of a service', () => {
  it('a domain past the limit is refused: "Exceeding max number of domains: N" in the detail', async () => {
    // https://docs.fastly.com/en/guides/common-service-and-domain-errors ("Exceeding max number of
    // domains"): { "msg": "An error occurred while connecting to the fastly API, please try your
    // request again.", "detail": "Exceeding max number of domains: 10" }. The status is not shown;
    // the fake answers 400, and the adapter reads the detail whatever the status.
    const limited = await startFastlyApi(sandbox, { maxDomainsPerService: 2 });
    try {
      const headers = { 'fastly-key': limited.tokens.admin, 'content-type': 'application/x-www-form-urlencoded' };
      const created = (await (await fetch(`${limited.url}/service`, { method: 'POST', headers, body: 'name=limited&type=vcl' })).json()) as { id: string };
      const add = (name: string) => fetch(`${limited.url}/service/${created.id}/version/1/domain`, { method: 'POST', headers, body: new URLSearchParams({ name }).toString() });
      for (const name of names(2)) expect((await add(name)).status).toBe(200);
      const refused = await add(names(1)[0] ?? '');
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ msg: 'An error occurred while connecting to the fastly API, please try your request again.', detail: 'Exceeding max number of domains: 2' });
    } finally {
      await limited.close();
    }
  });
});

describe('Fastly TLS subscriptions with several domains', () => {
  it('a subscription for several domains has one tls_authorization per domain, each with its own managed-dns challenge', async () => {
    // go-fastly fixtures/tls_subscription/update.yaml: after two domains, relationships
    // tls_authorizations holds two 22-character ids, and included[] one tls_authorization per
    // domain, with record_name _acme-challenge.<domain> and distinct *.fastly-validations.com values.
    const domains = names(2);
    await serviceWith(domains);
    const created = await subscribe(domains);
    expect(created.status).toBe(201);
    const document = (await created.json()) as SubscriptionDocument;
    const authorizations = document.data.relationships.tls_authorizations?.data as Array<{ id: string }>;
    expect(authorizations).toHaveLength(2);
    expect(authorizations.every((authorization) => fastlyIdPattern.test(authorization.id))).toBe(true);
    const challenges = challengesOf(document);
    expect([...challenges.keys()].sort()).toEqual(domains.map((domain) => `_acme-challenge.${domain}`).sort());
    expect(new Set(challenges.values()).size).toBe(2);
  });

  it('the certificate is issued only once every domain’s challenge is published', async () => {
    // An ACME order needs every identifier's authorization valid (RFC 8555 §7.1.3, §7.4); Fastly
    // asks one challenge per domain (update.yaml above). Issuance time is the fake's own.
    const domains = names(2);
    await serviceWith(domains);
    const document = (await (await subscribe(domains)).json()) as SubscriptionDocument;
    const challenges = challengesOf(document);
    const [first] = [...challenges.entries()];
    publish(new Map([first!]));
    expect((await issued(document.data.id)).data.attributes.state).toBe('pending');
    publish(challenges);
    await issued(document.data.id);
    const after = await issued(document.data.id);
    expect(after.data.attributes.state).toBe('issued');
    expect(after.included.every((authorization) => authorization.attributes.state === 'valid')).toBe(true);
  });

  it('PATCH /tls/subscriptions/{id}?force=true adds a domain: 200, state pending with an order, a new authorization for it', async () => {
    // go-fastly fixtures/tls_subscription/update.yaml: PATCH …?force=true with relationships
    // "tls_domain" (go-fastly's key) listing both domains → 200, state "pending",
    // has_active_order true, two tls_authorizations, the new one "pending".
    const [first, second] = names(2) as [string, string];
    await serviceWith([first, second]);
    const created = (await (await subscribe([first])).json()) as SubscriptionDocument;
    const patched = await call('PATCH', `/tls/subscriptions/${created.data.id}?force=true`, {
      data: { type: 'tls_subscription', id: created.data.id, relationships: { tls_domain: { data: [{ type: 'tls_domain', id: first }, { type: 'tls_domain', id: second }] } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('content-type')).toContain('application/vnd.api+json');
    const document = (await patched.json()) as SubscriptionDocument;
    expect(document.data.attributes).toMatchObject({ state: 'pending', has_active_order: true });
    expect((document.data.relationships.tls_domains?.data as Array<{ id: string }>).map((domain) => domain.id)).toEqual([first, second]);
    expect(document.included).toHaveLength(2);
    expect(challengesOf(document).get(`_acme-challenge.${second}`)).toMatch(/\.fastly-validations\.com$/);
    // The first domain's challenge is unchanged by the update (same value in update.yaml as in create.yaml).
    expect(challengesOf(document).get(`_acme-challenge.${first}`)).toBe(challengesOf(created).get(`_acme-challenge.${first}`));
  });

  it('changing the domains of a subscription serving TLS needs force=true', async () => {
    // fastly/cli pkg/commands/tls/subscription/update.go: --force "allows you to edit and delete
    // a subscription with active domains"; go-fastly fastly/tls_subscription.go always sends it.
    // The refusal's status and wording are not recorded: the adapter always sends force=true.
    const [first, second] = names(2) as [string, string];
    await serviceWith([first, second]);
    const created = (await (await subscribe([first])).json()) as SubscriptionDocument;
    publish(challengesOf(created));
    await issued(created.data.id);
    expect((await issued(created.data.id)).data.attributes.state).toBe('issued');
    const body = { data: { type: 'tls_subscription', id: created.data.id, relationships: { tls_domains: { data: [{ type: 'tls_domain', id: first }, { type: 'tls_domain', id: second }] } } } };
    expect((await call('PATCH', `/tls/subscriptions/${created.data.id}`, body)).status).toBe(400);
    expect((await call('PATCH', `/tls/subscriptions/${created.data.id}?force=true`, body)).status).toBe(200);
  });

  it('a subscription holds at most the configured number of domains; more is a 400', async () => {
    // Let's Encrypt allows 100 names per certificate (https://letsencrypt.org/docs/rate-limits/);
    // Fastly documents no figure for its subscriptions, so the fake's limit is a setting (3 here).
    const domains = names(4);
    await serviceWith(domains);
    const refused = await subscribe(domains);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ errors: [{ status: '400' }] });
  });
});

describe('where the evidence is unsure: what a subscription serves while re-issued for a changed domain list', () => {
  async function servedSubscription(): Promise<{ id: string; first: string; second: string }> {
    const [first, second] = names(2) as [string, string];
    await serviceWith([first, second]);
    const created = (await (await subscribe([first])).json()) as SubscriptionDocument;
    publish(challengesOf(created));
    await issued(created.data.id);
    await issued(created.data.id);
    await fastly.sync();
    expect(sandbox.edge.getCertificate(first)).toBeDefined();
    return { id: created.data.id, first, second };
  }

  function addSecond(subscription: { id: string; first: string; second: string }): Promise<Response> {
    return call('PATCH', `/tls/subscriptions/${subscription.id}?force=true`, {
      data: { type: 'tls_subscription', id: subscription.id, relationships: { tls_domains: { data: [{ type: 'tls_domain', id: subscription.first }, { type: 'tls_domain', id: subscription.second }] } } },
    });
  }

  it('kept (default): the issued certificate keeps serving its domains until the new one is issued', async () => {
    // The force flag's warning names only the removed domain ("may result in breaking TLS
    // termination to that domain", Fastly API reference, TLS subscriptions); renewals are served
    // from the issued certificate ("renewing" state, go-fastly fastly/tls_subscription.go).
    const subscription = await servedSubscription();
    const patched = (await (await addSecond(subscription)).json()) as SubscriptionDocument;
    expect((patched.data.relationships.tls_certificates?.data as unknown[]).length).toBe(1);
    await fastly.sync();
    expect(sandbox.edge.getCertificate(subscription.first)).toBeDefined();
    expect(sandbox.edge.getCertificate(subscription.second)).toBeUndefined();
  });

  it('dropped: every domain loses TLS until the new certificate is issued', async () => {
    fastly.setVariants({ certificateDuringReissue: 'dropped' });
    const subscription = await servedSubscription();
    const patched = (await (await addSecond(subscription)).json()) as SubscriptionDocument;
    expect(patched.data.relationships.tls_certificates?.data).toEqual([]);
    await fastly.sync();
    expect(sandbox.edge.getCertificate(subscription.first)).toBeUndefined();
  });
});
