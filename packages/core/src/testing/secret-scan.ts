import { inspect } from 'node:util';

/** Where a secret was found: a path from the scanned value (`cause.error.errors[0].message`) or a rendering (`util.inspect`). */
export interface SecretSighting {
  /** Where in the value the secret was found, e.g. `.cause.error.errors[0].message` or `util.inspect`. */
  path: string;
  /** The secret that was found there. */
  secret: string;
}

function describeKey(key: PropertyKey): string {
  return typeof key === 'symbol' ? `[${key.toString()}]` : /^\d+$/.test(String(key)) ? `[${String(key)}]` : `.${String(key)}`;
}

function walk(value: unknown, path: string, secrets: readonly string[], seen: Set<object>, found: SecretSighting[]): void {
  if (typeof value === 'string') {
    for (const secret of secrets) if (value.includes(secret)) found.push({ path: path || '(value)', secret });
    return;
  }
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  if (seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) {
    let index = 0;
    for (const [key, item] of value) {
      walk(key, `${path}<map key ${index}>`, secrets, seen, found);
      walk(item, `${path}<map value ${index}>`, secrets, seen, found);
      index += 1;
    }
  } else if (value instanceof Set) {
    let index = 0;
    for (const item of value) walk(item, `${path}<set ${index++}>`, secrets, seen, found);
  } else if (typeof Headers === 'function' && value instanceof Headers) {
    value.forEach((headerValue, name) => walk(headerValue, `${path}<header ${name}>`, secrets, seen, found));
  } else if (ArrayBuffer.isView(value)) {
    walk(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1'), `${path}<bytes>`, secrets, seen, found);
    return;
  }
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor) continue;
    let item: unknown;
    if ('value' in descriptor) item = descriptor.value;
    else {
      try {
        item = descriptor.get?.call(value);
      } catch {
        continue;
      }
    }
    walk(item, `${path}${describeKey(key)}`, secrets, seen, found);
  }
}

/**
 * Every place a secret occurs in a value, however deep: every own property (enumerable or not,
 * symbol keys and getters included), the `cause` chain, nested objects and arrays, `Map`s,
 * `Set`s, `Headers` and byte arrays; and in what `util.inspect` (depth Infinity, hidden
 * properties shown), `String` and `JSON.stringify` print of it, as a console, a log line or an
 * error tracker would. An empty list means the value is clean.
 */
export function findSecrets(value: unknown, secrets: readonly string[]): SecretSighting[] {
  const found: SecretSighting[] = [];
  walk(value, '', secrets, new Set(), found);
  const renderings: Array<[string, () => string]> = [
    ['util.inspect', () => inspect(value, { depth: Infinity, showHidden: true })],
    ['util.inspect (default)', () => inspect(value, { depth: Infinity })],
    ['String', () => String(value)],
    ['JSON.stringify', () => JSON.stringify(value) ?? ''],
  ];
  for (const [name, render] of renderings) {
    let text: string;
    try {
      text = render();
    } catch {
      continue;
    }
    for (const secret of secrets) if (text.includes(secret)) found.push({ path: `<${name}>`, secret });
  }
  return found;
}
