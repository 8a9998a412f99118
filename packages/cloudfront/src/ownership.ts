import { createHash, randomUUID } from 'node:crypto';

/** The tag that marks a resource as created by sslclick. */
export const managedByTag = { key: 'managed-by', value: 'sslclick' } as const;
/** The tag naming the branded host a resource was created for. */
export const hostnameTagKey = 'sslclick:hostname';

/**
 * The tag on sslclick's distribution naming the ACM certificate sslclick put on it, written only
 * when that certificate was proven sslclick's (its own tags) at the time. While the distribution
 * still uses that certificate, the tag proves the certificate is sslclick's without reading the
 * certificate's tags: `status` makes one read per resource. A value is an ARN, which CloudFront
 * tag values allow (0-256 characters of letters, digits, spaces and `_ . : / = + - @`:
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Tag.html).
 */
export const certificateTagKey = 'sslclick:certificate';

/**
 * The tag on sslclick's distribution naming the Route 53 hosted zone that held the host's record
 * when sslclick created (or adopted) the distribution, as `<zone id>:<zone name>`: `status` reads
 * the distribution's tags anyway, so it knows where the host's DNS is managed without looking the
 * zone up (one lookup plus one read per resource on a new adapter too). Zone ids are letters and
 * digits and zone names letters, digits, hyphens and dots: all allowed in a tag value.
 */
export const route53ZoneTagKey = 'sslclick:route53-zone';

/** A Route 53 hosted zone as the distribution's tag names it. */
export interface TaggedRoute53Zone {
  id: string;
  name: string;
}

/** The zone named by a `route53ZoneTagKey` value, or `undefined` for a value sslclick did not write. */
export function parseRoute53ZoneTag(value: string | undefined): TaggedRoute53Zone | undefined {
  const match = value === undefined ? null : /^([A-Z0-9]{1,32}):([a-z0-9.-]{1,253})$/.exec(value);
  return match ? { id: match[1] as string, name: match[2] as string } : undefined;
}

/** What a distribution's tags say besides ownership: both only on a distribution sslclick owns. */
export interface DistributionTagFacts {
  /** The certificate sslclick put on it, proven sslclick's (see `certificateTagKey`). */
  ownCertificateArn?: string | undefined;
  /** The Route 53 zone holding the host's record (see `route53ZoneTagKey`). */
  route53Zone?: TaggedRoute53Zone | undefined;
}

/**
 * The tags sslclick puts on what it creates: its own two (plus, on a distribution, the
 * certificate and hosted zone it knows of), then the user's.
 */
export function ownershipTags(hostname: string, userTags: Readonly<Record<string, string>> = {}, facts: DistributionTagFacts = {}): Array<{ Key: string; Value: string }> {
  const ours = new Set<string>([certificateTagKey, route53ZoneTagKey]);
  return [
    { Key: managedByTag.key, Value: managedByTag.value },
    { Key: hostnameTagKey, Value: hostname },
    ...(facts.ownCertificateArn ? [{ Key: certificateTagKey, Value: facts.ownCertificateArn }] : []),
    ...(facts.route53Zone ? [{ Key: route53ZoneTagKey, Value: `${facts.route53Zone.id}:${facts.route53Zone.name}` }] : []),
    ...Object.entries(userTags).filter(([Key]) => !ours.has(Key)).map(([Key, Value]) => ({ Key, Value })),
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
