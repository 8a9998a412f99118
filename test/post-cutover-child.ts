/**
 * Runs one `apply` in its own process for the post-cutover kill matrix
 * (post-cutover-kill.test.ts), which kills it with SIGKILL at a chosen step. The sandbox stays in
 * the test process; this script gets the adapter's settings in SSLCLICK_CUTOVER_CHILD (JSON).
 *
 * Every progress event is written to stdout as one line (`event {json}`) before the adapter goes
 * on. At the events named in `pauseAt` the process stops right there, inside the adapter's step,
 * until the test writes a line to stdin: the test can break the edge, inject a fault, or kill it at
 * exactly that point.
 */
import { readSync, writeSync } from 'node:fs';
import { createCloudflareDns, createCloudflareProxy, type CloudflareDnsSettings, type CloudflareProxySettings } from '@sslclick/cloudflare';
import { createCloudFrontProxy, type CloudFrontProxySettings } from '@sslclick/cloudfront';
import type { ProgressEvent, ProxyAdapter } from '@sslclick/core';
import { createFastlyProxy, type FastlyProxySettings } from '@sslclick/fastly';

/** What the test sends. */
export type CutoverChildConfig = { hostname: string; pauseAt: string[] } & (
  | { cdn: 'cloudflare'; settings: CloudflareProxySettings }
  | { cdn: 'fastly'; settings: FastlyProxySettings; dns: CloudflareDnsSettings }
  | { cdn: 'cloudfront'; settings: CloudFrontProxySettings }
);

const config = JSON.parse(process.env.SSLCLICK_CUTOVER_CHILD ?? '{}') as CutoverChildConfig;

function adapterFor(child: CutoverChildConfig): ProxyAdapter {
  switch (child.cdn) {
    case 'cloudflare':
      return createCloudflareProxy(child.settings);
    case 'fastly':
      return createFastlyProxy({ ...child.settings, dns: createCloudflareDns(child.dns) });
    case 'cloudfront':
      return createCloudFrontProxy(child.settings);
  }
}

/** Blocks this whole process until the test writes a line (or kills it). */
function holdUntilReleased(): void {
  const buffer = Buffer.alloc(64);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      if (readSync(0, buffer, 0, buffer.length, null) > 0) return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
    Atomics.wait(pause, 0, 0, 5);
  }
}

function onProgress(event: ProgressEvent): void {
  // Synchronous, so the line is out before the adapter's next step.
  writeSync(1, `event ${JSON.stringify({ type: event.type, message: event.message })}\n`);
  if (config.pauseAt.includes(event.type)) holdUntilReleased();
}

writeSync(1, 'started\n');
try {
  const status = await adapterFor(config).apply({ hostname: config.hostname }, { onProgress });
  writeSync(1, `finished ${status.state}\n`);
} catch (error) {
  writeSync(1, `failed ${error instanceof Error ? error.message : String(error)}\n`);
}
