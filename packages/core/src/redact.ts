const registeredSecrets = new Set<string>();

/** Secrets shorter than this are not registered: replacing them would mangle ordinary words. */
const minimumSecretLength = 6;

/**
 * Registers a credential so that `redact` removes it from every message, log line and status.
 * Adapters call it for each credential they are given; it is process-wide on purpose, so a
 * secret can never slip out through an error created far from where it was passed in.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= minimumSecretLength) registeredSecrets.add(secret);
}

// Credential shapes that are removed even when nobody registered them.
const credentialPatterns: RegExp[] = [
  /(authorization\s*[:=]\s*["']?)(bearer|basic)\s+[^\s"',;]+/gi,
  /(\b(?:bearer)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /((?:fastly-key|x-auth-key|x-api-key|api[-_]?key|api[-_]?token|secret[-_]?access[-_]?key|session[-_]?token|password)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
  /\b(SG\.)[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/g,
];

/** Returns the text with every registered secret and every credential-shaped value replaced. */
export function redact(text: string): string {
  let result = text;
  for (const secret of registeredSecrets) {
    if (result.includes(secret)) result = result.split(secret).join('[redacted]');
  }
  for (const pattern of credentialPatterns) {
    result = result.replace(pattern, (_match, prefix: string) =>
      /^(AKIA|ASIA)/.test(prefix) ? '[redacted]' : `${prefix}[redacted]`,
    );
  }
  return result;
}

/**
 * Returns a copy of a value (an object, array or string) with `redact` applied to every string in
 * it, for statuses, progress events and raw vendor values that are handed to the user.
 */
export function redactValue<Value>(value: Value, seen = new WeakSet<object>()): Value {
  if (typeof value === 'string') return redact(value) as Value;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen)) as Value;
  if (value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, seen);
  return copy as Value;
}
