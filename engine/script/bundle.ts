// Script loading: esbuild bundles the script and its local imports once into CommonJS with the k6
// modules as virtual modules, and the result is compiled into a factory in the script's realm.
// Calling the factory once per VU evaluates the script's top level again, so each VU has its own
// module state (as in k6, where each VU evaluates the script) for a few kilobytes, while the engine
// modules are shared. Before that, the synchronous k6 style is made asynchronous (sync-style/).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { JSLIB_SUMMARY, JSLIB_SUMMARY_SOURCE, MODULE_SOURCES, SUPPORTED_MODULES } from '../modules/sources.ts';
import { ScriptError } from './errors.ts';
import type { ScriptRealm } from './realm.ts';
import { StackMapper } from './stack.ts';
import { syncStyleRewrite, syncStyleScan } from './sync-style/plugin.ts';
import { SEQUENTIAL_GLOBAL } from './sync-style/program.ts';

export interface ScriptBundle {
  /** Absolute path of the entry script. */
  readonly scriptPath: string;
  readonly code: string;
  readonly map: string;
  /** What the synchronous-style transform did, and what it cost. */
  readonly transform: { asyncFunctions: number; awaitedCalls: number; sequentialCalls: number; markedCalls: number; ms: number };
}

/** What the bundled script sees as its free variables (besides the realm's globals). */
export type ScriptFactory = (vu: unknown, k6: unknown, sequential: unknown, module: { exports: Record<string, unknown> }) => void;
const FACTORY_PARAMS = ['__loadlab', '__k6', SEQUENTIAL_GLOBAL, 'module'];

const NAMESPACE = 'k6-module';

const k6ModulesPlugin: esbuild.Plugin = {
  name: 'k6-modules',
  setup(build) {
    build.onResolve({ filter: /^k6(\/|$)/ }, (args) => {
      if (args.path in MODULE_SOURCES) return { path: args.path, namespace: NAMESPACE };
      return {
        errors: [
          {
            text: `unsupported module "${args.path}": the embedded engine provides ${SUPPORTED_MODULES.join(', ')}; run this script with --engine k6 to use other k6 modules`,
          },
        ],
      };
    });
    build.onResolve({ filter: /^https?:\/\// }, (args) => {
      if (JSLIB_SUMMARY.test(args.path)) return { path: 'jslib-k6-summary', namespace: NAMESPACE };
      return {
        errors: [
          {
            text: `remote module "${args.path}" is not supported: the embedded engine loads no code from the network; vendor the file next to the script and import it by relative path`,
          },
        ],
      };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: args.path === 'jslib-k6-summary' ? JSLIB_SUMMARY_SOURCE : MODULE_SOURCES[args.path],
      loader: 'js',
    }));
  },
};

/** Bundles a .ts/.js k6 script. Syntax errors and unsupported imports throw ScriptError naming file and line. */
export async function bundleScript(script: string): Promise<ScriptBundle> {
  const scriptPath = path.resolve(script);
  try {
    readFileSync(scriptPath);
  } catch (error) {
    throw new ScriptError(`cannot read script ${script}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const outfile = path.join(path.dirname(scriptPath), `${path.basename(scriptPath)}.bundle.js`);
  const display = (file: string) => path.relative(process.cwd(), file) || file;
  const build = (plugins: esbuild.Plugin[]) =>
    esbuild.build({
      entryPoints: [scriptPath],
      bundle: true,
      write: false,
      outfile,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      sourcemap: 'external',
      sourcesContent: false,
      logLevel: 'silent',
      define: { __VU: '__loadlab.vu', __ITER: '__loadlab.iter', __ENV: '__loadlab.env' },
      plugins: [k6ModulesPlugin, ...plugins],
    });
  const started = performance.now();
  let result: esbuild.BuildResult<{ write: false }>;
  let stats: { asyncFunctions: number; awaitedCalls: number; sequentialCalls: number; markedCalls: number };
  try {
    const scan = syncStyleScan(display);
    await build([scan.plugin]);
    if (scan.unparsed.size > 0) {
      throw new ScriptError(
        [...scan.unparsed]
          .map(([file, message]) => `${display(file)}: the synchronous-style transform cannot parse this file: ${message}`)
          .join('\n'),
      );
    }
    const plan = scan.plan();
    if (plan.problems.length > 0) {
      throw new ScriptError(
        `the script uses k6's synchronous style in a way the embedded engine cannot make asynchronous (run it with --engine k6, or change these places):\n${plan.problems.map((p) => `  ${p.where}: ${p.message}`).join('\n')}`,
      );
    }
    stats = plan.stats;
    result = await build([syncStyleRewrite(plan)]);
  } catch (error) {
    if (error instanceof ScriptError) throw error;
    const failure = error as esbuild.BuildFailure;
    const messages = (failure.errors ?? []).map((m) => {
      const where = m.location
        ? `${path.relative(process.cwd(), path.resolve(m.location.file))}:${m.location.line}:${m.location.column + 1}: `
        : '';
      return `${where}${m.text}`;
    });
    throw new ScriptError(messages.length > 0 ? messages.join('\n') : (error as Error).message);
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  return { scriptPath, code, map, transform: { ...stats, ms: performance.now() - started } };
}

export interface CompiledScript {
  readonly bundle: ScriptBundle;
  readonly factory: ScriptFactory;
  readonly stack: StackMapper;
}

/** Compiles a bundle into its per-VU factory in the thread's realm (once per thread), in strict mode as k6 evaluates ES modules. */
export function compileScript(bundle: ScriptBundle, realm: ScriptRealm): CompiledScript {
  const filename = `${bundle.scriptPath}.bundle.js`;
  // The directive sits on a line of its own, taken back by lineOffset, so bundle positions stay as in the map.
  const factory = vm.compileFunction(`'use strict';\n${bundle.code}`, FACTORY_PARAMS, {
    filename,
    lineOffset: -1,
    parsingContext: realm.context,
  }) as ScriptFactory;
  return { bundle, factory, stack: new StackMapper(filename, bundle.map, path.dirname(filename)) };
}
