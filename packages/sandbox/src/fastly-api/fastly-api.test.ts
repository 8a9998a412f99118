import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { startFastlyApi, type FastlyApi } from './fastly-api.js';

let sandbox: Sandbox;
let fastly: FastlyApi;

beforeAll(async () => {
  sandbox = await startSandbox();
  fastly = await startFastlyApi(sandbox, { issuanceDelayMs: 60_000 });
});

afterAll(async () => {
  await fastly?.close();
  await sandbox?.close();
});

function call(method: string, path: string, body?: Record<string, string> | object, token = fastly.tokens.admin): Promise<Response> {
  const tls = path.startsWith('/tls');
  return fetch(`${fastly.url}${path}`, {
    method,
    headers: { 'fastly-key': token, ...(body ? { 'content-type': tls ? 'application/vnd.api+json' : 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { body: tls ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString() } : {}),
  });
}

async function tarball(files: Record<string, Uint8Array | string>): Promise<Uint8Array> {
  const directory = await mkdtemp(join(tmpdir(), 'fastly-package-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(directory, path, '..'), { recursive: true });
      await writeFile(join(directory, path), content);
    }
    await create({ gzip: true, cwd: directory, file: join(directory, 'package.tar.gz'), portable: true }, Object.keys(files));
    return new Uint8Array(await readFile(join(directory, 'package.tar.gz')));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function upload(serviceId: string, version: number, bytes: Uint8Array): Promise<Response> {
  const form = new FormData();
  form.set('package', new Blob([bytes]), 'package.tar.gz');
  return fetch(`${fastly.url}/service/${serviceId}/version/${version}/package`, { method: 'PUT', headers: { 'fastly-key': fastly.tokens.admin }, body: form });
}

const emptyModule = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe('the fake Fastly API', () => {
  it('asks for a token, and puts the rate-limit headers on writes', async () => {
    expect((await call('GET', '/service', undefined, 'wrong-token')).status).toBe(401);
    const created = await call('POST', '/service', { name: 'headers test', type: 'vcl' });
    expect(created.status).toBe(200);
    expect(created.headers.get('fastly-ratelimit-remaining')).toMatch(/^\d+$/);
    expect(Number(created.headers.get('fastly-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect((await call('GET', '/service')).headers.get('fastly-ratelimit-remaining')).toBeNull();
    fastly.setRateLimit({ remaining: 0, windowMs: 60_000 });
    const limited = await call('POST', '/service', { name: 'over budget' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('fastly-ratelimit-remaining')).toBe('0');
    fastly.setRateLimit({ limit: 1000, windowMs: 3_600_000 });
  });

  it('checks Compute packages and refuses edits to active versions', async () => {
    const service = (await (await call('POST', '/service', { name: 'package test', type: 'wasm' })).json()) as { id: string };
    await call('POST', `/service/${service.id}/version/1/domain`, { name: 'pkg.example.com' });
    await call('POST', `/service/${service.id}/version/1/backend`, { name: 'sendgrid', address: 'sendgrid.net', port: '443' });
    expect((await call('PUT', `/service/${service.id}/version/1/activate`)).status).toBe(400);
    const noWasm = await upload(service.id, 1, await tarball({ 'pkg/fastly.toml': 'name = "pkg"\n' }));
    expect(noWasm.status).toBe(400);
    expect(await noWasm.json()).toMatchObject({ detail: expect.stringContaining('bin/main.wasm') });
    const notWasm = await upload(service.id, 1, await tarball({ 'pkg/fastly.toml': 'name = "pkg"\n', 'pkg/bin/main.wasm': 'not wasm' }));
    expect(await notWasm.json()).toMatchObject({ detail: expect.stringContaining('not valid WebAssembly') });
    const good = await upload(service.id, 1, await tarball({ 'pkg/fastly.toml': 'name = "pkg"\nlanguage = "javascript"\n', 'pkg/bin/main.wasm': emptyModule }));
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ metadata: { name: 'pkg', language: 'javascript', files_hash: expect.stringMatching(/^[0-9a-f]{128}$/) } });
    expect((await call('PUT', `/service/${service.id}/version/1/activate`)).status).toBe(200);
    const edit = await call('PUT', `/service/${service.id}/version/1/backend/sendgrid`, { override_host: 'x.example.com' });
    // As recorded by go-fastly (fixtures/tls_subscription/compute/cleanup.yaml): 422 "Version locked".
    expect(edit.status).toBe(422);
    expect(await edit.json()).toMatchObject({ msg: 'Version locked', detail: expect.stringContaining('is locked') });
  });

  it('issues a managed-dns subscription once the challenge is in DNS, on the sandbox clock', async () => {
    const refused = await call('POST', '/tls/subscriptions', { data: { type: 'tls_subscription', relationships: { tls_domains: { data: [{ type: 'tls_domain', id: 'nowhere.example.com' }] } } } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ errors: [{ title: 'The domain you entered was not found on one of your services' }] });
    const created = await call('POST', '/tls/subscriptions', { data: { type: 'tls_subscription', relationships: { tls_domains: { data: [{ type: 'tls_domain', id: 'pkg.example.com' }] } } } });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/vnd.api+json');
    const document = (await created.json()) as { data: { id: string; attributes: { state: string } }; included: Array<{ attributes: { challenges: Array<{ type: string; record_name: string; values: string[] }> } }> };
    expect(document.data.attributes.state).toBe('pending');
    const challenge = document.included[0]?.attributes.challenges.find((candidate) => candidate.type === 'managed-dns');
    expect(challenge).toMatchObject({ record_name: '_acme-challenge.pkg.example.com' });
    const read = async () => ((await (await call('GET', `/tls/subscriptions/${document.data.id}`)).json()) as { data: { attributes: { state: string } } }).data.attributes.state;
    expect(await read()).toBe('pending');
    sandbox.dns.zone.setRecord({ name: challenge!.record_name, type: 'CNAME', value: challenge!.values[0]! });
    expect(await read()).toBe('processing');
    sandbox.clock.advance(60_000);
    expect(await read()).toBe('issued');
    // An active version with an issued certificate is served by the edge.
    expect(sandbox.edge.getCertificate('pkg.example.com')).toBeDefined();
    expect(sandbox.edge.getRoute('pkg.example.com')).toMatchObject({ provider: 'fastly', originHost: 'sendgrid.net', originProtocol: 'https', hostHeader: 'viewer', cache: false });
  });
});
