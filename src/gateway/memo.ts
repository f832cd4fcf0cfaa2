/**
 * @module
 * A Map with a size cap for per-isolate memos of pure functions: when full, a new key pushes
 * out the oldest one (by insertion order). A forgotten entry only means computing it again.
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** @example const m = new BoundedMap<string, number>(2); m.set("a", 1); m.set("b", 2); m.set("c", 3); m.get("a") === undefined */
  set(key: K, value: V): void {
    if (this.#map.size >= this.max && !this.#map.has(key)) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }
}
