// Consumer test: the split of @sslclick/core as a setup script sees it. The main entry holds what
// a setup script calls; the helpers only adapter authors need are in @sslclick/core/adapter and
// not in the main entry (as vercel/ai keeps provider-utils apart from ai).
import assert from 'node:assert/strict';

const main = await import('@sslclick/core');
const adapter = await import('@sslclick/core/adapter');

for (const name of ['setup', 'getStatus', 'destroy', 'verifyHostname', 'verifyHostnames', 'accountReadiness', 'setupAccount', 'createWriteBudget', 'knownWriteBudget', 'defaultResourceQuotas', 'normalizeHostname', 'SslClickError', 'lookupName']) {
  assert.ok(name in main, `@sslclick/core exports ${name}`);
}
assert.ok(!('status' in main), '@sslclick/core no longer exports status (renamed getStatus)');

const adapterHelpers = [
  'headersOf', 'readHeader', 'httpStatusOf', 'parseRetryAfter', 'buildStatus', 'deriveState', 'readyNextSteps', 'loadCredential',
  'isConnectionError', 'defaultRetryDecision', 'withRetry', 'waitUntil', 'redact', 'redactValue', 'registerSecret',
  'checkBeforeCutover', 'confirmAfterCutover', 'invalidInput', 'throwIfAborted',
];
for (const name of adapterHelpers) {
  assert.ok(name in adapter, `@sslclick/core/adapter exports ${name}`);
  assert.ok(!(name in main), `@sslclick/core does not export the adapter helper ${name}`);
}

const cloudflare = await import('@sslclick/cloudflare');
const cloudfront = await import('@sslclick/cloudfront');
assert.equal(typeof cloudflare.createCloudflareDns, 'function', 'createCloudflareDns');
assert.equal(typeof cloudfront.createRoute53Dns, 'function', 'createRoute53Dns');
assert.ok(!('cloudflareDns' in cloudflare) && !('route53Dns' in cloudfront), 'the old DNS provider names are gone');

// One SslClickError class, recognised across copies, with a code a script can switch on.
try {
  main.normalizeHostname('*.example.com');
  assert.fail('a wildcard hostname is rejected');
} catch (error) {
  assert.ok(main.SslClickError.isInstance(error));
  assert.equal(error.code, 'INVALID_INPUT');
}
console.log(`@sslclick/core: ${Object.keys(main).length} exports for setup scripts, ${Object.keys(adapter).length} for adapter authors.`);
