// The script's own realm: a vm context per thread with k6's globals only (what `k6 run` shows for
// `Object.getOwnPropertyNames(globalThis)`), so that a script that passes here does not lean on
// Node's Buffer, process, fetch or require, which k6 does not have. Each VU still gets its own
// module state from the per-VU factory; the realm's built-ins are shared by the VUs of a thread.
import { webcrypto } from 'node:crypto';
import vm from 'node:vm';
import type { CallMarks } from '../runtime/pending.ts';
import { SEQUENTIAL_SOURCE } from './sync-style/sequential.ts';

/** Built-ins of a V8 context that k6's JavaScript runtime does not have. */
const NOT_IN_K6 = ['Atomics', 'FinalizationRegistry', 'Intl', 'SharedArrayBuffer', 'WeakRef', 'WebAssembly', 'Iterator'];

export interface RealmGlobals {
  console: Record<string, (...args: unknown[]) => void>;
  open: (file: string, mode?: string) => unknown;
}

export class ScriptRealm {
  readonly context: vm.Context;
  /** The realm's helpers that await array callbacks one at a time; also the transform's call marks. */
  readonly sequential: { readonly calls: CallMarks };
  /** The realm's Math (randomSeed() seeds its random()). */
  readonly math: Math;
  private readonly json: JSON;
  private readonly arrayBuffer: ArrayBufferConstructor;

  constructor() {
    this.context = vm.createContext({}, { name: 'k6 script', codeGeneration: { strings: true, wasm: false } });
    const run = <T>(code: string): T => vm.runInContext(code, this.context) as T;
    for (const name of NOT_IN_K6) run(`delete globalThis.${name}`);
    this.json = run<JSON>('JSON');
    this.math = run<Math>('Math');
    this.arrayBuffer = run<ArrayBufferConstructor>('ArrayBuffer');
    this.sequential = run<{ calls: CallMarks }>(SEQUENTIAL_SOURCE);
  }

  /** k6's globals besides the language's built-ins. */
  install(globals: RealmGlobals): void {
    const global = vm.runInContext('globalThis', this.context) as Record<string, unknown>;
    const define = (name: string, value: unknown) =>
      Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
    define('global', global);
    define('console', globals.console);
    define('open', globals.open);
    define('setTimeout', setTimeout);
    define('clearTimeout', clearTimeout);
    define('setInterval', setInterval);
    define('clearInterval', clearInterval);
    define('crypto', {
      getRandomValues: <T extends ArrayBufferView | null>(array: T) => webcrypto.getRandomValues(array as never) as T,
      randomUUID: () => webcrypto.randomUUID(),
      subtle: webcrypto.subtle,
      CryptoKey: webcrypto.CryptoKey,
    });
    define('require', (id: string) => {
      throw new Error(
        `require("${id}"): only k6 modules and the script's own files can be required, and only where the bundler sees the call (require("k6/http") at the top level); the embedded engine has no Node.js modules`,
      );
    });
  }

  /** JSON-like data (setup() data, the summary) as the realm's own objects, as k6 hands each VU a copy. */
  copyIn<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    const text = JSON.stringify(value);
    if (text === undefined) return value;
    const copy = this.json.parse(text) as T;
    // Keys whose value is undefined stay there (handleSummary's data.setup_data when setup() returned nothing).
    if (!Array.isArray(value))
      for (const key of Object.keys(value))
        if ((value as Record<string, unknown>)[key] === undefined) (copy as Record<string, unknown>)[key] = undefined;
    return copy;
  }

  /** JSON text parsed into the realm's objects (response bodies). */
  parseJSON(text: string): unknown {
    return this.json.parse(text);
  }

  /** The bytes as an ArrayBuffer of the realm (so `instanceof ArrayBuffer` holds in the script). */
  bufferOf(bytes: Uint8Array | ArrayBuffer): ArrayBuffer {
    const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const out = new this.arrayBuffer(view.byteLength);
    new Uint8Array(out).set(view);
    return out;
  }

  /** A host value handed to the script: host ArrayBuffers become the realm's. */
  toScript(value: unknown): unknown {
    return value instanceof ArrayBuffer ? this.bufferOf(value) : value;
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
  );
}
