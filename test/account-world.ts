/**
 * The account-wide run's harness: the sandbox account for one CDN, the adapter built on its
 * settings (here and in the child process the kill test starts), and the options every run uses.
 */
import { createCloudflareDns, createCloudflareProxy } from '@sslclick/cloudflare';
import { createCloudFrontProxy } from '@sslclick/cloudfront';
import { createWriteBudget, setup, type ProxyAdapter, type SetupAccountOptions } from '@sslclick/core';
import { createFastlyProxy } from '@sslclick/fastly';
import type { SandboxAccount, SandboxCdn } from '@sslclick/sandbox';
import { createSendGridLinks, type SendGridLinks } from '@sslclick/sendgrid';

/** What the child process needs to rebuild the adapter and the SendGrid source: plain JSON. */
export interface AccountRunConfig {
  cdn: SandboxCdn;
  adapter: SandboxAccount['adapter'];
  dns: SandboxAccount['dns'] | undefined;
  sendgrid: SandboxAccount['sendgrid'];
  sampleLinks: Readonly<Record<string, string>>;
}

export function runConfigOf(account: SandboxAccount): AccountRunConfig {
  return { cdn: account.cdn, adapter: account.adapter, dns: account.dns, sendgrid: account.sendgrid, sampleLinks: account.sampleLinks };
}

const fastRetry = { minDelay: 10, maxDelay: 50 };

export function adapterOf(config: AccountRunConfig): ProxyAdapter {
  const verification = { ...config.adapter.verification, timeoutMs: 3_000 };
  const wait = { minDelay: 50, maxDelay: 300, maxWaitTime: 30_000 };
  switch (config.cdn) {
    case 'cloudflare':
      return createCloudflareProxy({ ...(config.adapter as SandboxAccount<'cloudflare'>['adapter']), verification, wait, retry: fastRetry });
    case 'fastly':
      return createFastlyProxy({
        ...(config.adapter as SandboxAccount<'fastly'>['adapter']),
        verification,
        wait,
        retry: fastRetry,
        mode: 'vcl',
        dns: createCloudflareDns({ ...(config.dns as NonNullable<SandboxAccount<'fastly'>['dns']>), retry: fastRetry }),
      });
    case 'cloudfront':
      return createCloudFrontProxy({ ...(config.adapter as SandboxAccount<'cloudfront'>['adapter']), verification, wait, retry: fastRetry });
  }
}

export function sendgridOf(config: AccountRunConfig): SendGridLinks {
  return createSendGridLinks({ ...config.sendgrid, retry: fastRetry });
}

export function runOptionsOf(config: AccountRunConfig): SetupAccountOptions {
  return { subusers: true, concurrency: 8, verification: { ...config.sendgrid.verification, timeoutMs: 3_000 }, sampleLinks: config.sampleLinks };
}

/**
 * `runOptionsOf`, with a wide budget for CloudFront: the sandbox's AWS fakes throttle nothing, and
 * CloudFront's default budget (2 writes a second) would make a test wait a minute for ~150 writes.
 */
export function fastRunOptionsOf(config: AccountRunConfig): SetupAccountOptions {
  if (config.cdn !== 'cloudfront') return runOptionsOf(config);
  const budget = createWriteBudget({ name: 'cloudfront account', capacity: 1_000, intervalMs: 1_000 });
  return { ...runOptionsOf(config), budgetFor: () => budget };
}

/** Sets up the `proxied-before` hosts one by one, as an earlier run by hand would have. */
export async function proxyBefore(account: SandboxAccount, adapter: ProxyAdapter): Promise<void> {
  const sendgrid = sendgridOf(runConfigOf(account));
  for (const hostname of account.proxiedBefore) {
    const status = await setup(adapter, { hostname }, { sendgrid, verification: account.verification, sampleLink: account.sampleLinks[hostname] as string });
    if (!status.ready) throw new Error(`Could not set up ${hostname} before the run: ${status.nextSteps.join(' ')}`);
  }
}
