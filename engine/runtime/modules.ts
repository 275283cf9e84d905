// The engine side of the bundled script's free variables: `__k6` (the shared module
// implementations), `open` and `console`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { renderTextSummary, type SummaryData } from '../metrics/summary.ts';
import { cryptoModule } from '../modules/crypto.ts';
import { dataModule } from '../modules/data.ts';
import { encodingModule } from '../modules/encoding.ts';
import { createExecutionModule } from '../modules/execution.ts';
import { createHttpModule } from '../modules/http/index.ts';
import { scriptPosition } from '../modules/http/response.ts';
import * as k6 from '../modules/k6.ts';
import { createMetricsModule } from '../modules/metrics.ts';
import { timersModule } from '../modules/timers.ts';
import type { ThreadContext } from './thread.ts';

export interface EngineModules {
  k6: typeof k6;
  http: ReturnType<typeof createHttpModule>;
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
  return args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : inspect(a, { depth: 4, breakLength: Number.POSITIVE_INFINITY }))).join(' ');
}

export function createScriptGlobals(thread: ThreadContext): ScriptGlobals {
  scriptPosition.locate = (stack) => thread.stack.firstScriptPosition(stack);
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
    if (mode === 'b') return content.buffer.slice(content.byteOffset, content.byteOffset + content.byteLength) as ArrayBuffer;
    if (mode !== undefined && mode !== '' && mode !== 'r') throw new Error(`open("${file}", "${mode}"): mode must be "b" (binary) or omitted (text)`);
    return content.toString('utf8');
  };
  const level = (name: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => thread.logger.log(name, formatArgs(args), { source: 'console' });
  const console = { log: level('info'), info: level('info'), debug: level('debug'), warn: level('warn'), error: level('error') };
  const modules: EngineModules = {
    k6,
    http: createHttpModule(thread),
    metrics: createMetricsModule(thread.registry),
    execution: createExecutionModule(thread),
    data: dataModule,
    encoding: encodingModule,
    crypto: cryptoModule,
    timers: timersModule,
    summary: {
      textSummary: (data, options) => renderTextSummary(data, { indent: options?.indent, enableColors: options?.enableColors }),
    },
  };
  return { modules, open, console, initContext };
}
