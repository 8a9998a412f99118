import { createHash, randomUUID } from 'node:crypto';

/** The tag that marks a resource as created by sslclick. */
export const managedByTag = { key: 'managed-by', value: 'sslclick' } as const;
/** The tag naming the branded host a resource was created for. */
export const hostnameTagKey = 'sslclick:hostname';

/** The tags sslclick puts on what it creates: its own two, then the user's. */
export function ownershipTags(hostname: string, userTags: Readonly<Record<string, string>> = {}): Array<{ Key: string; Value: string }> {
  return [
    { Key: managedByTag.key, Value: managedByTag.value },
    { Key: hostnameTagKey, Value: hostname },
    ...Object.entries(userTags).map(([Key, Value]) => ({ Key, Value })),
  ];
}

/** Whether tags mark a resource as sslclick's, for this hostname. */
export function isOwnedBy(tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }>, hostname: string): boolean {
  const find = (key: string): string | undefined => tags.find((tag) => tag.Key === key)?.Value;
  return find(managedByTag.key) === managedByTag.value && find(hostnameTagKey) === hostname;
}

/**
 * ACM's idempotency token for the hostname's certificate request: the same hostname within an
 * hour gets the same certificate back, so a retried or re-run request cannot create a second one.
 * ACM allows 1-32 word characters.
 */
export function certificateIdempotencyToken(hostname: string): string {
  return createHash('sha256').update(`sslclick:${hostname}`).digest('hex').slice(0, 32);
}

/**
 * A fresh CloudFront caller reference. It is not an idempotency key (a reused one fails with
 * DistributionAlreadyExists), so idempotency comes from looking the alias up first.
 */
export function newCallerReference(hostname: string): string {
  return `sslclick-${hostname}-${randomUUID()}`.slice(0, 128);
}

/** The distribution comment: names sslclick and the hostname (CloudFront allows 128 characters). */
export function distributionComment(hostname: string): string {
  return `sslclick: SendGrid click tracking proxy for ${hostname}`.slice(0, 128);
}

/** Whether a distribution comment is one sslclick wrote for this hostname. */
export function isOurComment(comment: string | undefined, hostname: string): boolean {
  return comment !== undefined && comment === distributionComment(hostname);
}
