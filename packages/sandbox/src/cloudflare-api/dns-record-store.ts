import type { CloudflareDnsRecord } from './cloudflare-state.js';
import { ObservedMap } from './observed-map.js';

/**
 * The account's DNS records by id, indexed by zone and by name (each index in the order the
 * records were first set, as the map itself), so a lookup by name or zone does not scan every
 * record of the account: a fleet adds records per host and asks for them per host.
 */
export class DnsRecordStore extends ObservedMap<string, CloudflareDnsRecord> {
  readonly #byZone = new Map<string, Map<string, CloudflareDnsRecord>>();
  readonly #byName = new Map<string, Map<string, CloudflareDnsRecord>>();
  /** Each record's place in the map (set once, kept while it is there), to list an index in the map's order. */
  readonly #place = new Map<string, number>();
  #nextPlace = 0;

  /** An empty store. */
  constructor() {
    super();
    this.onChange((id, before, after) => {
      if (!after) this.#place.delete(id);
      else if (!this.#place.has(id)) this.#place.set(id, (this.#nextPlace += 1));
      if (before) {
        if (!after || after.zone_id !== before.zone_id) DnsRecordStore.#remove(this.#byZone, before.zone_id, id);
        if (!after || after.name !== before.name) DnsRecordStore.#remove(this.#byName, before.name, id);
      }
      if (after) {
        DnsRecordStore.#add(this.#byZone, after.zone_id, id, after);
        DnsRecordStore.#add(this.#byName, after.name, id, after);
      }
    });
  }

  static #add(index: Map<string, Map<string, CloudflareDnsRecord>>, key: string, id: string, record: CloudflareDnsRecord): void {
    let entries = index.get(key);
    if (!entries) index.set(key, (entries = new Map()));
    entries.set(id, record);
  }

  static #remove(index: Map<string, Map<string, CloudflareDnsRecord>>, key: string, id: string): void {
    const entries = index.get(key);
    if (!entries) return;
    entries.delete(id);
    if (entries.size === 0) index.delete(key);
  }

  /** The zone's records, in the map's order. */
  inZone(zoneId: string): CloudflareDnsRecord[] {
    return this.#inPlaceOrder(this.#byZone.get(zoneId));
  }

  /** The records named `name` in every zone, in the map's order. */
  named(name: string): CloudflareDnsRecord[] {
    return this.#inPlaceOrder(this.#byName.get(name));
  }

  // A record renamed moves to the end of its new name's entries but keeps its place in the map.
  #inPlaceOrder(entries: Map<string, CloudflareDnsRecord> | undefined): CloudflareDnsRecord[] {
    if (!entries) return [];
    if (entries.size < 2) return [...entries.values()];
    return [...entries].sort(([left], [right]) => (this.#place.get(left) ?? 0) - (this.#place.get(right) ?? 0)).map(([, record]) => record);
  }

  /** Every record name there is now. */
  names(): IterableIterator<string> {
    return this.#byName.keys();
  }
}
