// A run's VUs live in parts: worker threads, each running its execution segment of every scenario.
import type { ScenarioStats } from '../executors/scenario-run.ts';
import type { Options } from '../options/config.ts';
import type { Scenario } from '../options/scenarios.ts';

export interface PartStatus {
  scenarios: ScenarioStats[];
  vusActive: number;
  vusMax: number;
}

export interface ExecutionPart {
  /** Initialises the part's VUs; rejects with the script's init error. */
  prepare(options: Options, runTags: Record<string, string>, scenarios: Scenario[]): Promise<void>;
  /** Runs the scenarios; resolves when this part is done. */
  run(setupData: unknown, startAt: number): Promise<void>;
  /** Interrupts everything (Ctrl-C, test.abort, abortOnFail). */
  abort(): void;
  /** Ends the part even when its code is stuck (a worker thread is terminated; the main thread cannot be). */
  kill(): Promise<void>;
  status(): PartStatus;
  close(): Promise<void>;
}
