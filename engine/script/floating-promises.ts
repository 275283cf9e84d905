// A floating-promise check for scenarios in the async style, on TypeScript's own type checker: an
// expression statement whose value is a Promise (a call of an async helper, http.asyncRequest, …)
// that is neither awaited, returned, nor marked `void` is a missing `await`. The synchronous-style
// transform awaits k6's blocking calls, not the user's own async functions, so this is where such a
// slip is caught before a run. `loadlab` scenarios are checked in test/scenarios; any tsconfig works:
//   npx tsx engine/script/floating-promises.ts [scenarios/tsconfig.json]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface FloatingPromise {
  /** `file.ts:12:3` relative to the working directory. */
  readonly where: string;
  readonly text: string;
}

function isPromiseLike(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some((t) => isPromiseLike(checker, t));
  const then = type.getProperty('then');
  if (!then) return false;
  const thenType = checker.getTypeOfSymbol(then);
  return thenType.getCallSignatures().length > 0;
}

/** The floating promises in the project of `tsconfigPath` (its own files, not declarations). */
export function findFloatingPromises(tsconfigPath: string): FloatingPromise[] {
  const config = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(path.resolve(tsconfigPath)));
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const checker = program.getTypeChecker();
  const found: FloatingPromise[] = [];
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || !parsed.fileNames.includes(file.fileName)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isExpressionStatement(node)) {
        const expression = node.expression;
        const marked = ts.isVoidExpression(expression) || ts.isAwaitExpression(expression);
        if (!marked && isPromiseLike(checker, checker.getTypeAtLocation(expression))) {
          const { line, character } = file.getLineAndCharacterOfPosition(expression.getStart(file));
          found.push({
            where: `${path.relative(process.cwd(), file.fileName)}:${line + 1}:${character + 1}`,
            text: expression.getText(file).slice(0, 80),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const floating = findFloatingPromises(process.argv[2] ?? 'scenarios/tsconfig.json');
  for (const f of floating)
    console.error(`${f.where}: a Promise is neither awaited nor returned (add \`await\`, or \`void\` if it is meant to run on): ${f.text}`);
  process.exitCode = floating.length > 0 ? 1 : 0;
}
