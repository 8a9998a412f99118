/**
 * Runs one saas-mode `apply` in its own process, for the reliability test that kills it with
 * SIGKILL mid-way. Settings (JSON, no DnsProvider: the kill comes before any DNS write) in
 * SSLCLICK_CHILD_SETTINGS, the host in SSLCLICK_CHILD_HOSTNAME.
 */
import { createCloudflareProxy, type CloudflareSaasProxySettings } from '../src/index.js';

const settings = JSON.parse(process.env.SSLCLICK_CHILD_SETTINGS ?? '{}') as CloudflareSaasProxySettings;
const hostname = process.env.SSLCLICK_CHILD_HOSTNAME ?? '';
const proxy = createCloudflareProxy(settings);
process.stdout.write('started\n');
const status = await proxy.apply({ hostname }, { onProgress: (event) => process.stdout.write(`${event.type}\n`) });
process.stdout.write(`finished ${status.state}\n`);
