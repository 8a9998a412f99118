/** Called with the key, the value before and the value after a change (undefined when absent). */
export type MapChangeListener<Key, Value> = (key: Key, before: Value | undefined, after: Value | undefined) => void;

/**
 * A `Map` that tells its listeners about every `set`, `delete` and `clear`, so the fake's data
 * planes can bring the sandbox in line with only what a request changed instead of re-reading the
 * whole account after every request (a fleet's syncs would otherwise grow with its square).
 * Values changed in place are not seen: the fake's routes replace a value, or mark it changed.
 */
export class ObservedMap<Key, Value> extends Map<Key, Value> {
  readonly #listeners: Array<MapChangeListener<Key, Value>> = [];

  /** Adds a listener for every change from now on. */
  onChange(listener: MapChangeListener<Key, Value>): void {
    this.#listeners.push(listener);
  }

  /** Sets the value, then tells the listeners (also when the same value is set again: a change made in place). */
  override set(key: Key, value: Value): this {
    const before = super.get(key);
    super.set(key, value);
    for (const listener of this.#listeners) listener(key, before, value);
    return this;
  }

  /** Deletes the entry, then tells the listeners when there was one. */
  override delete(key: Key): boolean {
    const before = super.get(key);
    const deleted = super.delete(key);
    if (deleted) for (const listener of this.#listeners) listener(key, before, undefined);
    return deleted;
  }

  /** Deletes every entry, then tells the listeners about each. */
  override clear(): void {
    const entries = [...super.entries()];
    super.clear();
    for (const [key, before] of entries) for (const listener of this.#listeners) listener(key, before, undefined);
  }
}
