/**
 * Issue 16: the SendGrid API (or a gateway in front of it) quoting the API key back in its
 * errors. The fake answers 401/403/400/500 with the key in every field of SendGrid's error body
 * (`errors[]` `field`/`message`/`help`, top-level `id`), at each request of each call in turn;
 * every error thrown, progress event sent and value returned is walked in depth for the canary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoSweepRecord, recordingRunOptions, secretsInSweep, sweepEchoFaults } from '@sslclick/core/testing';
import { createSendGridLinks } from '../src/index.js';
import { startSendGridWorld, type SendGridWorld } from './sendgrid-world.js';

const canary = 'SG.canary-sendgrid-key-4e7b.1c9a3f5d8b2e6a0c7f4d';
// The key without its SG. prefix and middle, which no credential pattern recognises.
const canaryTail = '1c9a3f5d8b2e6a0c7f4d';
const statuses = [401, 403, 400, 500] as const;
let world: SendGridWorld;
let brandingId: number;

beforeAll(async () => {
  world = await startSendGridWorld();
  world.api.addApiKey(canary, { scopes: ['whitelabel.read', 'whitelabel.update'], username: 'acme' });
  brandingId = world.api.addLinkBranding({ domain: 'example.com', subdomain: 'url4242', username: 'acme' }).id;
});

afterAll(async () => {
  await world?.close();
});

describe('a SendGrid API that quotes the key back in its errors', () => {
  it('the fake really quotes it, in every field of the error body', async () => {
    world.api.server.injectFault({ kind: 'echo-credential', status: 403 });
    const response = await fetch(`${world.api.url}/v3/whitelabel/links`, { headers: { authorization: `Bearer ${canary}` } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ errors: [{ field: canary, message: `refused: ${canary}`, help: canary }], id: canary });
  });

  it('list, get, findByHostname, subuserBranding, defaultBranding and validate never show it, at any depth', async () => {
    const links = createSendGridLinks({ apiKey: canary, baseURL: world.api.url, retry: { maxAttempts: 1, minDelay: 1, maxDelay: 1 }, verification: world.sandbox.verification });
    const record = createEchoSweepRecord();
    const options = recordingRunOptions(record);
    for (const operation of [
      () => links.list(options),
      () => links.get(brandingId, options),
      () => links.findByHostname('url4242.example.com', options),
      () => links.subuserBranding('someone', options),
      () => links.defaultBranding(options),
      () => links.validate(brandingId, options),
    ]) {
      await sweepEchoFaults({ server: world.api.server, operation, statuses, record });
    }
    expect(record.thrown.length).toBeGreaterThan(5);
    expect(secretsInSweep(record, [canary, canaryTail])).toEqual([]);
    // What helps a person stays: our code, the HTTP status, SendGrid's message with the key replaced.
    const refused = record.thrown.find((error) => (error as { httpStatus?: number }).httpStatus === 401) as Error & { code: string; cause: { vendorMessage: string } };
    expect(refused.code).toBe('CREDENTIALS');
    expect(refused.cause.vendorMessage).toBe('[redacted]: refused: [redacted]');
  }, 30_000);
});
