// The engine side of the bundled script's free variables: `__k6` (the shared module
// implementations), and the realm's `open` and `console`. Requests and sleeps are tracked per VU
// (pending.ts; the http module counts its own), and binary results become the realm's ArrayBuffers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect, types } from 'node:util';
import { renderTextSummary, type SummaryData } from '../metrics/summary.ts';
import { cryptoModule } from '../modules/crypto.ts';
import { dataModule } from '../modules/data.ts';
import { encodingModule } from '../modules/encoding.ts';
import { createExecutionModule } from '../modules/execution.ts';
import { htmlModule } from '../modules/html/index.ts';
import { createHttpModule } from '../modules/http/index.ts';
import { scriptPosition, scriptRealm } from '../modules/http/response.ts';
import * as k6 from '../modules/k6.ts';
import { createMetricsModule } from '../modules/metrics.ts';
import { timersModule } from '../modules/timers.ts';
import type { ScriptRealm } from '../script/realm.ts';
import { type CallTracking, PendingCalls } from './pending.ts';
import type { ThreadContext } from './thread.ts';
import type { VU } from './vu.ts';

export interface EngineModules {
  k6: typeof k6;
  http: ReturnType<typeof createHttpModule>;
  html: typeof htmlModule;
  metrics: ReturnType<typeof createMetricsModule>;
  execution: ReturnType<typeof createExecutionModule>;
  data: typeof dataModule;
  encoding: typeof encodingModule;
  crypto: typeof cryptoModule;
  timers: typeof timersModule;
  summary: { textSummary(data: SummaryData, options?: { indent?: string; enableColors?: boolean }): string };
}

export interface ScriptGlobals {
  modules: EngineModules;
  open: (file: string, mode?: string) => string | ArrayBuffer;
  console: Record<string, (...args: unknown[]) => void>;
  /** open() works only while a VU evaluates the init context. */
  initContext: { active: boolean };
}

function formatArgs(args: unknown[]): string {
  return args
    .map((a) =>
      typeof a === 'string'
        ? a
        : types.isNativeError(a)
          ? ((a as Error).stack ?? (a as Error).message)
          : inspect(a, { depth: 4, breakLength: Number.POSITIVE_INFINITY }),
    )
    .join(' ');
}

function tracked(vu: VU, promise: unknown, name: string, blocking: boolean, tracking: CallTracking): unknown {
  const calls = (vu.calls ??= new PendingCalls());
  return calls.track(promise, name, blocking, tracking.marks);
}

/** Module functions whose results may be binary: host ArrayBuffers become the realm's (and so do those of returned hashers). */
function realmResults<T extends object>(module: T, realm: ScriptRealm): T {
  const wrap = (value: unknown): unknown => {
    if (value instanceof ArrayBuffer) return realm.bufferOf(value);
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value))
        out[key] = typeof member === 'function' ? (...args: unknown[]) => wrap(member.apply(value, args)) : member;
      return out;
    }
    return value;
  };
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(module))
    out[key] = typeof member === 'function' && !/^[A-Z]/.test(key) ? (...args: unknown[]) => wrap(member(...args)) : member;
  return out as T;
}

export function createScriptGlobals(thread: ThreadContext, realm: ScriptRealm, tracking: CallTracking): ScriptGlobals {
  scriptPosition.locate = (stack) => thread.stack.firstScriptPosition(stack);
  scriptRealm.parseJSON = (text) => realm.parseJSON(text);
  scriptRealm.bufferOf = (bytes) => realm.bufferOf(bytes);
  const initContext = { active: false };
  const files = new Map<string, Buffer>();
  const scriptDir = path.dirname(thread.scriptPath);
  const open = (file: string, mode?: string): string | ArrayBuffer => {
    if (!initContext.active) throw new Error(`open("${file}"): open() can only be called in the init context (the script's top level)`);
    const resolved = path.resolve(scriptDir, file);
    let content = files.get(resolved);
    if (content === undefined) {
      try {
        content = readFileSync(resolved);
      } catch (error) {
        throw new Error(`open("${file}"): cannot read ${resolved}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      files.set(resolved, content);
    }
    if (mode === 'b') return realm.bufferOf(content);
    if (mode !== undefined && mode !== '' && mode !== 'r')
      throw new Error(`open("${file}", "${mode}"): mode must be "b" (binary) or omitted (text)`);
    return content.toString('utf8');
  };
  const level =
    (name: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      thread.logger.log(name, formatArgs(args), { source: 'console' });
  const console = { log: level('info'), info: level('info'), debug: level('debug'), warn: level('warn'), error: level('error') };
  const modules: EngineModules = {
    k6: {
      ...k6,
      sleep: (vu: VU, seconds: number) => tracked(vu, k6.sleep(vu, seconds), 'sleep', true, tracking) as Promise<void>,
      // The script's Math is the realm's.
      randomSeed: (_vu: VU, seed: number) => {
        realm.math.random = k6.seededRandom(seed);
      },
    },
    http: createHttpModule(thread, tracking),
    html: htmlModule,
    metrics: createMetricsModule(thread.registry),
    execution: createExecutionModule(thread),
    data: dataModule,
    encoding: realmResults(encodingModule, realm),
    crypto: realmResults(cryptoModule, realm),
    timers: timersModule,
    summary: {
      textSummary: (data, options) => renderTextSummary(data, { indent: options?.indent, enableColors: options?.enableColors }),
    },
  };
  return { modules, open, console, initContext };
}
