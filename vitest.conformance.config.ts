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
    // A case runs two load tests side by side on a shared 2-core machine; a rerun tells a timing flake from a difference.
    retry: 2,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
