// Which real k6 the suite compares against: LOADLAB_K6, else `k6` on PATH, else none (every case skips).
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findK6(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const configured = env.LOADLAB_K6;
  if (configured) return executable(path.resolve(configured)) ? path.resolve(configured) : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, 'k6'))) return path.join(dir, 'k6');
  }
  return null;
}

export const K6 = findK6();
