import { SslClickError } from '@sslclick/core';
import type { SendGridCallOptions, SendGridClient } from './sendgrid-client.js';

/** One sub-user of the account, as `GET /v3/subusers` lists it. */
export interface SendGridSubuser {
  /** SendGrid's numeric user id. */
  id: number;
  /** The sub-user's name, sent as `on-behalf-of` to act for it. */
  username: string;
  /** The sub-user's email address. */
  email: string;
  /** A disabled sub-user sends nothing, so its brandings need no HTTPS yet. */
  disabled: boolean;
}

function parseSubuserPage(body: unknown, operation: string): SendGridSubuser[] {
  const malformed = (): SslClickError =>
    new SslClickError({ code: 'PROVIDER', provider: 'sendgrid', operation, retryable: false, message: 'SendGrid answered the sub-user list with something other than a list of sub-users.' });
  if (!Array.isArray(body)) throw malformed();
  return body.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw malformed();
    const { id, username, email, disabled } = entry as Record<string, unknown>;
    if (typeof id !== 'number' || typeof username !== 'string') throw malformed();
    return { id, username, email: typeof email === 'string' ? email : '', disabled: disabled === true };
  });
}

/**
 * Every sub-user of the key's account (`GET /v3/subusers`, all pages), asked as the account
 * itself, never on behalf of a sub-user. Needs the `subusers.read` scope.
 */
export async function listSubusers(client: SendGridClient, pageSize: number, options: SendGridCallOptions = {}): Promise<SendGridSubuser[]> {
  const operation = 'subusers.list';
  const byId = new Map<number, SendGridSubuser>();
  for (let offset = 0; ; offset += pageSize) {
    const page = parseSubuserPage(
      await client.request({ ...options, method: 'GET', path: '/v3/subusers', query: { limit: pageSize, offset }, operation, scope: 'subusers.read', subject: 'the sub-users', actAsSubuser: false }),
      operation,
    );
    const before = byId.size;
    for (const subuser of page) byId.set(subuser.id, subuser);
    // A short page is the last; a full page with nothing new means the offset was ignored.
    if (page.length < pageSize || byId.size === before) break;
  }
  return [...byId.values()].sort((left, right) => left.username.localeCompare(right.username));
}
