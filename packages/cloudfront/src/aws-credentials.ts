import { registerSecret } from '@sslclick/core/adapter';

/** The parts of AWS credentials that must never be shown. */
interface AwsKeys {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

function registerKeys(keys: AwsKeys | undefined): void {
  if (!keys || typeof keys !== 'object') return;
  // The access key id is not a secret on its own, but it names the account's key and is what a
  // proxy or vendor error quotes back (it travels in every signed request's Authorization header).
  registerSecret(keys.accessKeyId);
  registerSecret(keys.secretAccessKey);
  registerSecret(keys.sessionToken);
}

/**
 * Registers AWS credentials with the redactor: the access key id, secret access key and session
 * token of static credentials; of a provider function, those it resolves to (it is wrapped, and
 * the wrapper returned); and, when none are given (the SDK's default chain), those in the
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` environment variables.
 */
export function registerAwsCredentials<Credentials>(credentials: Credentials): Credentials {
  if (credentials === undefined || credentials === null) {
    registerKeys({ accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN });
    return credentials;
  }
  if (typeof credentials === 'function') {
    const provider = credentials as (...parameters: unknown[]) => Promise<AwsKeys>;
    return (async (...parameters: unknown[]) => {
      const resolved = await provider(...parameters);
      registerKeys(resolved);
      return resolved;
    }) as Credentials;
  }
  registerKeys(credentials as AwsKeys);
  return credentials;
}
