// k6/execution: information about the VU, the scenario, the instance and the test, and test.abort().
import { iterationNumbersOf } from '../executors/scenario-run.ts';
import { deriveScenarios } from '../options/config.ts';
import { consolidatedOptions } from '../options/k6-options.ts';
import { TestAbortError } from '../script/errors.ts';
import type { ThreadContext } from '../runtime/thread.ts';
import type { VU } from '../runtime/vu.ts';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function vuTagsProxy(vu: VU): Record<string, string> {
  return new Proxy(
    {},
    {
      get: (_t, key) => (typeof key === 'string' ? vu.tags[key] : undefined),
      set: (_t, key, value) => {
        if (typeof key !== 'string') return false;
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new Error(`exec.vu.tags["${key}"]: tag values must be strings, numbers or booleans`);
        }
        vu.setTags({ ...vu.tags, [key]: String(value) });
        return true;
      },
      deleteProperty: (_t, key) => {
        if (typeof key !== 'string') return false;
        const { [key]: _removed, ...rest } = vu.tags;
        vu.setTags(rest);
        return true;
      },
      has: (_t, key) => typeof key === 'string' && key in vu.tags,
      ownKeys: () => Object.keys(vu.tags),
      getOwnPropertyDescriptor: (_t, key) =>
        typeof key === 'string' && key in vu.tags
          ? { value: vu.tags[key], enumerable: true, configurable: true, writable: true }
          : undefined,
    },
  );
}

export function createExecutionModule(thread: ThreadContext) {
  const requireVUContext = (vu: VU, what: string) => {
    if (vu.inInitContext) throw new Error(`getting ${what} information outside of the VU context is not supported`);
  };
  // setup() and teardown() run outside any scenario: k6 refuses scenario and instance information there.
  const requireScenario = (vu: VU) => {
    requireVUContext(vu, 'scenario');
    if (vu.scenario === null) throw new Error('getting scenario information outside of the VU context is not supported');
  };
  const requireInstance = (vu: VU) => {
    if (vu.inInitContext || vu.scenario === null) throw new Error('getting instance information in the init context is not supported');
  };
  // The options are known only after the init context ran (configure): consolidated on first read.
  let consolidated: { of: unknown; value: unknown } | null = null;
  const testOptions = () => {
    if (consolidated?.of !== thread.options)
      consolidated = { of: thread.options, value: deepFreeze(consolidatedOptions(thread.options, deriveScenarios(thread.options))) };
    return consolidated.value;
  };
  const test = Object.freeze({
    abort(reason?: string): never {
      const message = reason === undefined ? 'test aborted' : `test aborted: ${reason}`;
      thread.abortTest(message);
      throw new TestAbortError(message);
    },
    get options() {
      return testOptions();
    },
  });
  return {
    forVU(vu: VU) {
      const vuInfo = {
        get idInInstance() {
          return vu.idInInstance;
        },
        get idInTest() {
          return vu.vu;
        },
        get iterationInInstance() {
          requireVUContext(vu, 'VU iteration');
          return vu.iter;
        },
        get iterationInScenario() {
          requireVUContext(vu, 'VU iteration');
          return Math.max(0, iterationNumbersOf(vu).ofVU);
        },
        get tags() {
          return vuTagsProxy(vu);
        },
        set tags(_value: unknown) {
          throw new Error('exec.vu.tags cannot be replaced; set single keys instead: exec.vu.tags["key"] = "value"');
        },
        get metrics() {
          return { tags: vuTagsProxy(vu), metadata: {} };
        },
      };
      const scenario = {
        get name() {
          requireScenario(vu);
          return vu.scenario?.name ?? '';
        },
        get executor() {
          requireScenario(vu);
          return vu.scenario?.executor ?? '';
        },
        get startTime() {
          requireScenario(vu);
          return vu.scenario?.startTime ?? 0;
        },
        get progress() {
          requireScenario(vu);
          return vu.scenario?.progress() ?? 0;
        },
        // The worker threads are one k6 instance: both numbers are scenario-wide.
        get iterationInInstance() {
          requireScenario(vu);
          return iterationNumbersOf(vu).inScenario;
        },
        get iterationInTest() {
          requireScenario(vu);
          return iterationNumbersOf(vu).inScenario;
        },
      };
      const instance = Object.freeze({
        get iterationsCompleted() {
          requireInstance(vu);
          return thread.instance.iterationsCompleted;
        },
        get iterationsInterrupted() {
          requireInstance(vu);
          return thread.instance.iterationsInterrupted;
        },
        get vusActive() {
          requireInstance(vu);
          return thread.instance.vusActive;
        },
        get vusInitialized() {
          requireInstance(vu);
          return thread.instance.vusInitialized;
        },
        get currentTestRunDuration() {
          requireInstance(vu);
          return thread.instance.testStartTime === 0 ? 0 : Date.now() - thread.instance.testStartTime;
        },
      });
      return { vu: vuInfo, scenario, instance, test };
    },
  };
}
