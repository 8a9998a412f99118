/**
 * Runs one `apply` of the Fastly adapter in its own process, for the test that kills it midway.
 * Everything it needs comes in SSLCLICK_RELIABILITY_CHILD (JSON): the fake APIs' URLs and tokens
 * and the sandbox's resolver, CA and ports. The sandbox itself stays in the test process.
 */
import { createCloudflareDns } from '@sslclick/cloudflare';
import { createFastlyProxy } from '../src/index.js';

interface ChildConfig {
  hostname: string;
  fastly: { url: string; token: string };
  cloudflare: { url: string; token: string };
  verification: { resolver: string; ca: string; ports: { https: number; http: number } };
}

const config = JSON.parse(process.env.SSLCLICK_RELIABILITY_CHILD ?? '{}') as ChildConfig;
const adapter = createFastlyProxy({
  apiToken: config.fastly.token,
  baseURL: config.fastly.url,
  mode: 'vcl',
  dns: createCloudflareDns({ apiToken: config.cloudflare.token, baseURL: config.cloudflare.url, retry: { minDelay: 5, maxDelay: 20 } }),
  verification: { ...config.verification, timeoutMs: 2_000 },
  wait: { minDelay: 10, maxDelay: 30, maxWaitTime: 5_000 },
  retry: { minDelay: 5, maxDelay: 20, maxAttempts: 4 },
  timeoutMs: 60_000,
});
process.stdout.write('started\n');
const status = await adapter.apply({ hostname: config.hostname });
process.stdout.write(`finished ready=${status.ready}\n`);
