import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadlabInProcess } from '../cli/helpers.ts';
import { http } from './helpers.ts';

const K6 = join(import.meta.dirname, '..', '..', '..', 'shared', 'tools', 'k6');

const BIN = join(import.meta.dirname, '..', '..', 'cli', 'loadlab.js');

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'mocks', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('\n') && resolve(stdout.split('\n')[0]));
    child.on('exit', () => reject(new Error(`exited before printing: ${stderr}`)));
  });
  firstLine.catch(() => {}); // only the serving test awaits it
  return { child, exited, firstLine, output: () => ({ stdout, stderr }) };
}

describe('loadlab mocks (CLI)', () => {
  it('prints one JSON line with the URLs, serves, and closes cleanly on SIGTERM', async () => {
    const cli = run(['--port', '0', '--services', 'identity,ndxp', '--profile', 'zero-latency']);
    const urls = JSON.parse(await cli.firstLine);
    expect(Object.keys(urls).sort()).toEqual(['identity', 'ndxp']);
    expect(urls.identity).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const discovery = await http('GET', `${urls.identity}/.well-known/openid-configuration`);
    expect(discovery.json.issuer).toBe(urls.identity);
    expect((await http('GET', `${urls.ndxp}/admin/state`)).json.profile).toBe('zero-latency');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout.trim().split('\n')).toHaveLength(1);
    await expect(http('GET', `${urls.identity}/jwks`)).rejects.toThrow();
  });

  it('rejects a bad config file, an unknown service and an unknown flag with a reason', async () => {
    const config = join(tmpdir(), `loadlab-mocks-${process.pid}.json`);
    await writeFile(config, JSON.stringify({ resources: { identity: { credential_check: { slots: 'many' } } }, surprise: true }));
    // Refusals are the program's (in-process: a spawn would prove nothing more); serving and SIGTERM above are the process's.
    const mocks = (...args: string[]) => loadlabInProcess('mocks', ...args);
    const badConfig = await mocks('--port', '0', '--config', config);
    expect(badConfig.code).toBe(104);
    expect(badConfig.stderr).toMatch(/resources\.identity\.credential_check\.slots: must be integer/);
    expect(badConfig.stderr).toMatch(/additional properties 'surprise'/);
    const badService = await mocks('--services', 'identity,bank');
    expect(badService.code).not.toBe(0);
    expect(badService.stderr).toMatch(/unknown: bank/);
    const badFlag = await mocks('--turbo');
    expect(badFlag.code).not.toBe(0);
    expect(badFlag.stderr).toMatch(/unknown option '--turbo'/);

    const exposed = await mocks('--port', '0', '--host', '0.0.0.0');
    expect(exposed.code).toBe(104);
    expect(exposed.stderr).toMatch(/beyond loopback.*--allow-remote/);
    const badTimeout = await mocks('--headers-timeout', 'soon');
    expect(badTimeout.code).not.toBe(0);
    expect(badTimeout.stderr).toMatch(/invalid duration "soon"/);
    const halfTls = await mocks('--tls-cert', 'a.pem');
    expect(halfTls.code).toBe(104);
    expect(halfTls.stderr).toMatch(/--tls-cert and --tls-key go together/);
    const keyTypeWithCert = await mocks('--tls-cert', 'a.pem', '--tls-key', 'a.key', '--tls-key-type', 'rsa-2048');
    expect(keyTypeWithCert.code).toBe(104);
    expect(keyTypeWithCert.stderr).toMatch(/--tls-key-type chooses the key loadlab generates/);
    const badKeyType = await mocks('--tls-key-type', 'dsa-1024');
    expect(badKeyType.code).not.toBe(0);
    expect(badKeyType.stderr).toMatch(/Allowed choices are ec-p256, rsa-2048, rsa-4096/);
  });

  it('serves HTTPS with --tls: the ready line names the CA, real k6 verifies the certificate with it, the admin token guards /admin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loadlab-cli-tls-'));
    const cli = run(['--port', '0', '--services', 'identity', '--profile', 'zero-latency', '--tls-dir', dir], {
      LOADLAB_ADMIN_TOKEN: 'from-env',
    });
    try {
      const ready = JSON.parse(await cli.firstLine);
      expect(ready.identity).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.caFile).toBe(join(dir, 'ca.pem'));
      const script = join(dir, 'discovery.js');
      await writeFile(
        script,
        `import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 2, thresholds: { checks: ['rate==1'] } };
export default function () {
  const res = http.get('${ready.identity}/.well-known/openid-configuration');
  check(res, { verified: (r) => r.status === 200 && r.json().issuer === '${ready.identity}' });
}
`,
      );
      expect(existsSync(K6)).toBe(true);
      const k6 = (env: Record<string, string>) =>
        promisify(execFile)(
          K6,
          ['run', '--no-usage-report', '-q', '--summary-export', join(dir, `summary-${Object.keys(env).length}.json`), script],
          { env: { ...process.env, ...env } },
        ).then(
          () => 0,
          (error: { code?: number }) => error.code ?? -1,
        );
      expect(await k6({ SSL_CERT_FILE: ready.caFile })).toBe(0);
      // Without the CA, k6 refuses the certificate: the check fails, and so does the threshold (exit 99).
      expect(await k6({})).toBe(99);
      // Under https the admin API still answers, behind the token from LOADLAB_ADMIN_TOKEN.
      const { Agent, request } = await import('undici');
      const { readFile } = await import('node:fs/promises');
      const dispatcher = new Agent({ connect: { ca: await readFile(ready.caFile, 'utf8') } });
      const state = async (token?: string) => {
        const response = await request(`${ready.identity}/admin/state`, {
          dispatcher,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        await response.body.dump();
        return response.statusCode;
      };
      expect(await state()).toBe(401);
      expect(await state('from-env')).toBe(200);
      await dispatcher.close();
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
