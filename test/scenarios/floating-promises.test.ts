// The floating-promise check (engine/script/floating-promises.ts): the project's async-style
// scenarios have no missing `await`, and one that forgets it is caught with its line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFloatingPromises } from '../../engine/script/floating-promises.ts';

describe('floating promises in async-style scenarios', () => {
  it('scenarios/ has none', () => {
    expect(findFloatingPromises('scenarios/tsconfig.json')).toEqual([]);
  }, 60_000);

  it('a forgotten await on an async helper or http.asyncRequest is reported with its line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-floating-'));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022'],
          types: ['k6'],
          typeRoots: [path.resolve('node_modules/@types')],
          strict: true,
          noEmit: true,
        },
        include: ['*.ts'],
      }),
    );
    writeFileSync(
      path.join(dir, 'flow.ts'),
      `import http from 'k6/http';
import { sleep } from 'k6';
async function login(): Promise<number> {
  return (await http.asyncRequest('GET', 'http://127.0.0.1/')).status;
}
export default async function (): Promise<void> {
  login();
  http.asyncRequest('GET', 'http://127.0.0.1/');
  await login();
  void login();
  http.get('http://127.0.0.1/');
  sleep(1);
}
`,
    );
    const found = findFloatingPromises(path.join(dir, 'tsconfig.json'));
    expect(found.map((f) => `${path.basename(f.where)} ${f.text}`)).toEqual([
      'flow.ts:7:3 login()',
      "flow.ts:8:3 http.asyncRequest('GET', 'http://127.0.0.1/')",
    ]);
  }, 60_000);
});
