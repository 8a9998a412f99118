import { describe, expect, it } from 'vitest';
import { createCloudFrontProxy } from '../src/index.js';

const hostname = process.env.SSLCLICK_TEST_HOSTNAME;
const hasCredentials = Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_SESSION_TOKEN);

// Against real AWS: creates a certificate and a distribution for SSLCLICK_TEST_HOSTNAME (its zone
// must be in Route 53 for the run to finish unattended), then removes them. Takes 10-30 minutes.
describe.skipIf(!hostname || !hasCredentials)('CloudFront live', () => {
  it('plans, applies to ready, and destroys', async () => {
    const proxy = createCloudFrontProxy({});
    const request = { hostname: hostname ?? '' };
    const plan = await proxy.plan(request);
    expect(plan.provider).toBe('cloudfront');
    const status = await proxy.apply(request, { onProgress: (event) => console.log(event.type, event.message) });
    console.log(JSON.stringify(status, null, 2));
    if (status.dns.managed) expect(status.ready).toBe(true);
    const destroyed = await proxy.destroy(request, { onProgress: (event) => console.log(event.type, event.message) });
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
  }, 3_600_000);
});
