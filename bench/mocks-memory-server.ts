// All three mocks in one process, as `loadlab mocks` runs them, for bench/mocks-memory.ts.
// Usage: tsx bench/mocks-memory-server.ts
import { startMocks } from '../mocks/index.ts';

const mocks = await startMocks({ port: 0, profile: 'zero-latency' });
process.stdout.write(`${JSON.stringify(mocks.urls)}\n`);
process.once('SIGTERM', () => mocks.close().then(() => process.exit(0)));
