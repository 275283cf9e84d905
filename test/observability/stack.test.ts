// `loadlab stack up|status|down` through the real CLI: a detached Prometheus on a free port with
// the project's config, a pid file so status and down find it, and a clear message without Prometheus.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const results = mkdtempSync(join(tmpdir(), 'loadlab-stack-'));

function loadlab(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'cli', 'loadlab.js'), ...args], { cwd: root, env, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

afterAll(async () => {
  const state = join(results, 'prometheus', 'stack.json');
  if (existsSync(state)) await loadlab(['stack', 'down', '--results', results]);
  rmSync(results, { recursive: true, force: true });
});

describe('loadlab stack', () => {
  it('starts Prometheus with the remote-write receiver, reports it, and stops it', async () => {
    const port = await freePort();
    const up = await loadlab(['stack', 'up', '--port', String(port), '--results', results]);
    expect(up.stderr).not.toMatch(/Error/);
    expect(up.stdout).toContain(`Prometheus ready: http://127.0.0.1:${port}`);
    const state = JSON.parse(readFileSync(join(results, 'prometheus', 'stack.json'), 'utf8')) as { pid: number };

    // The project's config is loaded (the mocks' scrape job) and remote write is accepted.
    let scrapeUrls: string[] = [];
    for (let i = 0; i < 50 && scrapeUrls.length === 0; i++) {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets`)).json()) as {
        data: { activeTargets: { scrapeUrl: string }[] };
      };
      scrapeUrls = targets.data.activeTargets.map((t) => t.scrapeUrl).sort();
      if (scrapeUrls.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(scrapeUrls).toEqual(['7101', '7102', '7103'].map((p) => `http://127.0.0.1:${p}/metrics`));
    const write = await fetch(`http://127.0.0.1:${port}/api/v1/write`, { method: 'POST', body: new Uint8Array(0) });
    expect(write.status).not.toBe(404);
    expect(existsSync(join(results, 'prometheus', 'data'))).toBe(true);

    const status = await loadlab(['stack', 'status', '--results', results]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`ready at http://127.0.0.1:${port} \\(pid ${state.pid}`));

    const down = await loadlab(['stack', 'down', '--results', results]);
    expect(down.stdout).toContain(`Prometheus stopped (pid ${state.pid})`);
    expect(() => process.kill(state.pid, 0)).toThrow();

    const after = await loadlab(['stack', 'status', '--results', results]);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('not running');
  });

  it('says how to get Prometheus when it is not on PATH', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'loadlab-nopath-'));
    const result = await loadlab(['stack', 'up', '--results', results], { ...process.env, PATH: emptyPath });
    rmSync(emptyPath, { recursive: true, force: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('apt-get install prometheus');
    expect(result.stderr).toContain('deploy/docker-compose.yml');
  });
});
