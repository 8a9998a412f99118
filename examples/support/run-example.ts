import { createProgressDisplay, formatStatus } from '@sslclick/cli';
import { setup, SslClickError, type LinkBrandingSource, type ProxyAdapter, type SetupStatus, type VerificationSettings } from '@sslclick/core';
import { clickTrackedLink, type ClickOptions, type ClickResult } from './click-through.js';

/** Everything an example needs, whether it runs against the sandbox or a real vendor. */
export interface ExampleWorld {
  mode: 'sandbox' | 'live';
  /** Said first, so nobody mistakes a sandbox run for a live one. */
  banner: string;
  adapter: ProxyAdapter;
  hostname: string;
  sendgrid?: LinkBrandingSource;
  verification?: VerificationSettings;
  /** A tracked link to click at the end (HTTPS once the proxy is ready). */
  sampleLink?: string;
  click?: ClickOptions;
  /** Wait for hand-published DNS records (adapters that do not manage DNS). */
  waitForDns?: boolean;
  close(): Promise<void>;
}

/**
 * Runs one example: `setup()` with live progress, the final status as a table (or JSON with
 * `--json`), then one real click through the proxy. Exits 0 when ready, 1 when not, 2 on error.
 */
export async function runExample(createWorld: () => Promise<ExampleWorld>): Promise<void> {
  const json = process.argv.includes('--json');
  // A reader that closed the pipe (`| head -1`) has what it wanted: leave quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  const display = createProgressDisplay();
  let world: ExampleWorld | undefined;
  let exitCode = 1;
  try {
    world = await createWorld();
    process.stderr.write(`${world.banner}\n\n`);
    const status: SetupStatus = await setup(
      world.adapter,
      { hostname: world.hostname },
      {
        onProgress: (event) => display.onProgress(event),
        ...(world.sendgrid ? { sendgrid: world.sendgrid } : {}),
        ...(world.verification ? { verification: world.verification } : {}),
        ...(world.sampleLink ? { sampleLink: world.sampleLink } : {}),
        ...(world.waitForDns ? { waitForDns: { minDelay: 200, maxDelay: 2_000, maxWaitTime: 60_000 } } : {}),
      },
    );
    display.stop(status.ready ? 'succeed' : 'fail', status.ready ? `${status.hostname} is ready for SSL click tracking.` : `${status.hostname} is not ready (${status.state}).`);
    let click: ClickResult | undefined;
    if (status.ready && world.sampleLink) click = await clickTrackedLink(world.sampleLink, world.click);
    if (json) {
      process.stdout.write(`${JSON.stringify({ mode: world.mode, status, click }, null, 2)}\n`);
    } else {
      process.stdout.write(`\n${formatStatus(status)}\n`);
      if (status.supportRequest) process.stdout.write(`\nRequest to send to SendGrid support:\n\n${status.supportRequest.replace(/^/gm, '  ')}\n`);
      if (click) {
        process.stdout.write(
          `\nOne real click through the proxy:\n  GET ${click.url}\n  → ${click.error ? `failed: ${click.error}` : `${click.status}${click.location ? ` Location: ${click.location}` : ''}`}\n`,
        );
      }
    }
    const clickOk = !click || (click.status !== undefined && click.status >= 300 && click.status < 400 && click.location !== undefined);
    exitCode = status.ready && clickOk ? 0 : 1;
  } catch (error) {
    display.stop('fail', 'Setup stopped.');
    const message = SslClickError.isInstance(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    if (json) process.stdout.write(`${JSON.stringify({ mode: world?.mode, error: message }, null, 2)}\n`);
    else process.stderr.write(`\n${message}\n`);
    exitCode = 2;
  } finally {
    await world?.close();
  }
  process.exit(exitCode);
}
