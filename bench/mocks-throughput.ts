// Throughput of the mocks with the zero-latency profile, server pinned to one core, with and without metrics.
// Usage: npx tsx bench/mocks-throughput.ts [seconds per burst, default 2]
// Target (issue 2): ≥ 15,000 requests/s per core, ≤ 10 % cost from metrics.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { citizenToken, form } from './citizen-token.ts';

const seconds = Number(process.argv[2] ?? 2);
const SERVER = join(import.meta.dirname, 'mocks-server.ts');
const pin = availableParallelism() > 1;

interface Running {
  urls: { identity: string; ndxp: string };
  pid: number;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process (Linux /proc), so the figure does not depend on what else runs. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function startServer(metrics: 'on' | 'off'): Promise<Running> {
  const args = ['--import', 'tsx', SERVER, 'zero-latency', metrics];
  // Server on core 0, this process (the load generator) on the others.
  const child = pin
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`mocks server exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return { urls: JSON.parse(line), pid: child.pid!, stop };
}

interface Row {
  target: string;
  metrics: string;
  rps: number;
  /** Requests per second one core would serve: requests / CPU seconds the server spent on them. */
  perCore: number;
  p99: number;
  errors: number;
}

async function main(): Promise<void> {
  // Both servers at once on the same core: whatever else the machine runs slows both alike, and short alternating
  // bursts spread that noise evenly over the two.
  const servers = { on: await startServer('on'), off: await startServer('off') };
  try {
    const targetsOf = async (server: Running): Promise<{ target: string; url: string; headers: Record<string, string> }[]> => {
      const citizen = await citizenToken(server.urls.identity, 'http://127.0.0.1:8080/cb', 'openid profile');
      const agency = (
        await form(`${server.urls.identity}/token`, {
          grant_type: 'client_credentials',
          client_id: 'agency-H29',
          client_secret: 'secret-H29',
          scope: 'ndxp',
        })
      ).access_token;
      return [
        { target: 'GET /userinfo (identity)', url: `${server.urls.identity}/userinfo`, headers: { authorization: `Bearer ${citizen}` } },
        {
          target: 'GET /ndxp/v1/population/citizens/:cccd',
          url: `${server.urls.ndxp}/ndxp/v1/population/citizens/001203012345`,
          headers: { authorization: `Bearer ${agency}`, 'x-consumer-code': 'H29', 'x-transaction-id': 'bench' },
        },
      ];
    };
    const targets = { on: await targetsOf(servers.on), off: await targetsOf(servers.off) };
    const rows: Row[] = [];
    for (let t = 0; t < targets.on.length; t++) {
      const totals = {
        on: { requests: 0, cpu: 0, wall: 0, p99: [] as number[], errors: 0 },
        off: { requests: 0, cpu: 0, wall: 0, p99: [] as number[], errors: 0 },
      };
      for (const mode of ['on', 'off'] as const) await autocannon({ ...targets[mode][t], connections: 50, duration: 2 }); // warm-up: JIT, JWKS fetch, token cache
      for (let burst = 0; burst < BURSTS; burst++) {
        for (const mode of burst % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
          const cpuBefore = cpuSeconds(servers[mode].pid);
          const result = await autocannon({ ...targets[mode][t], connections: 50, pipelining: 1, duration: seconds });
          const total = totals[mode];
          total.cpu += cpuSeconds(servers[mode].pid) - cpuBefore;
          total.requests += result.requests.total;
          total.wall += result.duration;
          total.p99.push(result.latency.p99);
          total.errors += result.errors + result.timeouts + result.non2xx;
        }
      }
      for (const mode of ['on', 'off'] as const) {
        const total = totals[mode];
        const row = {
          target: targets[mode][t].target,
          metrics: mode,
          rps: Math.round(total.requests / total.wall),
          perCore: Math.round(total.requests / total.cpu),
          p99: median(total.p99),
          errors: total.errors,
        };
        rows.push(row);
        process.stderr.write(
          `  ${row.target}, metrics ${mode}: ${row.perCore} req/s per CPU-second, ${row.rps} req/s observed, p99 ${row.p99} ms\n`,
        );
      }
    }
    console.log(
      '\n| target | metrics | req/s per core | observed req/s | p99 ms (median) | non-2xx/errors |\n|---|---|---:|---:|---:|---:|',
    );
    for (const row of rows) console.log(`| ${row.target} | ${row.metrics} | ${row.perCore} | ${row.rps} | ${row.p99} | ${row.errors} |`);
    console.log('\n| target | metrics cost (throughput per core lost) |\n|---|---:|');
    for (const target of new Set(rows.map((r) => r.target))) {
      const on = rows.find((r) => r.target === target && r.metrics === 'on')!;
      const off = rows.find((r) => r.target === target && r.metrics === 'off')!;
      console.log(`| ${target} | ${((1 - on.perCore / off.perCore) * 100).toFixed(1)} % |`);
    }
  } finally {
    await Promise.all([servers.on.stop(), servers.off.stop()]);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const BURSTS = 8;
process.stderr.write(
  `mocks throughput: zero-latency profile, two servers (metrics on / off) ${pin ? 'pinned together to core 0 (taskset)' : 'unpinned (one-core machine)'}, autocannon 50 connections, ${BURSTS} alternating bursts of ${seconds} s each\n`,
);
await main();
