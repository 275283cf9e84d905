// The synchronous k6 style on the embedded engine, as two esbuild passes: the first reads every
// module the script bundles (resolved by esbuild itself) and analyses it; after the whole program is
// decided, the second bundles the rewritten modules, whose inline source maps esbuild chains into
// the bundle's map, so stack traces still name the user's lines.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as esbuild from 'esbuild';
import { analyzeModule, importSpecifiers, type ModuleInfo, parseModule } from './analysis.ts';
import { type ProgramPlan, planProgram } from './program.ts';

const CODE_FILE = /\.[cm]?[jt]sx?$/;

export function loaderFor(file: string): esbuild.Loader {
  if (/\.[cm]?ts$/.test(file)) return 'ts';
  if (file.endsWith('.tsx')) return 'tsx';
  if (file.endsWith('.jsx')) return 'jsx';
  return 'js';
}

export interface SyncStyleScan {
  readonly plugin: esbuild.Plugin;
  /** Files esbuild can read but the analysis could not parse. */
  readonly unparsed: Map<string, string>;
  plan(): ProgramPlan;
}

/** Pass 1: analyses every module of the bundle. */
export function syncStyleScan(display: (file: string) => string): SyncStyleScan {
  const modules = new Map<string, ModuleInfo>();
  const unparsed = new Map<string, string>();
  const plugin: esbuild.Plugin = {
    name: 'sync-style-scan',
    setup(build) {
      build.onLoad({ filter: CODE_FILE, namespace: 'file' }, async (args) => {
        const code = await readFile(args.path, 'utf8');
        let ast: ReturnType<typeof parseModule>;
        try {
          ast = parseModule(code, args.path);
        } catch (error) {
          unparsed.set(args.path, (error as Error).message);
          return { contents: code, loader: loaderFor(args.path) };
        }
        const resolved = new Map<string, string | null>();
        const resolveDir = path.dirname(args.path);
        for (const spec of importSpecifiers(ast)) {
          if (spec === 'k6' || spec.startsWith('k6/') || /^https?:\/\//.test(spec)) continue;
          const result = await build.resolve(spec, { kind: 'import-statement', resolveDir, importer: args.path });
          resolved.set(spec, result.errors.length === 0 && result.namespace === 'file' && !result.external ? result.path : null);
        }
        modules.set(
          args.path,
          analyzeModule(ast, code, args.path, display(args.path), (spec) => resolved.get(spec) ?? null),
        );
        return { contents: code, loader: loaderFor(args.path) };
      });
    },
  };
  return { plugin, unparsed, plan: () => planProgram(modules) };
}

/** Pass 2: hands esbuild the rewritten modules (the others it reads itself). */
export function syncStyleRewrite(plan: ProgramPlan): esbuild.Plugin {
  return {
    name: 'sync-style-rewrite',
    setup(build) {
      build.onLoad({ filter: CODE_FILE, namespace: 'file' }, (args) => {
        const contents = plan.rewrite(args.path);
        return contents === null ? undefined : { contents, loader: loaderFor(args.path) };
      });
    },
  };
}
