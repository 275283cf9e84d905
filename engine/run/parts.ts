// A run's VUs live in one or more parts: the main thread itself (--workers 1) or worker threads,
// each running its execution segment of every scenario.
import type { ScenarioStats } from '../executors/scenario-run.ts';
import type { Options } from '../options/config.ts';
import type { Scenario } from '../options/scenarios.ts';
import type { ThreadExecution } from '../runtime/execution.ts';

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
  status(): PartStatus;
  close(): Promise<void>;
}

/** The VUs on the main thread (k6's single instance). */
export class LocalPart implements ExecutionPart {
  constructor(private readonly execution: ThreadExecution) {}

  async prepare(options: Options, runTags: Record<string, string>, scenarios: Scenario[]): Promise<void> {
    this.execution.configure(options, runTags);
    this.execution.prepare(scenarios);
  }

  run(setupData: unknown, startAt: number): Promise<void> {
    return this.execution.run(setupData, startAt);
  }

  abort(): void {
    this.execution.abort();
  }

  status(): PartStatus {
    return { scenarios: this.execution.stats, vusActive: this.execution.instance.vusActive, vusMax: this.execution.vusMax };
  }

  async close(): Promise<void> {}
}
