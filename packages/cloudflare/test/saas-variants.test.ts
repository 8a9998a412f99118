/**
 * The saas mode under every plausible answer of the fake where the evidence about Cloudflare for
 * SaaS is unsure (`CustomHostnameVariants`, see the sandbox's saas-fidelity.test.ts): whether the
 * DCV TXT record alone proves ownership, whether the create answer carries the validation
 * records, and how many `ssl.status` steps a poll sees. The adapter publishes both TXT records and
 * polls until both statuses are active, so it reaches ready under each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCustomHostnameVariants, type CustomHostnameVariants } from '@sslclick/sandbox';
import { createSaasProxy, seedOutsideHost, startSaasWorld, type SaasWorld } from './saas-world.js';

let world: SaasWorld;

beforeAll(async () => {
  world = await startSaasWorld();
});

afterAll(async () => {
  Object.assign(world.cloudflare.saas.variants, defaultCustomHostnameVariants);
  await world?.close();
});

const cases: CustomHostnameVariants[] = [];
for (const ownershipVerification of ['ownership-txt', 'ownership-or-dcv-txt'] as const) {
  for (const validationRecords of ['after-create', 'on-create'] as const) {
    for (const sslStatusSequence of ['full', 'direct'] as const) cases.push({ ownershipVerification, validationRecords, sslStatusSequence });
  }
}

describe(`Cloudflare for SaaS under each fake variant (${cases.length} cases)`, () => {
  it.for(cases)('$ownershipVerification, records $validationRecords, ssl $sslStatusSequence: ready, certificate proven before the CNAME', async (variants) => {
    Object.assign(world.cloudflare.saas.variants, variants);
    const hostname = seedOutsideHost(world);
    const status = await createSaasProxy(world).apply({ hostname });
    expect(status).toMatchObject({ ready: true, certificate: { state: 'issued' }, edge: { state: 'deployed' } });
    const writes = world.otherDns.writes.filter((write) => write.includes(hostname));
    expect(writes.findIndex((write) => write.startsWith('CNAME'))).toBe(writes.length - 1);
    expect(writes.filter((write) => write.startsWith('TXT'))).toHaveLength(2);
  });
});
