// The conformance suite's case API: `describeConformance` around a file's cases, `conformance(name, case)`
// for each. See test/conformance/README.md.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignCounts, type CompareOptions, type Section, type Tolerance, type View, viewOf } from './compare.ts';
import { K6 } from './k6-binary.ts';
import { newCaseDir, type RunRecord, type RunSpec, runOnCli, runOnEngine, runOnK6, writeCaseScript } from './run.ts';
import { startTarget, type Target } from './target.ts';

export type { RunRecord } from './run.ts';
export type { Target } from './target.ts';
export { K6 } from './k6-binary.ts';

export interface Deliberate {
  section: Section;
  /** A key of the section (a metric name, a route …); the whole section when absent. */
  key?: string;
  /** Why loadlab deliberately differs from k6 here (also listed in README's k6 surface table). */
  reason: string;
}

export interface ConformanceCase {
  /** The k6 script's source (or the path of an existing script file). `__ENV.TARGET` is the target's URL. */
  script: string;
  /** Extension of the written script; default 'js'. */
  ext?: 'js' | 'ts';
  /** `k6 run` flags, given to k6 and to loadlab's `run` (e.g. ['--vus', '2', '--iterations', '5']). */
  flags?: string[];
  /** Environment of the process (K6_* variables, or values the script reads via __ENV). */
  env?: Record<string, string>;
  /** Engine runs to compare, by worker-thread count (undefined = the engine's default, the core count). */
  workers?: (number | undefined)[];
  /** Run the loadlab CLI as a child process instead of runTest in-process (CLI flags, signals, hangs). */
  cli?: boolean;
  /** Send SIGINT (or `signal`) this long after the start, `repeat` times 300 ms apart. */
  interrupt?: RunSpec['interrupt'];
  /** Append a handleSummary that records the summary data (default true unless the script has its own). */
  captureSummary?: boolean;
  /** Tolerance of counts: 'exact' (default; iteration-based executors) or relative (time-based). */
  counts?: Tolerance;
  ignoreMetrics?: string[];
  /** Compare vus and vus_max too (left out by default: they are sampled once a second). */
  compareSampled?: boolean;
  uncountedMetrics?: string[];
  skip?: Section[];
  /** Documented deliberate differences: removed from the comparison, and asserted to still differ. */
  deliberate?: Deliberate[];
  /**
   * Extra assertions, called once per engine run with the k6 run. Assert what the case is about on
   * the k6 run too, so that a case cannot pass because both engines did nothing.
   */
  check?: (runs: { k6: RunRecord; engine: RunRecord; target: Target }) => void | Promise<void>;
  /** Per run; default 60 s. */
  timeoutMs?: number;
  /** Another k6 binary than the suite's (e.g. k6 v0.49.0). */
  k6Binary?: string;
  /**
   * A difference not fixed yet, owned by another area: the case runs as `it.fails` (it must still
   * differ; the day it passes, remove this). Last resort only; name the area and the difference.
   */
  knownDifference?: string;
}

let currentTarget: Target | null = null;
const NO_K6 = 'conformance: no k6 binary (set LOADLAB_K6 or put k6 on PATH) — skipped';

/** A file's (or group's) cases, sharing one loopback target. Skipped, with one line saying why, without k6. */
export function describeConformance(name: string, body: () => void): void {
  if (!K6) {
    describe.skip(`${name} — ${NO_K6}`, body);
    return;
  }
  describe(name, () => {
    beforeAll(async () => {
      currentTarget ??= await startTarget();
    });
    afterAll(async () => {
      await currentTarget?.close();
      currentTarget = null;
    });
    body();
  });
}

function removeDeliberate(k6: View, engine: View, deliberate: Deliberate[]): void {
  for (const d of deliberate) {
    const section = d.section as keyof View;
    if (d.key === undefined) {
      expect(engine[section], `deliberate difference no longer differs: ${d.section} (${d.reason})`).not.toEqual(k6[section]);
      delete k6[section];
      delete engine[section];
      continue;
    }
    const a = k6[section] as Record<string, unknown> | undefined;
    const b = engine[section] as Record<string, unknown> | undefined;
    expect(b?.[d.key], `deliberate difference no longer differs: ${d.section}.${d.key} (${d.reason})`).not.toEqual(a?.[d.key]);
    if (a) delete a[d.key];
    if (b) delete b[d.key];
  }
}

function describeRun(run: RunRecord): string {
  const tail = (s: string) => (s.length > 3000 ? `…${s.slice(-3000)}` : s);
  return `--- ${run.label}: exit ${run.exitCode} in ${run.wallMs} ms, files in ${run.dir}\n--- stderr:\n${tail(run.stderr)}\n--- stdout:\n${tail(run.stdout)}`;
}

/** One case: the script on k6 and on the embedded engine, compared. */
export function conformance(name: string, c: ConformanceCase): void {
  const timeoutMs = c.timeoutMs ?? 60_000;
  const workers = c.workers ?? [undefined];
  const define = c.knownDifference ? it.fails : it;
  const title = c.knownDifference ? `${name} [known difference: ${c.knownDifference}]` : name;
  define(title, { timeout: timeoutMs * (1 + (c.cli ? 1 : workers.length)) + 5_000 }, async () => {
    const target = currentTarget;
    if (!target) throw new Error('conformance() must be called inside describeConformance()');
    const dir = newCaseDir(name);
    const isFile = /\.[cm]?[jt]s$/.test(c.script) && !c.script.includes('\n') && existsSync(c.script);
    const script = isFile ? c.script : writeCaseScript(dir, c.script, c.ext ?? 'js', c.captureSummary !== false);
    const spec: RunSpec = { script, flags: c.flags ?? [], systemEnv: c.env ?? {}, target, interrupt: c.interrupt, timeoutMs };
    const options: CompareOptions = {
      counts: c.counts ?? 'exact',
      ignoreMetrics: c.ignoreMetrics ?? [],
      uncountedMetrics: c.uncountedMetrics ?? [],
      skipSections: c.skip ?? [],
      compareSampled: c.compareSampled === true,
    };
    const k6 = await runOnK6(spec, dir, c.k6Binary ?? K6);
    const engines = c.cli ? [await runOnCli(spec, dir)] : [];
    if (!c.cli) for (const w of workers) engines.push(await runOnEngine(spec, dir, w));
    for (const engine of engines) {
      const expected = viewOf(k6, options);
      const actual = alignCounts(expected, viewOf(engine, options), options.counts);
      removeDeliberate(expected, actual, c.deliberate ?? []);
      expect(actual, `${engine.label} differs from k6\n${describeRun(k6)}\n${describeRun(engine)}`).toEqual(expected);
      await c.check?.({ k6, engine, target });
    }
  });
}
