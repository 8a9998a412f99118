import { it } from 'vitest';
import { setupAccount } from '@sslclick/core';
import { startSandboxAccount } from '@sslclick/sandbox';
import { adapterOf, proxyBefore, runConfigOf, runOptionsOf, sendgridOf } from './account-world.js';

it('explore', async () => {
  const account = await startSandboxAccount({ cdn: (process.env.CDN ?? 'cloudflare') as 'cloudflare' });
  const config = runConfigOf(account);
  const adapter = adapterOf(config);
  let t = Date.now();
  await proxyBefore(account, adapter);
  console.log('before', Date.now() - t, account.writes()); t = Date.now();
  const w0 = account.writes();
  const result = await setupAccount(sendgridOf(config), adapter, { ...runOptionsOf(config) });
  console.log('run', Date.now() - t, account.writes() - w0, JSON.stringify(result.plan)); t = Date.now();
  for (const a of result.accounts) { console.log(a.account, a.ready, a.hosts.length, JSON.stringify(a.blockedBy)); }
  for (const a of result.accounts) for (const h of a.hosts) if (!h.ready) console.log(h.hostname, h.decision, h.reason);
  const w1 = account.writes();
  const again = await setupAccount(sendgridOf(config), adapter, { ...runOptionsOf(config) });
  console.log('rerun', Date.now() - t, account.writes() - w1, JSON.stringify(again.plan.decisions), account.rateLimited());
  await account.close();
}, 300_000);
