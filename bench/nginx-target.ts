// nginx as a loopback target for the connection benchmarks: `hello world` on every path, keep-alive
// without an idle timeout, on several loopback addresses, with worker processes enough that each
// holds fewer connections than its open-file limit. A C server spends a few microseconds per
// request, so on a two-core machine nearly all of the CPU is left to the engine under test; the
// connections it holds are read from its stub_status page (every 250 ms), the server's own count.
// nginx is Debian's package (`apt-get install -y nginx-light`); findNginx() says where it is, if at all.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionStats } from './connection-target.ts';

export interface NginxTarget {
  urls: string[];
  /** The last reading of stub_status; open excludes the reading's own connection. */
  stats: ConnectionStats;
  close(): void;
}

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

export function findNginx(): string | null {
  for (const candidate of CANDIDATES) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Starts nginx listening on every host (one listening socket per worker and host, `reuseport`, so
 * that a connection storm is spread over the workers' accept queues) with `workers` processes of
 * `connectionsPerWorker` connections each.
 */
export async function startNginxTarget(
  nginx: string,
  hosts: string[],
  workers: number,
  connectionsPerWorker: number,
): Promise<NginxTarget> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-nginx-'));
  // The addresses are the benchmark's own, so any port on them is free; random, so two runs never meet.
  const port = 18080 + Math.floor(Math.random() * 1000);
  const statusHost = '127.0.0.254';
  const listens = hosts.map((host) => `    listen ${host}:${port} reuseport backlog=65535;`).join('\n');
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
master_process on;
worker_processes ${workers};
worker_rlimit_nofile ${connectionsPerWorker + 500};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${connectionsPerWorker}; multi_accept on; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 600s;
  keepalive_requests 1000000;
  server {
${listens}
    default_type text/plain;
    location / { return 200 'hello world'; }
  }
  server {
    listen ${statusHost}:${port};
    location / { stub_status; }
  }
}
`,
  );
  const child: ChildProcess = spawn(nginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
    // Not the benchmark's own stdout: a pipe it holds open would outlive the benchmark.
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const stopOnExit = () => child.kill('SIGQUIT');
  process.once('exit', stopOnExit);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const statusUrl = `http://${statusHost}:${port}/`;
  const target: NginxTarget = {
    urls: hosts.map((host) => `http://${host}:${port}`),
    stats: { open: 0, maxOpen: 0, accepted: 0, handshakes: 0 },
    close: () => {
      clearInterval(poller);
      process.off('exit', stopOnExit);
      child.kill('SIGQUIT');
      setTimeout(() => rmSync(dir, { recursive: true, force: true }), 500).unref();
    },
  };
  const read = async (): Promise<boolean> => {
    try {
      const text = await (await fetch(statusUrl)).text();
      const active = Number(/Active connections:\s*(\d+)/.exec(text)?.[1]);
      const counters = /\n\s*(\d+)\s+(\d+)\s+(\d+)/.exec(text);
      const open = active - 1;
      target.stats = {
        open,
        maxOpen: Math.max(target.stats.maxOpen, open),
        accepted: Number(counters?.[1] ?? 0) - 1,
        handshakes: 0,
      };
      return true;
    } catch {
      return false;
    }
  };
  for (let attempt = 0; ; attempt++) {
    if (await read()) break;
    const code = await Promise.race([exited, new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 100))]);
    if (code !== 'waiting' || attempt > 50) {
      child.kill();
      const log = existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
      throw new Error(`nginx did not start (${code === 'waiting' ? 'no answer in 5 s' : `exit ${code}`}): ${log.trim()}`);
    }
  }
  const poller = setInterval(() => void read(), 250);
  return target;
}
