// All three mocks in one process, as `loadlab mocks` runs them, for bench/mocks-memory.ts.
// Usage: node --expose-gc --import tsx bench/mocks-memory-server.ts
// On SIGUSR2 it collects garbage and prints one JSON line with the live heap, which RSS alone does not show.
import { startMocks } from '../mocks/index.ts';

const mocks = await startMocks({ port: 0, profile: 'zero-latency' });
process.stdout.write(`${JSON.stringify(mocks.urls)}\n`);
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`${JSON.stringify({ heapUsed: process.memoryUsage().heapUsed })}\n`);
});
process.once('SIGTERM', () => mocks.close().then(() => process.exit(0)));
