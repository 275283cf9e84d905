import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
const cpu = (pid: number) => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
const modes = process.argv.slice(2);
const servers: Record<string, { url: string; tok: string; pid: number; kill: () => void }> = {};
for (const m of modes) {
  const child = spawn('taskset', ['-c', '0', process.execPath, '--import', 'tsx', 'bench/tmp-srv.mts', m], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url: string = await new Promise((res) => child.stdout.on('data', (c) => res(String(c).trim())));
  const [u, t] = url.split('|'); servers[m] = { url: u, tok: t, pid: child.pid!, kill: () => child.kill() };
}
const tot: Record<string, { r: number; c: number }> = {};
for (const m of modes) { await autocannon({ url: servers[m].url + '/jwks', connections: 50, duration: 1 }); tot[m] = { r: 0, c: 0 }; }
for (let i = 0; i < 6; i++) for (const m of modes) {
  const c0 = cpu(servers[m].pid);
  const r = await autocannon({ url: servers[m].url + '/jwks', connections: 50, duration: 1.5 });
  tot[m].r += r.requests.total; tot[m].c += cpu(servers[m].pid) - c0;
}
for (const m of modes) { console.log(m, Math.round(tot[m].r / tot[m].c)); servers[m].kill(); }
