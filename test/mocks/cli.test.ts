import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { http } from './helpers.ts';

const CLI = join(import.meta.dirname, 'fixtures', 'mocks-cli.ts');

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'mocks', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    const [badConfig, badService, badFlag] = [run(['--port', '0', '--config', config]), run(['--services', 'identity,bank']), run(['--turbo'])];
    expect(await badConfig.exited).toBe(1);
    expect(badConfig.output().stderr).toMatch(/resources\.identity\.credential_check\.slots: must be integer/);
    expect(badConfig.output().stderr).toMatch(/additional properties 'surprise'/);
    expect(await badService.exited).not.toBe(0);
    expect(badService.output().stderr).toMatch(/unknown: bank/);
    expect(await badFlag.exited).not.toBe(0);
    expect(badFlag.output().stderr).toMatch(/unknown option '--turbo'/);
  });
});
