// A setup script as a user writes it: the published packages only, setup() through Fastly (DNS in
// a Cloudflare zone) against a sandbox world. Exits 0 only when the host is ready.
import { setup } from '@sslclick/core';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { createFastlyProxy } from '@sslclick/fastly';
import { startSandboxWorld } from '@sslclick/sandbox';
import { createSendGridLinks } from '@sslclick/sendgrid';

const world = await startSandboxWorld({ cdn: 'fastly' });
try {
  const adapter = createFastlyProxy({ ...world.adapter, dns: createCloudflareDns(world.dns) });
  const status = await setup(adapter, { hostname: world.hostname }, {
    sendgrid: createSendGridLinks(world.sendgrid),
    verification: world.verification,
    sampleLink: world.sampleLink,
  });
  console.log(JSON.stringify({ provider: status.provider, state: status.state, ready: status.ready, nextSteps: status.nextSteps }));
  process.exitCode = status.ready ? 0 : 1;
} finally {
  await world.close();
}
