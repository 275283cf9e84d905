// The synchronous k6 style on the embedded engine, where it cannot be compared with k6: what the
// transform refuses before the test starts, a blocking call it cannot see (reported, waited for,
// never a runaway), stack traces of rewritten code, and the async style left as written.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript } from '../../engine/script/bundle.ts';
import { run, startTarget, type Target, writeFile, writeScript } from './helpers.ts';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

describe('refused before the test starts, with the place and the reason', () => {
  const refused = async (source: string, ...expected: string[]) => {
    const script = writeScript(source);
    const before = target.requests;
    const result = await run(script, { env: { TARGET: target.url } });
    // Refused when the script is loaded, like an unsupported module: k6's exit code for a script error (107).
    expect(result.exitCode).toBe(107);
    for (const text of expected) expect(result.stderr).toContain(text);
    expect(result.stderr).toContain(`${path.basename(script)}:`);
    expect(target.requests).toBe(before);
    return result;
  };

  it('a blocking call in a constructor', async () => {
    await refused(
      `import http from 'k6/http';
class Session { status: number; constructor() { this.status = http.get(__ENV.TARGET + '/').status; } }
export default function () { new Session(); }`,
      'a constructor makes a blocking k6 call (http.get() at',
    );
  });

  it('a blocking call in a getter', async () => {
    await refused(
      `import http from 'k6/http';
const api = { get home() { return http.get(__ENV.TARGET + '/').status; } };
export default function () { api.home; }`,
      'the getter/setter "home" makes a blocking k6 call',
    );
  });

  it('a blocking callback handed to code that cannot wait for it (sort, a Promise executor)', async () => {
    await refused(
      `import http from 'k6/http';
export default function () {
  const urls = ['/a', '/b'];
  urls.sort((a, b) => http.get(__ENV.TARGET + a).status - http.get(__ENV.TARGET + b).status);
}`,
      'urls.sort() is given a function that makes blocking k6 calls (argument 1)',
    );
    await refused(
      `import { sleep } from 'k6';
export default function () { new Promise((resolve) => { sleep(1); resolve(1); }); }`,
      'Promise() is given a function that makes blocking k6 calls',
    );
  });

  it('requests in the init context, and eval of code the bundler cannot see', async () => {
    await refused(
      `import http from 'k6/http';
const warm = http.get(__ENV.TARGET + '/');
export default function () {}`,
      'in the init context',
    );
    await refused(
      `import http from 'k6/http';
export default function () { eval('http' + '.get(__ENV.TARGET)'); }`,
      'eval() with code the bundler cannot see',
    );
  });
});

describe('a blocking call the transform cannot see', () => {
  it('is reported as a script error naming the line, and the VU waits for it instead of running away', async () => {
    // A computed property on a plain object hides http.get from the transform.
    const script = writeScript(`import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 1, duration: '1500ms' };
const table: Record<string, (url: string) => unknown> = {};
table['fe' + 'tch'] = http.get;
export default function () {
  table['fe' + 'tch'](__ENV.TARGET + '/slow/300');
}
`);
    const result = await run(script, { env: { TARGET: target.url } });
    const iterations = result.summary.metrics.iterations.values.count;
    // Each iteration lasts as long as its request: ~5 in 1.5 s, not thousands.
    expect(iterations).toBeGreaterThanOrEqual(2);
    expect(iterations).toBeLessThanOrEqual(6);
    // Every report names the line, the first one included.
    const reports = result.stderr.split('\n').filter((line) => line.includes('had not finished'));
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports) expect(report).toContain(`http.get() at ${path.relative(process.cwd(), script)}:7:`);
  });
});

describe('blocking calls the transform sees', () => {
  it('are marked as seen just before they run, so only unseen ones pay for noting where they started', async () => {
    const script = writeScript(`import http from 'k6/http';
import { sleep } from 'k6';
export default async function () {
  http.get(__ENV.TARGET);
  await sleep(0.1);
}
`);
    const bundle = await bundleScript(script);
    expect(bundle.code).toMatch(/await \(__loadlabSync\.calls\.seen = true, \w+\.get\(/);
    expect(bundle.code).toMatch(/await \(__loadlabSync\.calls\.seen = true, \w*sleep\(0\.1\)\)/);
    expect(bundle.transform).toMatchObject({ awaitedCalls: 1, markedCalls: 2 });
  });
});

describe('rewritten code keeps its lines', () => {
  it('an exception after awaited calls names the TypeScript line', async () => {
    const script = writeScript(`import http from 'k6/http';
import { sleep } from 'k6';
export const options = { iterations: 1 };
interface Page { status: number }
function visit(url: string): Page {
  const res = http.get(url);
  sleep(0.01);
  if (res.status === 200) throw new Error('visited ' + url);
  return res;
}
export default function () {
  visit(__ENV.TARGET + '/');
}
`);
    const result = await run(script, { env: { TARGET: target.url } });
    expect(result.stderr).toContain('visited');
    expect(result.stderr).toMatch(new RegExp(`${path.basename(script)}:8:\\d+`));
    expect(result.stderr).toMatch(new RegExp(`${path.basename(script)}:12:\\d+`));
  });

  it('the bundle of an async-style script is not rewritten, only its blocking calls marked as seen', async () => {
    const scenario = path.resolve('scenarios/login-surge.ts');
    const bundle = await bundleScript(scenario);
    expect(readFileSync(scenario, 'utf8')).toContain('await');
    expect(bundle.transform.awaitedCalls).toBe(0);
    expect(bundle.transform.asyncFunctions).toBe(0);
    expect(bundle.transform.markedCalls).toBeGreaterThan(0);
  });

  it('group() keeps the group path through awaited requests', async () => {
    const lib = writeFile(
      'sync-lib.js',
      `import http from 'k6/http';
export function load(base) { return http.get(base + '/json').json().user.name; }
`,
    );
    const script = writeScript(`import { check, group } from 'k6';
import { load } from './${path.basename(lib)}';
export const options = { iterations: 2 };
export default function () {
  group('outer', () => {
    const name = load(__ENV.TARGET);
    group('inner', () => { check(load(__ENV.TARGET), { 'inner name': (n) => n === 'An' }); });
    check(name, { 'outer name': (n) => n === 'An' });
  });
}
`);
    const result = await run(script, { env: { TARGET: target.url } });
    expect(result.exitCode).toBe(0);
    const checks = result.recorder.samples('checks').map((s) => `${s.tags.group} ${s.tags.check} ${s.value}`);
    expect(checks).toEqual(['::outer::inner inner name 1', '::outer outer name 1', '::outer::inner inner name 1', '::outer outer name 1']);
    const requests = result.recorder.samples('http_reqs').map((s) => s.tags.group);
    expect(requests).toEqual(['::outer', '::outer::inner', '::outer', '::outer::inner']);
  });
});
