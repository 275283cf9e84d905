// One line, once per suite run, saying which k6 the engine is compared against — or that none was found.
import { execFileSync } from 'node:child_process';
import { K6 } from './k6-binary.ts';

export default function announce(): void {
  if (!K6) {
    console.log('conformance: no k6 binary (set LOADLAB_K6 or put k6 on PATH) — every case skipped');
    return;
  }
  const version = execFileSync(K6, ['version'], { encoding: 'utf8' }).trim().split('\n')[0];
  console.log(`conformance: comparing the embedded engine with ${K6} (${version})`);
}
