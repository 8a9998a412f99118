/**
 * The advanced certificate pack sslclick orders is found again through a marker in the branding
 * record's comment. Cloudflare's pack ids are UUIDs with hyphens (the fake mints them so, see
 * packages/sandbox/src/cloudflare-api/fidelity.test.ts), and every step that reads the marker must
 * read such an id: status reports the pack, destroy deletes it, a re-order replaces the marker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError } from '@sslclick/core';
import { createTestProxy, nextLabel, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

let world: CloudflareWorld;

beforeAll(async () => {
  world = await startCloudflareWorld();
});

afterAll(async () => {
  await world?.close();
});

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const markerPattern = /\[sslclick pack [^\]]+\]/g;

function commentOf(hostname: string): string | null {
  return world.cloudflare.recordsAt(world.zone.id, hostname)[0]?.comment ?? null;
}

describe('the ordered certificate pack (UUID ids)', () => {
  it('is reported by status as owned, and destroy deletes it and cleans the comment', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com`, comment: 'SendGrid branding' });
    const adapter = createTestProxy(world, { orderCertificate: true });

    const applied = await adapter.apply({ hostname });
    expect(applied.ready).toBe(true);
    const [ordered] = world.cloudflare.certificatePacks(world.zone.id).filter((pack) => pack.type === 'advanced' && pack.hosts.includes(hostname));
    expect(ordered?.id).toMatch(uuidPattern);
    expect(commentOf(hostname)).toBe(`SendGrid branding [sslclick pack ${ordered?.id}]`);

    const status = await adapter.status({ hostname });
    expect(status.resources).toContainEqual({ kind: 'certificate-pack', id: ordered?.id, owned: true });
    expect(status.certificate.state).toBe('issued');

    const start = world.cloudflare.server.requests.length;
    const destroyed = await adapter.destroy({ hostname });
    const deletes = world.cloudflare.server.requests.slice(start).filter((request) => request.method === 'DELETE' && request.path.includes('/ssl/certificate_packs/'));
    expect(deletes.map((request) => request.path.split('/').pop())).toEqual([ordered?.id]);
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.id === ordered?.id)).toBe(false);
    expect(commentOf(hostname)).toBe('SendGrid branding');
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
  });

  it('shows a pack still being issued as pending and owned in status', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com` });
    const adapter = createTestProxy(world, { orderCertificate: true });
    const controller = new AbortController();
    const stopped = await adapter
      .apply({ hostname }, { signal: controller.signal, onProgress: (event) => (event.type === 'certificate-waiting' ? controller.abort() : undefined) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(SslClickError.isInstance(stopped) && stopped.code).toBe('ABORTED');
    const [pending] = world.cloudflare.certificatePacks(world.zone.id).filter((pack) => pack.hosts.includes(hostname));
    expect(pending?.status).not.toBe('active');

    const status = await adapter.status({ hostname });
    expect(status.certificate.state).toBe('pending');
    expect(status.resources).toContainEqual({ kind: 'certificate-pack', id: pending?.id, owned: true });

    await adapter.destroy({ hostname });
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.id === pending?.id)).toBe(false);
    expect(commentOf(hostname)).toBeNull();
  });

  it('replaces the marker when a failed pack is ordered again, deleting the failed one', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com`, comment: 'branding' });
    const adapter = createTestProxy(world, { orderCertificate: true });
    let firstId: string | undefined;
    const failed = await adapter
      .apply(
        { hostname },
        {
          onProgress: (event) => {
            // Domain control validation never succeeds for the first pack.
            if (event.type === 'certificate-ordered' && firstId === undefined) {
              firstId = String(event.detail?.packId);
              world.cloudflare.failCertificatePack(firstId, 'validation_timed_out');
            }
          },
        },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(SslClickError.isInstance(failed)).toBe(true);
    expect(firstId).toMatch(uuidPattern);
    expect(commentOf(hostname)).toBe(`branding [sslclick pack ${firstId}]`);

    const start = world.cloudflare.server.requests.length;
    const status = await adapter.apply({ hostname });
    expect(status.ready).toBe(true);
    const owned = status.resources.find((resource) => resource.kind === 'certificate-pack');
    expect(owned?.id).toMatch(uuidPattern);
    expect(owned?.id).not.toBe(firstId);
    // One marker, naming the new pack; the failed pack (ours, billed) is gone, not orphaned.
    expect(commentOf(hostname)?.match(markerPattern)).toEqual([`[sslclick pack ${owned?.id}]`]);
    expect(world.cloudflare.server.requests.slice(start).some((request) => request.method === 'DELETE' && request.path.endsWith(`/certificate_packs/${firstId}`))).toBe(true);
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.id === firstId)).toBe(false);

    await adapter.destroy({ hostname });
    expect(commentOf(hostname)).toBe('branding');
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.hosts.includes(hostname))).toBe(false);
  });
});
