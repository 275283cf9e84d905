// k6's JSON config file (-c/--config): the lowest layer of options, as k6 documents and does it:
// defaults < config file < script options < K6_* variables < flags.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { conformance, describeConformance, type RunRecord } from '../harness/index.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-conformance-config-'));
const configFile = (name: string, content: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};
const layers = configFile(
  'layers.json',
  JSON.stringify({
    vus: 2,
    iterations: 4,
    userAgent: 'file-ua',
    maxRedirects: 7,
    batch: 9,
    batchPerHost: 3,
    tags: { from: 'file' },
    thresholds: { iterations: ['count>0'] },
    collectors: {},
  }),
);
const durationFile = configFile('duration.json', JSON.stringify({ duration: '1s' }));
const scenariosFile = configFile(
  'scenarios.json',
  JSON.stringify({ scenarios: { a: { executor: 'per-vu-iterations', vus: 1, iterations: 3 } } }),
);
const NO_DATA = ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'] as const;

// The options the run ended with, as the script sees them (setup() logs them).
const SCRIPT = `import http from 'k6/http';
import exec from 'k6/execution';
export const options = { userAgent: 'script-ua', maxRedirects: 3 };
export function setup() {
  const o = exec.test.options;
  console.log('OPTIONS ' + JSON.stringify({ userAgent: o.userAgent, maxRedirects: o.maxRedirects, batch: o.batch, batchPerHost: o.batchPerHost, tags: o.tags, scenarios: o.scenarios, thresholds: o.thresholds }));
}
export default function () { http.get(__ENV.TARGET + '/echo'); }`;
const seen = (run: RunRecord) => {
  const line = run.stderr.split('\n').find((l) => l.includes('OPTIONS '));
  if (!line) throw new Error(`${run.label}: no OPTIONS line in stderr`);
  // k6 logs msg="OPTIONS {\"a\":…}"; the engine INFO[0000] OPTIONS {"a":…}.
  const json = line.slice(line.indexOf('OPTIONS ') + 8).replace(/" source=console$|\s+source=console$/, '');
  return JSON.parse(json.includes('\\"') ? JSON.parse(`"${json}"`) : json);
};

describeConformance('options: the -c/--config file', () => {
  conformance('the file is below the script: its options apply unless the script sets them', {
    script: SCRIPT,
    flags: ['-c', layers],
    check: ({ k6, engine }) => {
      const expected = {
        userAgent: 'script-ua',
        maxRedirects: 3,
        batch: 9,
        batchPerHost: 3,
        tags: { from: 'file' },
        thresholds: { iterations: ['count>0'] },
        scenarios: {
          default: {
            executor: 'shared-iterations',
            startTime: null,
            gracefulStop: null,
            env: null,
            exec: null,
            tags: null,
            vus: 2,
            iterations: 4,
            maxDuration: null,
          },
        },
      };
      expect(seen(k6)).toEqual(expected);
      expect(seen(engine)).toEqual(expected);
      expect(k6.requests['/echo']).toBe(4);
    },
  });

  conformance('K6_* variables are above the file, flags above them', {
    script: SCRIPT,
    flags: ['--config', layers, '--batch', '12', '--vus', '1'],
    env: { K6_BATCH: '11', K6_USER_AGENT: 'env-ua', K6_BATCH_PER_HOST: '5' },
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const o = seen(run);
        expect([o.userAgent, o.batch, o.batchPerHost, o.scenarios.default.vus, o.scenarios.default.iterations]).toEqual([
          'env-ua',
          12,
          5,
          1,
          4,
        ]);
      }
    },
  });

  conformance("the script's execution shortcut replaces the file's duration", {
    script: `export const options = { iterations: 2 };
export default function () {}`,
    flags: ['-c', durationFile],
    check: ({ k6 }) => expect(k6.summary?.metrics.iterations.values.count).toBe(2),
  });

  conformance("the file's scenarios run when the script sets no execution options", {
    script: `export default function () {}`,
    flags: ['-c', scenariosFile],
    check: ({ k6, engine }) => {
      expect(k6.summary?.metrics.iterations.values.count).toBe(3);
      for (const run of [k6, engine]) expect(run.stderr).not.toContain('overrode scenarios');
    },
  });

  conformance('K6_ITERATIONS replaces the scenarios of the file', {
    script: `export default function () {}`,
    flags: ['-c', scenariosFile],
    env: { K6_ITERATIONS: '5' },
    check: ({ k6, engine }) => {
      expect(k6.summary?.metrics.iterations.values.count).toBe(5);
      for (const run of [k6, engine]) expect(run.stderr).toContain('level configuration overrode scenarios configuration entirely');
      expect(k6.stderr).toContain('\\"env\\" level');
      expect(engine.stderr).toContain('"env" level');
    },
  });

  for (const [what, file, message] of [
    ['a missing file', path.join(dir, 'missing.json'), 'no such file or directory'],
    ['a file that is not JSON', configFile('bad.json', '{bad'), "couldn't parse the configuration"],
  ] as const) {
    conformance(`${what}: exit 104 before the run`, {
      script: `export default function () {}`,
      flags: ['-c', file],
      skip: [...NO_DATA],
      check: ({ k6, engine }) => {
        expect(k6.exitCode).toBe(104);
        for (const run of [k6, engine]) {
          expect(run.stderr).toContain('failed to load the configuration file from the local file system');
          expect(run.stderr).toContain(message);
        }
      },
    });
  }
});
