import { defineConfig } from 'vitest/config';

// The differential suite against real k6 (test/conformance/README.md). Files run one at a time: a case
// runs k6 and the engine one after the other, and counts of time-based executors suffer when two files
// load the 2 cores at once.
export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    globalSetup: ['test/conformance/harness/announce.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
