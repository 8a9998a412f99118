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
 * it, for statuses, progress events and raw vendor values that are handed to the user. The same
 * deep walk as `redactDeepCopy`: errors, `Map`s and non-enumerable properties inside are covered.
 */
export function redactValue<Value>(value: Value): Value {
  return redactDeepCopy(value);
}

/**
 * Properties of an error that hold transport objects (the HTTP request with its `Authorization`
 * header, the socket, the SDK's configuration with the credential provider). A redacted copy of
 * an error drops them, except a response, of which it keeps the status and headers: they say
 * what happened (`Retry-After`, request ids) and hold no credential of ours once redacted. Only
 * errors are treated so; in statuses and events these names are ordinary data.
 */
const transportKeys: ReadonlySet<PropertyKey> = new Set(['request', 'requestHeaders', 'config', 'socket', 'req', 'res', 'client', 'agent']);
const responseKeys: ReadonlySet<PropertyKey> = new Set(['$response', 'response']);

/**
 * A walk visits at most this many objects; what lies beyond is dropped rather than copied, so a
 * pathological object graph can neither leak nor make an error slow to build.
 */
const maximumVisitedObjects = 10_000;

interface Walk {
  readonly copies: Map<object, unknown>;
  visited: number;
}

function readOwn(target: object, descriptor: PropertyDescriptor): unknown {
  if ('value' in descriptor) return descriptor.value;
  try {
    return descriptor.get?.call(target);
  } catch {
    return undefined;
  }
}

function redactBytes(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const clean = redact(text);
  return clean === text ? bytes : Buffer.from(clean, 'latin1');
}

/**
 * Whether copies of this error class cannot carry its prototype: classes such as `DOMException`
 * read `name` and `message` from internal slots a copy does not have.
 */
function hasSlotBackedAccessors(prototype: object | null): boolean {
  for (let current = prototype; current && current !== Error.prototype; current = Object.getPrototypeOf(current) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(current, 'message') ?? Object.getOwnPropertyDescriptor(current, 'name');
    if (descriptor?.get) return true;
  }
  return false;
}

/** A new native error (so error trackers and `util.inspect` still see an error) with the prototype of the original. */
function emptyErrorLike(original: Error): Error {
  const prototype = Object.getPrototypeOf(original) as object | null;
  const copy = new Error();
  delete (copy as { stack?: string }).stack;
  if (hasSlotBackedAccessors(prototype)) {
    Object.defineProperty(copy, 'name', { value: redact(String(original.name)), writable: true, configurable: true, enumerable: false });
    Object.defineProperty(copy, 'message', { value: redact(String(original.message)), writable: true, configurable: true, enumerable: false });
    return copy;
  }
  Object.setPrototypeOf(copy, prototype);
  return copy;
}

function copyOwnProperties(source: object, target: object, walk: Walk): void {
  const isArray = Array.isArray(source);
  const isError = source instanceof Error;
  for (const key of Reflect.ownKeys(source)) {
    if (isError && transportKeys.has(key)) continue;
    // An array's items were copied already; its own extra properties are not.
    if (isArray && (key === 'length' || (typeof key === 'string' && /^\d+$/.test(key)))) continue;
    const descriptor = Object.getOwnPropertyDescriptor(source, key);
    if (!descriptor || Object.getOwnPropertyDescriptor(target, key)?.configurable === false) continue;
    const value = readOwn(source, descriptor);
    const clean = isError && responseKeys.has(key) ? summarizeResponse(value, walk) : redactDeep(value, walk);
    Object.defineProperty(target, key, { value: clean, enumerable: descriptor.enumerable ?? true, writable: true, configurable: true });
  }
}

/** What is kept of an HTTP response on an error: its status and headers, redacted. */
function summarizeResponse(value: unknown, walk: Walk): unknown {
  if (value === null || typeof value !== 'object') return redactDeep(value, walk);
  const response = value as { statusCode?: unknown; status?: unknown; reason?: unknown; headers?: unknown };
  const summary: Record<string, unknown> = {};
  for (const key of ['statusCode', 'status', 'reason', 'headers'] as const) {
    if (response[key] !== undefined) summary[key] = redactDeep(response[key], walk);
  }
  return summary;
}

function redactDeep(value: unknown, walk: Walk): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  const known = walk.copies.get(value);
  if (known !== undefined) return known;
  walk.visited += 1;
  if (walk.visited > maximumVisitedObjects) return '[redacted: too deep]';
  if (value instanceof Date || value instanceof RegExp) return value;
  if (value instanceof Uint8Array) return redactBytes(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (value instanceof URL) {
    const href = redact(value.href);
    return URL.canParse(href) ? new URL(href) : href;
  }
  if (typeof Headers === 'function' && value instanceof Headers) {
    const copy = new Headers();
    walk.copies.set(value, copy);
    value.forEach((headerValue, name) => copy.append(name, redact(headerValue)));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    walk.copies.set(value, copy);
    for (const [key, item] of value) copy.set(redactDeep(key, walk), redactDeep(item, walk));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    walk.copies.set(value, copy);
    for (const item of value) copy.add(redactDeep(item, walk));
    return copy;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    walk.copies.set(value, copy);
    for (const item of value) copy.push(redactDeep(item, walk));
    copyOwnProperties(value, copy, walk);
    return copy;
  }
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) return value;
  // Errors keep their class (so `instanceof` and `name` still work); other objects keep their
  // prototype when it is a plain one, and become plain objects otherwise, because a copy of a
  // class with internal state (a stream, a socket) would be a broken object.
  let copy: object;
  if (value instanceof Error) copy = emptyErrorLike(value);
  else {
    const prototype = Object.getPrototypeOf(value) as object | null;
    copy = prototype === null || prototype === Object.prototype ? Object.create(prototype) : {};
  }
  walk.copies.set(value, copy);
  copyOwnProperties(value, copy, walk);
  return copy;
}

/**
 * Returns a copy of any value (an error and everything it holds: its own properties, enumerable
 * or not, its `cause` chain, vendor error bodies, arrays, `Map`s, `Set`s, `Headers`) with
 * `redact` applied to every string reachable from it, at any depth; cycles are kept as cycles.
 * Errors stay native errors of their class; transport objects (requests, sockets, SDK
 * configuration) are dropped and a response keeps only its status and headers. Codes, HTTP
 * statuses and the vendor's own messages are kept, with the secret replaced.
 */
export function redactDeepCopy<Value>(value: Value): Value {
  return redactDeep(value, { copies: new Map(), visited: 0 }) as Value;
}

/**
 * Redacts an error that is about to leave sslclick (`throw redactError(error)`), whatever it is:
 * an `SslClickError` is cleaned in place and returned (its `cause` replaced by a redacted copy),
 * anything else is returned as a redacted copy of the same class. After it, `util.inspect`,
 * `console.error`, `JSON.stringify` and error trackers that walk the object find no registered
 * secret and no credential-shaped value.
 */
export function redactError<Value>(error: Value): Value {
  if (error === null || typeof error !== 'object') return redactDeepCopy(error);
  if (Object.isFrozen(error) || !(error instanceof Error)) return redactDeepCopy(error);
  const walk: Walk = { copies: new Map([[error, error]]), visited: 0 };
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (!descriptor) continue;
    if (transportKeys.has(key)) {
      if (descriptor.configurable) delete (error as unknown as Record<PropertyKey, unknown>)[key];
      continue;
    }
    const value = readOwn(error, descriptor);
    const clean = responseKeys.has(key) ? summarizeResponse(value, walk) : redactDeep(value, walk);
    if (clean === value) continue;
    if (!descriptor.configurable) return redactDeepCopy(error);
    Object.defineProperty(error, key, { value: clean, enumerable: descriptor.enumerable ?? true, writable: true, configurable: true });
  }
  return error;
}
