/** A bounded map that forgets its least recently used entry, telling `onEvict` (to close native keys). */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number, private readonly onEvict: (value: V) => void = () => {}) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    const old = this.entries.get(key);
    this.entries.delete(key);
    if (old !== undefined && old !== value) this.onEvict(old);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [K, V];
      this.entries.delete(oldestKey);
      this.onEvict(oldest);
    }
  }

  /** Forgets `key`, telling `onEvict`. */
  delete(key: K): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.onEvict(value);
  }

  /** Forgets the least recently used entry, telling `onEvict` (a cache bounded by size as well as count). */
  deleteOldest(): void {
    const oldest = this.entries.keys().next();
    if (oldest.done !== true) this.delete(oldest.value);
  }

  clear(): void {
    for (const value of this.entries.values()) this.onEvict(value);
    this.entries.clear();
  }
}
