// One tag set, one series: the key that groups samples into series for the time series and the
// windowed aggregator, without the per-request tags that would make a series per request.

/** Tags unique to one request or iteration; the `name` tag carries the request's identity instead. */
export const PER_REQUEST_TAGS: ReadonlySet<string> = new Set(['url', 'vu', 'iter']);

export interface SeriesIdentity {
  /** Canonical: the same tags in any key order give the same key. */
  readonly key: string;
  /** The tags without the per-request ones, keys sorted. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Series keys of tag sets, cached by the tag set's raw text so the hot path sorts nothing. */
export class SeriesKeys {
  private readonly byRaw = new Map<string, SeriesIdentity>();

  of(tags: Readonly<Record<string, string>>): SeriesIdentity {
    let raw = '';
    for (const name in tags) {
      if (!PER_REQUEST_TAGS.has(name)) raw += `${name}\u0000${tags[name]}\u0001`;
    }
    let identity = this.byRaw.get(raw);
    if (identity === undefined) {
      const kept: Record<string, string> = {};
      for (const name of Object.keys(tags).sort()) if (!PER_REQUEST_TAGS.has(name)) kept[name] = tags[name];
      const key = Object.entries(kept)
        .map(([name, value]) => `${name}\u0000${value}`)
        .join('\u0001');
      identity = { key, tags: Object.freeze(kept) };
      this.byRaw.set(raw, identity);
    }
    return identity;
  }
}
