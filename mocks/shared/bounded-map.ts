/**
 * A Map that forgets its oldest entries beyond `maxSize`, so mocks under hours of load keep a flat memory
 * profile: real systems would keep the data, a mock only needs the recent part to stay consistent.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly maxSize: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.maxSize) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
