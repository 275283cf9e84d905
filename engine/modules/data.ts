// k6/data SharedArray: the function runs once per thread and name; every VU reads the same frozen array.
const arrays = new Map<string, readonly unknown[]>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export function SharedArray(name: string, load: () => unknown[]): readonly unknown[] {
  if (typeof name !== 'string' || name === '') throw new Error('SharedArray needs a name as its first argument');
  const known = arrays.get(name);
  if (known) return known;
  if (typeof load !== 'function') throw new Error(`SharedArray "${name}" needs a function that returns an array`);
  const data = load();
  if (!Array.isArray(data)) throw new Error(`SharedArray "${name}": the function must return an array, got ${typeof data}`);
  const frozen = deepFreeze(JSON.parse(JSON.stringify(data)) as unknown[]);
  arrays.set(name, frozen);
  return frozen;
}

export const dataModule = { SharedArray };
