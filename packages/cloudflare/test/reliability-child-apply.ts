/**
 * Runs one `apply` of the Cloudflare adapter in its own process, for the reliability test that
 * kills it with SIGKILL mid-way. The sandbox stays in the test process; this script gets the fake
 * API's URL, a token and the verifier settings in SSLCLICK_CHILD_SETTINGS (JSON) and the host in
 * SSLCLICK_CHILD_HOSTNAME.
 */
import { createCloudflareProxy, type CloudflareProxySettings } from '../src/index.js';

const settings = JSON.parse(process.env.SSLCLICK_CHILD_SETTINGS ?? '{}') as CloudflareProxySettings;
const hostname = process.env.SSLCLICK_CHILD_HOSTNAME ?? '';
const proxy = createCloudflareProxy(settings);
process.stdout.write('started\n');
const status = await proxy.apply({ hostname }, { onProgress: (event) => process.stdout.write(`${event.type}\n`) });
process.stdout.write(`finished ${status.state}\n`);
