import { defineConfig } from 'vitest/config';

// Two projects. Unit tests run files in parallel. Load tests measure rates, saturation and timing,
// or spawn whole CLIs; on a 2-core machine running them side by side would make them measure each
// other, so they run one file at a time, after the unit project (groupOrder).
// The k6 conformance suite has its own config (vitest.conformance.config.ts, `npm run test:conformance`).
const LOAD_TESTS = [
  'test/cli/**/*.test.ts',
  'test/dashboard/sessions.test.ts',
  'test/dashboard/web-dashboard-browser.test.ts',
  'test/engine/executors.test.ts',
  'test/engine/lifecycle.test.ts',
  'test/mocks/capacity.test.ts',
  'test/mocks/cli.test.ts',
  'test/mocks/memory*.test.ts',
  'test/mocks/slowloris*.test.ts',
  'test/observability/**/*.test.ts',
  'test/reports/capacity-accuracy.test.ts',
  'test/reports/cli.test.ts',
  'test/reports/render.test.ts',
  'test/reports/signals*.test.ts',
  'test/scenarios/smoke-e2e.test.ts',
  'test/scenarios/login-surge-tls.test.ts',
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
          include: ['test/**/*.test.ts'],
          exclude: ['test/conformance/**', ...LOAD_TESTS],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'load',
          include: LOAD_TESTS,
          exclude: ['test/conformance/**'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
