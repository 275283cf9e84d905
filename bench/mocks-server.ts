// The mocks as a separate process for bench/mocks-throughput.ts, so the server can be pinned to one core.
// Usage: tsx bench/mocks-server.ts <profile> <metrics on|off>
import { startMocks } from '../mocks/index.ts';

const [profile = 'zero-latency', metrics = 'on'] = process.argv.slice(2);
const mocks = await startMocks({
  port: 0,
  services: ['identity', 'ndxp'],
  profile: profile as 'zero-latency',
  config: { metrics: metrics === 'on' },
});
process.stdout.write(`${JSON.stringify(mocks.urls)}\n`);
process.once('SIGTERM', () => mocks.close().then(() => process.exit(0)));
