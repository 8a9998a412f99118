import { isIP } from 'node:net';

/** Record types the sandbox DNS serves. */
export type DnsRecordType = 'A' | 'CNAME' | 'TXT';

/** One DNS record in the sandbox zone. Names are lower-case without a trailing dot. */
export interface DnsRecord {
  readonly name: string;
  readonly type: DnsRecordType;
  /** An IPv4 address (A), a host name (CNAME) or text (TXT). */
  readonly value: string;
  /** Time to live in seconds. */
  readonly ttl: number;
}

/** Input of {@link DnsZone.setRecord}. */
export interface DnsRecordInput {
  readonly name: string;
  readonly type: DnsRecordType;
  /** One value, or several for a record set (several A addresses or TXT strings). */
  readonly value: string | readonly string[];
  /** Time to live in seconds; default {@link DEFAULT_DNS_TTL}. */
  readonly ttl?: number;
}

/** The answer to a query, as a recursive resolver would give it. */
export interface DnsLookupResult {
  /** `NXDOMAIN` when the name (and nothing below it) exists, else `NOERROR`. */
  readonly responseCode: 'NOERROR' | 'NXDOMAIN';
  /** The CNAME chain followed (in order), then the records of the asked type at its end. */
  readonly answers: readonly DnsRecord[];
}

/** Default time to live of sandbox records, in seconds. */
export const DEFAULT_DNS_TTL = 300;

const recordTypes: readonly DnsRecordType[] = ['A', 'CNAME', 'TXT'];
const maximumCnameChainLength = 16;

/** Lower-cases a DNS name and strips one trailing dot. */
export function normalizeDnsName(name: string): string {
  const lowered = name.trim().toLowerCase();
  return lowered.endsWith('.') ? lowered.slice(0, -1) : lowered;
}

/**
 * The sandbox's authoritative data: A, CNAME and TXT records by name.
 *
 * A CNAME excludes every other type at its name, as in real DNS: setting a CNAME removes the
 * other records there, and setting another type where a CNAME exists throws.
 */
export class DnsZone {
  readonly #recordsByName = new Map<string, DnsRecord[]>();

  /**
   * Replaces the records of `input.name` and `input.type` with `input.value`.
   *
   * @throws TypeError for an empty name, an A value that is not IPv4, an empty value list, or a
   *   non-CNAME record at a name that holds a CNAME.
   */
  setRecord(input: DnsRecordInput): DnsRecord[] {
    const name = normalizeDnsName(input.name);
    if (name === '') throw new TypeError('A DNS record needs a name.');
    if (!recordTypes.includes(input.type)) throw new TypeError(`Unsupported DNS record type ${String(input.type)}.`);
    const values = typeof input.value === 'string' ? [input.value] : [...input.value];
    if (values.length === 0) throw new TypeError(`A ${input.type} record for ${name} needs a value.`);
    if (input.type === 'CNAME' && values.length > 1) {
      throw new TypeError(`A name can hold only one CNAME (${name}).`);
    }
    const ttl = input.ttl ?? DEFAULT_DNS_TTL;
    const records = values.map((value): DnsRecord => {
      if (input.type === 'A' && isIP(value) !== 4) throw new TypeError(`${value} is not an IPv4 address.`);
      const normalizedValue = input.type === 'CNAME' ? normalizeDnsName(value) : value;
      return { name, type: input.type, value: normalizedValue, ttl };
    });
    const existing = this.#recordsByName.get(name) ?? [];
    if (input.type !== 'CNAME' && existing.some((record) => record.type === 'CNAME')) {
      throw new TypeError(`${name} holds a CNAME, which excludes ${input.type} records.`);
    }
    const kept = input.type === 'CNAME' ? [] : existing.filter((record) => record.type !== input.type);
    this.#recordsByName.set(name, [...kept, ...records]);
    return records;
  }

  /** Deletes the records of `name` (only those of `type` when given); returns how many went. */
  deleteRecord(name: string, type?: DnsRecordType): number {
    const normalizedName = normalizeDnsName(name);
    const existing = this.#recordsByName.get(normalizedName);
    if (existing === undefined) return 0;
    const kept = type === undefined ? [] : existing.filter((record) => record.type !== type);
    if (kept.length === 0) this.#recordsByName.delete(normalizedName);
    else this.#recordsByName.set(normalizedName, kept);
    return existing.length - kept.length;
  }

  /** The records at `name`, all types. */
  getRecords(name: string): DnsRecord[] {
    return [...(this.#recordsByName.get(normalizeDnsName(name)) ?? [])];
  }

  /** Every record in the zone. */
  records(): DnsRecord[] {
    return [...this.#recordsByName.values()].flat();
  }

  /** Whether `name` or any name below it holds a record (so it is not NXDOMAIN). */
  nameExists(name: string): boolean {
    const normalizedName = normalizeDnsName(name);
    if (this.#recordsByName.has(normalizedName)) return true;
    const suffix = `.${normalizedName}`;
    for (const key of this.#recordsByName.keys()) {
      if (key.endsWith(suffix)) return true;
    }
    return false;
  }

  /**
   * Answers a query like a recursive resolver: for a type other than CNAME, follows CNAMEs
   * through the zone and returns the chain plus the records of `type` at its end.
   */
  lookup(name: string, type: DnsRecordType): DnsLookupResult {
    const answers: DnsRecord[] = [];
    let current = normalizeDnsName(name);
    const visited = new Set<string>();
    for (let step = 0; step < maximumCnameChainLength; step += 1) {
      const records = this.#recordsByName.get(current);
      if (records === undefined) {
        const exists = this.nameExists(current);
        return { responseCode: answers.length === 0 && !exists ? 'NXDOMAIN' : 'NOERROR', answers };
      }
      const cname = records.find((record) => record.type === 'CNAME');
      if (type === 'CNAME' || cname === undefined) {
        answers.push(...records.filter((record) => record.type === type));
        return { responseCode: 'NOERROR', answers };
      }
      answers.push(cname);
      visited.add(current);
      current = cname.value;
      if (visited.has(current)) break;
    }
    return { responseCode: 'NOERROR', answers };
  }

  /** The IPv4 addresses `name` resolves to (through CNAMEs), or an IPv4 literal itself. */
  resolveAddresses(name: string): string[] {
    if (isIP(name) === 4) return [name];
    return this.lookup(name, 'A')
      .answers.filter((record) => record.type === 'A')
      .map((record) => record.value);
  }
}

/** Creates an empty {@link DnsZone}. */
export function createDnsZone(): DnsZone {
  return new DnsZone();
}
