// Tag sets shared between samples. Tags are interned: VUs with the same tags share one frozen
// object, so the samples of all of them carry the same tags object and every consumer (the request
// tag cache, the results folder, outputs, the worker transport) can key its per-tag-set work by
// object identity instead of building a string from the tags for every sample.
import type { Tags } from '../metrics/types.ts';

const internedTags = new Map<string, Tags>();
/** Per-VU tags (exec.vu.tags with an id per VU) can make many sets; past this the table restarts. */
const INTERNED_TAGS_LIMIT = 10_000;

/** The one frozen object with these tags (same names, values and order). */
export function internTags(tags: Record<string, string>): Tags {
  let key = '';
  for (const name in tags) {
    const value: unknown = tags[name];
    // A number 1 and a string '1' stay different sets: tags are passed on as they were given.
    key += typeof value === 'string' ? `${name}\u0000${value}\u0001` : `${name}\u0002${typeof value}:${String(value)}\u0001`;
  }
  let interned = internedTags.get(key);
  if (interned === undefined) {
    if (internedTags.size >= INTERNED_TAGS_LIMIT) internedTags.clear();
    interned = Object.freeze({ ...tags });
    internedTags.set(key, interned);
  }
  return interned;
}
