// A setup script as a user writes it: the published packages only, setup() through CloudFront
// (ACM certificate, Route 53 zone) against a sandbox world. Exits 0 only when the host is ready.
import { setup } from '@sslclick/core';
import { createCloudFrontProxy } from '@sslclick/cloudfront';
import { startSandboxWorld } from '@sslclick/sandbox';
import { createSendGridLinks } from '@sslclick/sendgrid';

const world = await startSandboxWorld({ cdn: 'cloudfront' });
try {
  const status = await setup(createCloudFrontProxy(world.adapter), { hostname: world.hostname }, {
    sendgrid: createSendGridLinks(world.sendgrid),
    verification: world.verification,
    sampleLink: world.sampleLink,
  });
  console.log(JSON.stringify({ provider: status.provider, state: status.state, ready: status.ready, nextSteps: status.nextSteps }));
  process.exitCode = status.ready ? 0 : 1;
} finally {
  await world.close();
}
