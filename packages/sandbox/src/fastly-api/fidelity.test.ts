/**
 * The fake Fastly API is a claim about Fastly. One test per behaviour the Fastly adapter relies
 * on, each citing its evidence:
 * - go-fastly: a source file or a go-vcr cassette (recorded traffic with the real API) in
 *   github.com/fastly/go-fastly, `fastly/fixtures/…`;
 * - fastly/cli: a source file in github.com/fastly/cli;
 * - a Fastly documentation page.
 * Where the evidence is unsure the fake has variants (`FastlyApiVariants`); the last block checks
 * that each variant answers as it says, and packages/fastly/test/vendor-answers.test.ts runs the
 * adapter under each.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { defaultFastlyApiVariants, startFastlyApi, type FastlyApi } from './fastly-api.js';

let sandbox: Sandbox;
let fastly: FastlyApi;

beforeAll(async () => {
  sandbox = await startSandbox();
  fastly = await startFastlyApi(sandbox, { issuanceDelayMs: 60_000 });
});

afterEach(() => {
  fastly.setVariants(defaultFastlyApiVariants);
});

afterAll(async () => {
  await fastly?.close();
  await sandbox?.close();
});

/** Fastly's id format in every recorded answer: 22 base62 characters ("FPkmJNp1fH8CnWbdi21Wf3"). */
const fastlyIdPattern = /^[A-Za-z0-9]{22}$/;

function call(method: string, path: string, body?: Record<string, string> | object, token = fastly.tokens.admin): Promise<Response> {
  const tls = path.startsWith('/tls');
  return fetch(`${fastly.url}${path}`, {
    method,
    headers: { 'fastly-key': token, ...(body ? { 'content-type': tls ? 'application/vnd.api+json' : 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { body: tls ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString() } : {}),
  });
}

let counter = 0;
async function newService(type: 'vcl' | 'wasm' = 'vcl'): Promise<{ id: string; name: string }> {
  counter += 1;
  const name = `fidelity ${counter} ${Date.now()}`;
  const created = await call('POST', '/service', { name, type, comment: 'fidelity' });
  expect(created.status).toBe(200);
  return { id: ((await created.json()) as { id: string }).id, name };
}

async function activeServiceWithDomain(hostname: string): Promise<{ id: string; name: string }> {
  const service = await newService('vcl');
  expect((await call('POST', `/service/${service.id}/version/1/domain`, { name: hostname })).status).toBe(200);
  expect((await call('POST', `/service/${service.id}/version/1/backend`, { name: 'sendgrid', address: 'sendgrid.net', port: '443' })).status).toBe(200);
  expect((await call('PUT', `/service/${service.id}/version/1/activate`)).status).toBe(200);
  return service;
}

describe('Fastly classic endpoints, as recorded', () => {
  it('authenticates with the Fastly-Key header; a bad key is 401 with a classic { msg } body', async () => {
    // go-fastly fastly/client.go: `APIKeyHeader = "Fastly-Key"`; classic error bodies are
    // { "msg", "detail" } (go-fastly fastly/errors.go).
    const refused = await call('GET', '/service', undefined, 'not-a-token');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ msg: expect.any(String) });
    expect((await call('GET', '/service')).status).toBe(200);
  });

  it('a token without the global scope is refused writes with 403', async () => {
    // https://www.fastly.com/documentation/reference/api/auth-tokens/ (scopes: "global" for
    // writes, "global:read" for reads only). The 403 body is not recorded; the adapter reads the status.
    expect((await call('GET', '/service', undefined, fastly.tokens.readOnly)).status).toBe(200);
    const refused = await call('POST', '/service', { name: `fidelity read-only ${Date.now()}` }, fastly.tokens.readOnly);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ msg: expect.any(String) });
  });

  it('POST /service (form-encoded) answers the service with a 22-character id and an editable version 1', async () => {
    // go-fastly fixtures/services/create.yaml: body `comment=comment&name=test-service`, answer
    // {"id":"FPkmJNp1fH8CnWbdi21Wf3","customer_id":"51MumwLiSJyFTWhtbByYgR","type":"vcl",
    // "deleted_at":null,"versions":[{"number":1,"active":false,"locked":false,…}]}.
    const created = await call('POST', '/service', { name: `fidelity create ${Date.now()}`, type: 'wasm', comment: 'c' });
    expect(created.status).toBe(200);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: expect.stringMatching(fastlyIdPattern), customer_id: expect.stringMatching(fastlyIdPattern), type: 'wasm', comment: 'c', deleted_at: null });
    expect(body.versions).toEqual([expect.objectContaining({ number: 1, active: false, locked: false, service_id: body.id })]);
  });

  it('classic writes carry Fastly-RateLimit-Remaining and a Reset on the hour; reads carry none', async () => {
    // go-fastly fixtures/services/create.yaml (POST): Fastly-Ratelimit-Remaining "9952",
    // Fastly-Ratelimit-Reset "1667584800" (18:00:00 UTC; all 34 distinct recorded resets fall on
    // the hour); fixtures/services/search.yaml (GET) has neither. docs.fastly.com/api "Rate limiting".
    const created = await call('POST', '/service', { name: `fidelity headers ${Date.now()}` });
    expect(created.headers.get('fastly-ratelimit-remaining')).toMatch(/^\d+$/);
    expect(created.headers.get('fastly-ratelimit-reset')).toMatch(/^\d+$/);
    expect((await call('GET', '/service')).headers.get('fastly-ratelimit-remaining')).toBeNull();
  });

  it('GET /service/search finds a service by exact name', async () => {
    // go-fastly fixtures/services/search.yaml: GET /service/search?name=test-service → 200, the
    // service with its versions.
    const service = await newService();
    const found = await call('GET', `/service/search?name=${encodeURIComponent(service.name)}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ id: service.id, name: service.name, versions: [expect.objectContaining({ number: 1 })] });
  });

  it('GET /service/search for a name no service has answers 400, not 404', async () => {
    // go-fastly fastly/service_details.go, SearchService: "If no service exists by that name, the
    // API returns a 400 response not a 404." (The body is not recorded; the adapter reads only the status.)
    const missing = await call('GET', `/service/search?name=${encodeURIComponent('no such service anywhere')}`);
    expect(missing.status).toBe(400);
  });

  it('GET /service/{id} and /details of an id no service has answer 400', async () => {
    // go-fastly fastly/service_details.go, GetService and GetServiceDetails: "If no service exists
    // for the given id, the API returns a 400 response not 404."
    expect((await call('GET', '/service/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(400);
    expect((await call('GET', '/service/AAAAAAAAAAAAAAAAAAAAAA/details')).status).toBe(400);
  });

  it('GET /service/{id}/details holds version and active_version with their domains and backends', async () => {
    // go-fastly fixtures/services/details.yaml: {"versions":[…],"version":{"number":1,"domains":[],
    // "backends":[],"snippets":[],…},"active_version":null,"deleted_at":null}.
    const fresh = await newService();
    expect(await (await call('GET', `/service/${fresh.id}/details`)).json()).toMatchObject({ version: { number: 1, domains: [], backends: [], snippets: [] }, active_version: null, deleted_at: null });
    const active = await activeServiceWithDomain(`details${Date.now()}.example.com`);
    const details = (await (await call('GET', `/service/${active.id}/details`)).json()) as { active_version: { number: number; domains: Array<{ name: string }>; backends: Array<{ name: string }> } };
    expect(details.active_version).toMatchObject({ number: 1, domains: [expect.objectContaining({ name: expect.stringMatching(/^details/) })], backends: [expect.objectContaining({ name: 'sendgrid' })] });
  });

  it('GET /service/{id}/details carries the service comment (as PUT /service/{id} sets it) and no Compute package', async () => {
    // go-fastly fixtures/services/compute/details.yaml: a wasm service's details hold "comment"
    // and versions[] with "locked", and no package (fastly/fastly-js docs/VersionDetail.md lists
    // none); fixtures/services/compute/update.yaml: PUT /service/{id}, form-encoded, answers the
    // service (go-fastly fastly/service.go UpdateService sends name and comment).
    const service = await newService('wasm');
    const updated = await call('PUT', `/service/${service.id}`, { comment: 'Managed by sslclick: marked' });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ id: service.id, comment: 'Managed by sslclick: marked', type: 'wasm' });
    const details = (await (await call('GET', `/service/${service.id}/details`)).json()) as Record<string, unknown> & { versions: Array<Record<string, unknown>>; version: Record<string, unknown> };
    expect(details).toMatchObject({ comment: 'Managed by sslclick: marked', versions: [expect.objectContaining({ number: 1, locked: false })] });
    expect(Object.keys(details)).not.toContain('package');
    expect(Object.keys(details.version)).not.toContain('package');
  });

  it('GET /service pages with page and per_page and links the next page', async () => {
    // go-fastly fixtures/services/list.yaml: GET /service?…&page=1&per_page=100, answered with
    // `Link: <…page=3…>; rel="last", <…page=2…>; rel="next"`.
    await newService();
    await newService();
    const first = await call('GET', '/service?page=1&per_page=1');
    expect(((await first.json()) as unknown[]).length).toBe(1);
    expect(first.headers.get('link')).toMatch(/page=2&per_page=1>; rel="next"/);
  });

  it('GET /service/{id}/domain lists the domains of every version with service_id and version', async () => {
    // go-fastly fixtures/services/domain.yaml (GET /service/{id}/domain) and the ServiceDomain
    // struct in fastly/service_details.go (name, comment, service_id, version, locked, deleted_at).
    const hostname = `domains${Date.now()}.example.com`;
    const service = await activeServiceWithDomain(hostname);
    expect(await (await call('GET', `/service/${service.id}/domain`)).json()).toEqual([expect.objectContaining({ name: hostname, service_id: service.id, version: 1 })]);
  });

  it('PUT …/version/{v}/clone answers an unlocked, inactive version numbered after the newest', async () => {
    // go-fastly fixtures/versions/clone.yaml: PUT /service/…/version/75/clone → {"number":76,
    // "active":false,"locked":false,…}.
    const service = await activeServiceWithDomain(`clone${Date.now()}.example.com`);
    const cloned = await call('PUT', `/service/${service.id}/version/1/clone`);
    expect(cloned.status).toBe(200);
    expect(await cloned.json()).toMatchObject({ number: 2, active: false, locked: false, service_id: service.id });
  });

  it('PUT …/activate answers the version active and locked', async () => {
    // go-fastly fixtures/tls_subscription/activate_version.yaml: PUT …/version/143/activate →
    // {"active":true,"locked":true,"number":143,…}.
    const service = await newService();
    await call('POST', `/service/${service.id}/version/1/domain`, { name: `activate${Date.now()}.example.com` });
    await call('POST', `/service/${service.id}/version/1/backend`, { name: 'sendgrid', address: 'sendgrid.net', port: '443' });
    const activated = await call('PUT', `/service/${service.id}/version/1/activate`);
    expect(activated.status).toBe(200);
    expect(await activated.json()).toMatchObject({ number: 1, active: true, locked: true });
  });

  it('PUT …/deactivate answers the version inactive, after which the service can be deleted', async () => {
    // https://www.fastly.com/documentation/reference/api/services/version/ ("Deactivate a service
    // version" answers the version). The adapter deactivates before it deletes a service.
    const service = await activeServiceWithDomain(`deactivate${Date.now()}.example.com`);
    const deactivated = await call('PUT', `/service/${service.id}/version/1/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(await deactivated.json()).toMatchObject({ number: 1, active: false });
    expect((await call('DELETE', `/service/${service.id}`)).status).toBe(200);
  });

  it('a write to a locked version answers 422 "Version locked"', async () => {
    // go-fastly fixtures/tls_subscription/compute/cleanup.yaml: DELETE …/version/56/backend/… →
    // 422 {"msg":"Version locked","detail":"Version '56' for service 'XsjdElScZGjmfCcTwsYRC1' is locked"}.
    const service = await activeServiceWithDomain(`locked${Date.now()}.example.com`);
    const edit = await call('DELETE', `/service/${service.id}/version/1/backend/sendgrid`);
    expect(edit.status).toBe(422);
    expect(await edit.json()).toEqual({ msg: 'Version locked', detail: `Version '1' for service '${service.id}' is locked` });
  });

  it('POST …/domain answers the domain with service_id and version', async () => {
    // go-fastly fixtures/domains/create.yaml: body `comment=comment&name=…`, answer
    // {"comment":"comment","name":"…","service_id":"…","version":73,"deleted_at":null,…}.
    const service = await newService();
    const hostname = `domain${Date.now()}.example.com`;
    const created = await call('POST', `/service/${service.id}/version/1/domain`, { name: hostname, comment: 'sslclick' });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ name: hostname, comment: 'sslclick', service_id: service.id, version: 1, deleted_at: null });
  });

  it('a domain on another customer\'s service is refused with 400 whose detail says "by another customer"', async () => {
    // fastly/cli pkg/commands/compute/setup/domain.go: on a domain create answered
    // http.StatusBadRequest it looks for "by another customer" in the error detail.
    const hostname = `taken${Date.now()}.example.com`;
    fastly.addForeignService({ hostname, customer: 'other' });
    const service = await newService();
    const refused = await call('POST', `/service/${service.id}/version/1/domain`, { name: hostname });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toContain('by another customer');
  });

  it('POST …/backend echoes the TLS fields sslclick sets, override_host null when not given', async () => {
    // go-fastly fixtures/backends/create.yaml: the answer echoes address, port, use_ssl,
    // ssl_cert_hostname, ssl_sni_hostname, ssl_check_cert, override_host, hostname.
    const service = await newService();
    const created = await call('POST', `/service/${service.id}/version/1/backend`, {
      name: 'sendgrid',
      address: 'sendgrid.net',
      port: '443',
      use_ssl: 'true',
      ssl_cert_hostname: 'sendgrid.net',
      ssl_sni_hostname: 'sendgrid.net',
      ssl_check_cert: 'true',
    });
    expect(await created.json()).toMatchObject({ name: 'sendgrid', address: 'sendgrid.net', hostname: 'sendgrid.net', port: 443, use_ssl: true, ssl_cert_hostname: 'sendgrid.net', ssl_sni_hostname: 'sendgrid.net', ssl_check_cert: true, override_host: null });
  });

  it('GET …/version/{v} answers the version with number, active and locked', async () => {
    // go-fastly fixtures/versions/get.yaml: {"number":75,"active":false,"locked":false,"deleted_at":null,…}.
    const service = await newService();
    expect(await (await call('GET', `/service/${service.id}/version/1`)).json()).toMatchObject({ number: 1, active: false, locked: false, service_id: service.id, deleted_at: null });
  });

  it('GET …/version/{v}/backend lists the backends by name', async () => {
    // go-fastly fixtures/backends/list.yaml: an array of backends with "name", "port", "address", …
    const service = await newService();
    await call('POST', `/service/${service.id}/version/1/backend`, { name: 'sendgrid', address: 'sendgrid.net', port: '443' });
    expect(await (await call('GET', `/service/${service.id}/version/1/backend`)).json()).toEqual([expect.objectContaining({ name: 'sendgrid', address: 'sendgrid.net', port: 443 })]);
  });

  it('PUT …/backend/{name} with override_host= (empty) clears it to null', async () => {
    // go-fastly fixtures/backends/update_allow_empty_values.yaml: body `override_host=&port=0`,
    // answer "override_host":null.
    const service = await newService();
    await call('POST', `/service/${service.id}/version/1/backend`, { name: 'sendgrid', address: 'sendgrid.net', port: '443', override_host: 'www.example.com' });
    const updated = await call('PUT', `/service/${service.id}/version/1/backend/sendgrid`, { override_host: '' });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ name: 'sendgrid', override_host: null });
  });

  it('POST …/snippet (form-encoded) answers the snippet with dynamic and priority as strings', async () => {
    // go-fastly fixtures/vcl_snippets/create_with_all_fields.yaml (body `content=…&dynamic=1&name=…&priority=123&type=fetch`)
    // and get_versioned.yaml: {"name":"snipver","type":"fetch","content":"#vcl","dynamic":"0","priority":"100","version":"36",…}.
    const service = await newService();
    const created = await call('POST', `/service/${service.id}/version/1/snippet`, { name: 'sslclick-pass', type: 'recv', content: 'return(pass);', dynamic: '0', priority: '100' });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ name: 'sslclick-pass', type: 'recv', content: 'return(pass);', dynamic: '0', priority: '100', version: '1', id: expect.stringMatching(fastlyIdPattern) });
  });

  it('PUT …/package takes the .tar.gz in the multipart field "package"; the package answers metadata.files_hash', async () => {
    // go-fastly fastly/compute_package.go (PutFormFile(…, "package", …)); fixtures/package/update.yaml
    // and get.yaml: {"id":"ET9AMPS47ntJazcce7f0W7","metadata":{"name":…,"language":…,"files_hash":"<128 hex>",
    // "hashsum":…,"size":…},"service_id":…,"version":2}.
    const service = await newService('wasm');
    const directory = await mkdtemp(join(tmpdir(), 'fidelity-package-'));
    try {
      await mkdir(join(directory, 'pkg/bin'), { recursive: true });
      await writeFile(join(directory, 'pkg/fastly.toml'), 'manifest_version = 3\nname = "pkg"\nlanguage = "javascript"\n');
      await writeFile(join(directory, 'pkg/bin/main.wasm'), new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
      await create({ gzip: true, cwd: directory, file: join(directory, 'pkg.tar.gz'), portable: true }, ['pkg/fastly.toml', 'pkg/bin/main.wasm']);
      const form = new FormData();
      form.set('package', new Blob([new Uint8Array(await readFile(join(directory, 'pkg.tar.gz')))]), 'package.tar.gz');
      const uploaded = await fetch(`${fastly.url}/service/${service.id}/version/1/package`, { method: 'PUT', headers: { 'fastly-key': fastly.tokens.admin }, body: form });
      expect(uploaded.status).toBe(200);
      const expected = { id: expect.stringMatching(fastlyIdPattern), service_id: service.id, version: 1, metadata: { name: 'pkg', language: 'javascript', files_hash: expect.stringMatching(/^[0-9a-f]{128}$/) } };
      expect(await uploaded.json()).toMatchObject(expected);
      expect(await (await call('GET', `/service/${service.id}/version/1/package`)).json()).toMatchObject(expected);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('a second item of the same name on a version is 409 "Duplicate record"', async () => {
    // go-fastly fixtures/s3s/create6.yaml: 409 Conflict {"msg":"Duplicate record","detail":"Duplicate logging_syslog: 'test-s3'"}.
    const service = await newService();
    await call('POST', `/service/${service.id}/version/1/backend`, { name: 'sendgrid', address: 'sendgrid.net', port: '443' });
    const again = await call('POST', `/service/${service.id}/version/1/backend`, { name: 'sendgrid', address: 'sendgrid.net', port: '443' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ msg: 'Duplicate record', detail: expect.stringContaining('sendgrid') });
  });

  it('an item that is not there is 404 "Record not found"', async () => {
    // go-fastly fixtures/domains/… and others: 404 {"msg":"Record not found","detail":"Couldn't find Domain '…'"}.
    const service = await newService();
    const missing = await call('GET', `/service/${service.id}/version/9`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ msg: 'Record not found', detail: expect.stringMatching(/^Couldn't find/) });
  });

  it('DELETE /service/{id} answers {"status":"ok"}', async () => {
    // go-fastly fixtures/services/delete.yaml: 200 {"status":"ok"}; DeleteService checks it.
    const service = await newService();
    const deleted = await call('DELETE', `/service/${service.id}`);
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ status: 'ok' });
  });
});

describe('Fastly TLS (JSON:API), as recorded', () => {
  async function subscribe(): Promise<{ hostname: string; body: { data: { id: string; attributes: Record<string, unknown>; relationships: Record<string, { data: unknown }> }; included: Array<Record<string, unknown>> }; response: Response }> {
    const hostname = `tls${Date.now()}${counter++}.example.com`;
    await activeServiceWithDomain(hostname);
    const response = await call('POST', '/tls/subscriptions', {
      data: { type: 'tls_subscription', attributes: { certificate_authority: 'certainly' }, relationships: { tls_domains: { data: [{ type: 'tls_domain', id: hostname }] } } },
    });
    return { hostname, response, body: (await response.clone().json()) as never };
  }

  it('POST /tls/subscriptions answers 201 with 22-character ids and the managed-dns challenge included', async () => {
    // go-fastly fixtures/tls_subscription/create.yaml: 201, data.id "CDnaWfggp3Pw5pyy7nxG4Q",
    // state "pending", relationships tls_authorizations ("0jJ6Lop0ajA1R4bSTYzCAw"), tls_domains,
    // common_name, tls_configuration ("6BJN1m42DmVgmSE7tnZCZg"); included tls_authorization with
    // challenges managed-dns (_acme-challenge.<host> CNAME <random>.fastly-validations.com),
    // managed-http-cname, managed-http-a; timestamps "2025-09-08T17:11:15.000Z".
    const { hostname, response, body } = await subscribe();
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toContain('application/vnd.api+json');
    expect(body.data).toMatchObject({ id: expect.stringMatching(fastlyIdPattern), type: 'tls_subscription', attributes: { state: 'pending', certificate_authority: 'certainly', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) } });
    const authorizations = body.data.relationships.tls_authorizations?.data as Array<{ id: string }>;
    expect(authorizations[0]?.id).toMatch(fastlyIdPattern);
    expect((body.data.relationships.tls_configuration?.data as { id: string }).id).toMatch(fastlyIdPattern);
    expect(body.included[0]).toMatchObject({
      id: authorizations[0]?.id,
      type: 'tls_authorization',
      attributes: { challenges: expect.arrayContaining([{ type: 'managed-dns', record_type: 'CNAME', record_name: `_acme-challenge.${hostname}`, values: [expect.stringMatching(/\.fastly-validations\.com$/)] }]) },
    });
  });

  it('/tls/subscriptions writes carry no rate-limit headers', async () => {
    // go-fastly fixtures/tls_subscription/create.yaml (POST, 201) and delete.yaml (DELETE, 204):
    // no Fastly-Ratelimit-* headers, unlike every classic write recorded.
    const { response } = await subscribe();
    expect(response.headers.get('fastly-ratelimit-remaining')).toBeNull();
    expect(response.headers.get('fastly-ratelimit-reset')).toBeNull();
  });

  it('GET /tls/subscriptions filters by filter[tls_domains.id] and includes tls_authorizations', async () => {
    // go-fastly fastly/tls_subscription.go (ListTLSSubscriptions: filter[tls_domains.id], include,
    // Accept: application/vnd.api+json "otherwise the filters don't work"); fixtures/tls_subscription/list.yaml.
    const { hostname, body } = await subscribe();
    const listed = (await (await call('GET', `/tls/subscriptions?filter[tls_domains.id]=${hostname}&include=tls_authorizations`)).json()) as { data: Array<{ id: string }>; included: Array<{ type: string }> };
    expect(listed.data.map((item) => item.id)).toEqual([body.data.id]);
    expect(listed.included.map((item) => item.type)).toEqual(['tls_authorization']);
  });

  it('a subscription\'s tls_authorization lists managed-http-cname: the host\'s CNAME target, the configuration\'s', async () => {
    // go-fastly fixtures/tls_subscription/create.yaml (recorded): included tls_authorization
    // challenges managed-dns, managed-http-cname (record_name = the host, record_type CNAME,
    // values ["j.sni.global.fastly.net"]) and managed-http-a; fastly/heroku-fastly
    // commands/verify.js reads the same challenges of an issued or renewing subscription
    // (include tls_authorizations) and tells the user to publish the managed-http-cname value.
    const { hostname, body } = await subscribe();
    const listed = (await (await call('GET', `/tls/subscriptions?filter[tls_domains.id]=${hostname}&include=tls_authorizations`)).json()) as { included: Array<{ attributes: { challenges: Array<Record<string, unknown>> } }> };
    for (const included of [body.included[0] as (typeof listed.included)[number], listed.included[0]]) {
      expect(included?.attributes.challenges).toContainEqual({ type: 'managed-http-cname', record_type: 'CNAME', record_name: hostname, values: [fastly.cnameTarget] });
    }
  });

  it('GET /tls/configurations/{id}?include=dns_records holds the records, each with record_type and region', async () => {
    // go-fastly fixtures/custom_tls_configuration/get.yaml: relationships.dns_records and
    // included [{"type":"dns_record","attributes":{"record_type":"A","region":"global"}}].
    const list = (await (await call('GET', '/tls/configurations')).json()) as { data: Array<{ id: string; attributes: { default: boolean } }> };
    const configuration = list.data.find((item) => item.attributes.default);
    expect(configuration?.id).toMatch(fastlyIdPattern);
    const detail = (await (await call('GET', `/tls/configurations/${configuration?.id}?include=dns_records`)).json()) as { included: Array<{ id: string; type: string; attributes: Record<string, string> }> };
    expect(detail.included).toContainEqual({ id: fastly.cnameTarget, type: 'dns_record', attributes: { record_type: 'CNAME', region: 'global' } });
  });

  it('DELETE /tls/subscriptions/{id} answers 204, and 404 with a JSON:API error once gone', async () => {
    // go-fastly fixtures/tls_subscription/delete.yaml (204, empty body) and
    // fixtures/tls_subscription/compute/cleanup.yaml: 404 {"errors":[{"title":"Not found",
    // "detail":"The subscription you requested was not found"}]}.
    const { body } = await subscribe();
    const deleted = await call('DELETE', `/tls/subscriptions/${body.data.id}?force=true`);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    const again = await call('DELETE', `/tls/subscriptions/${body.data.id}?force=true`);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ errors: [{ title: 'Not found', detail: 'The subscription you requested was not found' }] });
  });
});

describe('where the evidence is unsure, the fake answers each plausible way', () => {
  it('deleted services: removed (search 400) or kept with deleted_at by search, get and details', async () => {
    // go-fastly's Service and ServiceDetail carry DeletedAt (fastly/service_details.go) and every
    // recorded answer has "deleted_at":null; whether a deleted service is still returned is not recorded.
    const removed = await newService();
    await call('DELETE', `/service/${removed.id}`);
    expect((await call('GET', `/service/search?name=${encodeURIComponent(removed.name)}`)).status).toBe(400);

    fastly.setVariants({ deletedServices: 'kept' });
    const kept = await newService();
    await call('DELETE', `/service/${kept.id}`);
    for (const path of [`/service/search?name=${encodeURIComponent(kept.name)}`, `/service/${kept.id}`, `/service/${kept.id}/details`]) {
      const answer = await call('GET', path);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ id: kept.id, deleted_at: expect.any(String) });
    }
    expect(((await (await call('GET', '/service?per_page=1000')).json()) as Array<{ id: string }>).some((service) => service.id === kept.id)).toBe(false);
  });

  it('a domain held by another service of the same customer: 400 whose detail names that service, or not', async () => {
    // Only the other-customer wording is evidenced (fastly/cli setup/domain.go); the same-customer
    // refusal is not recorded anywhere we could find.
    const hostname = `holder${Date.now()}.example.com`;
    const holder = fastly.addForeignService({ hostname });
    const service = await newService();
    const generic = await call('POST', `/service/${service.id}/version/1/domain`, { name: hostname });
    expect(generic.status).toBe(400);
    expect(((await generic.json()) as { detail: string }).detail).not.toContain(holder.serviceId);
    fastly.setVariants({ domainTakenDetail: 'names-service' });
    const naming = await call('POST', `/service/${service.id}/version/1/domain`, { name: hostname });
    expect(naming.status).toBe(400);
    expect(((await naming.json()) as { detail: string }).detail).toContain(holder.serviceId);
  });

  it('a write to a locked version: 422 (recorded) or 400', async () => {
    // 422 per go-fastly fixtures/tls_subscription/compute/cleanup.yaml; 400 is what this fake said before.
    fastly.setVariants({ lockedVersionStatus: 400 });
    const service = await activeServiceWithDomain(`locked400${Date.now()}.example.com`);
    expect((await call('DELETE', `/service/${service.id}/version/1/backend/sendgrid`)).status).toBe(400);
  });

  it('a tls_authorization listing only the managed-dns challenge', async () => {
    // No recording shows a list with include=tls_authorizations after issuance, so the serving
    // challenges might be left out there: the adapter then reads the configuration's records.
    fastly.setVariants({ servingChallenges: 'dns-only' });
    const hostname = `dnsonly${Date.now()}.example.com`;
    await activeServiceWithDomain(hostname);
    await call('POST', '/tls/subscriptions', { data: { type: 'tls_subscription', relationships: { tls_domains: { data: [{ type: 'tls_domain', id: hostname }] } } } });
    const listed = (await (await call('GET', `/tls/subscriptions?filter[tls_domains.id]=${hostname}&include=tls_authorizations`)).json()) as { included: Array<{ attributes: { challenges: Array<{ type: string }> } }> };
    expect(listed.included[0]?.attributes.challenges.map((challenge) => challenge.type)).toEqual(['managed-dns']);
  });

  it('/tls writes with rate-limit headers', async () => {
    // go-fastly fixtures/platform_tls/create.yaml: POST /tls/bulk/certificates does carry
    // Fastly-Ratelimit-* headers, so some /tls writes may.
    fastly.setVariants({ tlsRateLimitHeaders: true });
    const hostname = `tlsheaders${Date.now()}.example.com`;
    await activeServiceWithDomain(hostname);
    const created = await call('POST', '/tls/subscriptions', { data: { type: 'tls_subscription', relationships: { tls_domains: { data: [{ type: 'tls_domain', id: hostname }] } } } });
    expect(created.status).toBe(201);
    expect(created.headers.get('fastly-ratelimit-remaining')).toMatch(/^\d+$/);
  });
});
