// Runs one `apply` against the sandbox's AWS fakes, for the "killed mid-way" case of
// reliability.test.ts: the sandbox lives in the test process, which passes its endpoints, DNS
// resolver and CA in SSLCLICK_CHILD_CONFIG and kills this process (SIGKILL) part-way through.
import type { CloudFrontProxySettings } from '../src/index.js';
import { createCloudFrontProxy } from '../src/index.js';

interface ChildConfig {
  hostname: string;
  settings: CloudFrontProxySettings;
}

const config = JSON.parse(process.env.SSLCLICK_CHILD_CONFIG ?? '{}') as ChildConfig;
const proxy = createCloudFrontProxy(config.settings);
// Each progress event on its own line: the test advances the sandbox clock on the waits.
const status = await proxy.apply({ hostname: config.hostname }, { onProgress: (event) => console.log(`event ${event.type}`) });
console.log(`done ${status.state}`);
