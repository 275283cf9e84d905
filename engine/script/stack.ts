// Stack traces of the bundled script, mapped back to the TypeScript source through esbuild's map.
import { SourceMap } from 'node:module';
import path from 'node:path';
import { types } from 'node:util';

export class StackMapper {
  private readonly map: SourceMap;
  private readonly pattern: RegExp;

  constructor(
    readonly bundleFilename: string,
    mapJson: string,
    private readonly mapDir: string,
  ) {
    this.map = new SourceMap(JSON.parse(mapJson));
    this.pattern = new RegExp(`${bundleFilename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`, 'g');
  }

  /** `file.ts:12:5` for a bundle position, or undefined when it maps to no source. */
  position(line: number, column: number): string | undefined {
    const entry = this.map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!entry?.originalSource) return undefined;
    const source = entry.originalSource.startsWith('file://')
      ? new URL(entry.originalSource).pathname
      : path.resolve(this.mapDir, entry.originalSource);
    return `${path.relative(process.cwd(), source) || source}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`;
  }

  /** The stack with bundle positions replaced by source positions and engine frames dropped. */
  mapStack(stack: string): string {
    const lines = stack.split('\n');
    const out: string[] = [];
    for (const line of lines) {
      if (!line.startsWith('    at ')) {
        out.push(line);
        continue;
      }
      if (!line.includes(this.bundleFilename)) continue;
      out.push(line.replace(this.pattern, (whole, l, c) => this.position(Number(l), Number(c)) ?? whole));
    }
    return out.join('\n');
  }

  /** The first script position in a stack, e.g. `scenarios/login.ts:14:22`. */
  firstScriptPosition(stack: string | undefined): string | undefined {
    if (!stack) return undefined;
    this.pattern.lastIndex = 0;
    for (const match of stack.matchAll(this.pattern)) {
      const position = this.position(Number(match[1]), Number(match[2]));
      if (position && !position.includes('k6-module:')) return position;
    }
    return undefined;
  }

  /** `Error: message\n    at fn (script.ts:3:9)` for anything thrown by the script. */
  describe(error: unknown): string {
    // The script's errors come from its own realm: not `instanceof Error` here, but native errors all the same.
    if (types.isNativeError(error) || error instanceof Error) {
      const e = error as Error;
      return this.mapStack(e.stack ?? `${e.name}: ${e.message}`);
    }
    return `Uncaught ${typeof error === 'string' ? error : JSON.stringify(error)}`;
  }
}
