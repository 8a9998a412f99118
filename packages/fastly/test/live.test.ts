import { describe, expect, it } from 'vitest';
import { createFastlyProxy } from '../src/index.js';
import { edgePackagePath } from './fastly-world.js';

// Against the real Fastly API, only when a token and a hostname you control are given. It stops
// at "publish these records" (no DNS provider), so nothing moves traffic; destroy cleans up.
describe.skipIf(!process.env.FASTLY_API_TOKEN || !process.env.SSLCLICK_TEST_HOSTNAME)('Fastly live', () => {
  it('applies to "publish these records", reads the status, and destroys', async () => {
    const hostname = process.env.SSLCLICK_TEST_HOSTNAME ?? '';
    const adapter = createFastlyProxy({ computePackage: await edgePackagePath(), wait: { maxWaitTime: 120_000 } });
    try {
      const status = await adapter.apply({ hostname });
      expect(status.provider).toBe('fastly');
      expect(status.dns.required.some((record) => record.name === `_acme-challenge.${hostname}`)).toBe(true);
      expect(status.edge.target).toBeTruthy();
      expect((await adapter.status({ hostname })).resources.some((resource) => resource.owned)).toBe(true);
    } finally {
      const destroyed = await adapter.destroy({ hostname });
      expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
    }
  }, 300_000);
});
