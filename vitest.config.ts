import { defineConfig } from 'vitest/config';

// Load tests measure rates and saturation; running files in parallel on a 2-core machine
// would make them measure each other, so files run one at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
