// loadlab's version, read once from package.json so the CLI, the User-Agent and the results agree.
import { readFileSync } from 'node:fs';

export const LOADLAB_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
