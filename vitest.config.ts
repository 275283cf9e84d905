import { defineConfig } from 'vitest/config';

// Three projects. Unit tests run files in parallel; so do the few tests that spawn the bin (it starts
// from a cached bundle, engine/run/bundled-entry.js, in about a tenth of a second). Load tests measure
// rates, saturation and timing; on a 2-core machine running them side by side would make them measure
// each other, so they run one file at a time, after the unit project (groupOrder). `npm test` runs these
// two. The end-to-end project (`npm run test:e2e`, run by CI after `npm test`) holds the long
// journeys: whole scenarios against the mocks, capacity searches under signals, a real Prometheus
// behind every Grafana panel, the live dashboard in Chromium.
// The k6 conformance suite has its own config (vitest.conformance.config.ts, `npm run test:conformance`).
const E2E_TESTS = [
  'test/reports/signals*.test.ts',
  'test/observability/dashboards-live.test.ts',
  'test/reports/capacity-accuracy.test.ts',
  // A real capacity search over HTTPS, about 90 s on its own.
  'test/reports/tls-bottleneck.load.test.ts',
  'test/dashboard/sessions.test.ts',
  'test/scenarios/login-surge-tls.test.ts',
  'test/scenarios/smoke-e2e.test.ts',
  'test/dashboard/web-dashboard-browser.test.ts',
];

const LOAD_TESTS = [
  'test/engine/executors.test.ts',
  'test/engine/lifecycle.test.ts',
  'test/mocks/capacity.test.ts',
  'test/mocks/memory*.test.ts',
  'test/mocks/slowloris*.test.ts',
  // Remote write and a real Prometheus under load; the other observability tests only validate files or,
  // for stack.test.ts, wait for a Prometheus to start.
  'test/observability/dashboards.test.ts',
  'test/observability/remote-write.test.ts',
  'test/reports/render.test.ts',
  'test/**/*.load.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // vitest's default is one worker fewer than the cores: on this 2-core machine, one file at a time.
          maxWorkers: 2,
          // Files share their worker process (no fresh module graph per file): checked with shuffled file orders.
          isolate: false,
          include: ['test/**/*.test.ts'],
          exclude: ['test/conformance/**', ...LOAD_TESTS, ...E2E_TESTS],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'load',
          include: LOAD_TESTS,
          exclude: ['test/conformance/**', ...E2E_TESTS],
          fileParallelism: false,
          isolate: false,
          // Rates and timings on a shared 2-core machine: one rerun tells a scheduling flake from a failure.
          retry: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E_TESTS,
          fileParallelism: false,
          retry: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
