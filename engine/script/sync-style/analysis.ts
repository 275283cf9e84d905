// What one module of the script does with k6's blocking calls: its functions, the calls each of them
// makes (with what is called, resolved through the module's scopes and imports), the function values
// it hands to other code, and what it exports. The whole program is decided in program.ts.
import { parse } from '@babel/parser';
import _traverse, { type Binding, type NodePath } from '@babel/traverse';
import type * as t from '@babel/types';

// @babel/traverse is CommonJS; under ESM its function is the default export's `default`.
const traverse = ((_traverse as unknown as { default?: unknown }).default ?? _traverse) as typeof _traverse.default;

/** The calls of k6/http and k6 that block a VU in k6 (and return a Promise on the embedded engine). */
export const BLOCKING_K6: Readonly<Record<string, ReadonlySet<string>>> = {
  'k6/http': new Set(['request', 'get', 'post', 'put', 'patch', 'del', 'head', 'options', 'batch']),
  k6: new Set(['sleep']),
};
/** Methods of k6/http's Response that make a request (any object's method of that name is awaited: harmless). */
const RESPONSE_REQUESTS: ReadonlySet<string> = new Set(['submitForm', 'clickLink']);
const TIMER_MODULES = new Set(['k6/timers', 'k6/experimental/timers']);
const TIMER_NAMES = new Set(['setTimeout', 'setInterval']);
/** Array methods whose callback the engine can run one call at a time (sequential.ts). */
export const SEQUENTIAL_METHODS = new Set([
  'forEach',
  'map',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flatMap',
  'reduce',
  'reduceRight',
]);

export type FnKind = 'function' | 'method' | 'accessor' | 'constructor';

export interface FnInfo {
  readonly node: t.Function;
  readonly module: ModuleInfo;
  readonly name: string;
  readonly kind: FnKind;
  readonly isAsync: boolean;
  readonly isGenerator: boolean;
  /** Where `async` goes when the function becomes asynchronous. */
  readonly asyncAt: number;
  /** Names of its simple parameters (null for destructured or rest ones). */
  readonly params: (string | null)[];
  blocking: boolean;
  /** Parameters that receive blocking functions at some call site. */
  readonly blockingParams: Set<number>;
  /** The first blocking call in it, for messages. */
  because: string;
}

/** What an expression refers to, as far as the transform can tell without running the script. */
export type ValueRef =
  | { kind: 'fn'; fn: FnInfo }
  | { kind: 'blocking'; name: string }
  | { kind: 'k6'; module: string }
  | { kind: 'k6fn'; module: string; name: string }
  | { kind: 'import'; module: string; name: string }
  | { kind: 'member'; base: ValueRef; name: string }
  | { kind: 'param'; fn: FnInfo; index: number }
  | { kind: 'method'; name: string }
  | { kind: 'timer' }
  | { kind: 'global' }
  | { kind: 'unknown' };

/** Where in the code a call sits, for the rewrite. */
export type CallOwner = { kind: 'fn'; fn: FnInfo } | { kind: 'init' } | { kind: 'field' } | { kind: 'default-param'; fn: FnInfo };

export interface CallInfo {
  readonly node: t.CallExpression | t.OptionalCallExpression | t.NewExpression;
  readonly owner: CallOwner;
  readonly callee: ValueRef;
  /** The callee's text, for messages (`http.get`, `items.forEach`). */
  readonly calleeText: string;
  /** The property name when the callee is `x.name`. */
  readonly memberName: string | null;
  readonly args: ValueRef[];
  /** The second argument of check() when it is an object literal: its property values. */
  readonly checkConditions: ValueRef[] | null;
  /** Already `await`ed in the source. */
  readonly awaited: boolean;
  /** The call is a whole expression statement (no parentheses needed around `await`). */
  readonly statement: boolean;
  /** It starts its expression statement, which sits in a statement list (a `;` guards against ASI). */
  readonly startsStatement: boolean;
  readonly where: string;
  blocking: boolean;
  sequential: boolean;
  /** A blocking k6 call itself (http.get, sleep, res.submitForm): marked as seen before it runs (runtime/pending.ts). */
  marked: boolean;
}

/** A function value used other than by calling it or passing it to a call. */
export interface ValueUse {
  readonly ref: ValueRef;
  readonly where: string;
  readonly how: string;
}

export interface Problem {
  readonly where: string;
  readonly message: string;
}

export interface ModuleInfo {
  readonly path: string;
  readonly code: string;
  readonly display: string;
  readonly fns: FnInfo[];
  readonly calls: CallInfo[];
  readonly uses: ValueUse[];
  /** Method names defined in this module (object literals, classes, `x.name = function`) and their values. */
  readonly methods: Map<string, ValueRef[]>;
  readonly exports: Map<string, ValueRef>;
  /** `export * from` sources. */
  readonly starExports: string[];
  readonly problems: Problem[];
  /** eval()/Function() of code built at run time: a problem only when the program makes blocking calls. */
  readonly runtimeCode: Problem[];
  /** It imports k6/http, or k6's sleep (or the whole k6 module). */
  importsBlocking: boolean;
}

/** Import specifiers of a module that the bundler resolves (everything but k6 modules and URLs). */
export function importSpecifiers(ast: t.File): string[] {
  const specs = new Set<string>();
  for (const node of ast.program.body) {
    if (
      (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration') &&
      node.source
    )
      specs.add(node.source.value);
  }
  traverse(ast, {
    CallExpression(p) {
      const { callee, arguments: args } = p.node;
      if (
        callee.type === 'Identifier' &&
        callee.name === 'require' &&
        args.length === 1 &&
        args[0].type === 'StringLiteral' &&
        !p.scope.getBinding('require')
      )
        specs.add(args[0].value);
    },
  });
  return [...specs];
}

export function parseModule(code: string, file: string): t.File {
  const ts = /\.[cm]?tsx?$/.test(file);
  return parse(code, {
    sourceType: 'unambiguous',
    sourceFilename: file,
    plugins: ts ? ['typescript', ...(file.endsWith('x') ? (['jsx'] as const) : [])] : file.endsWith('x') ? ['jsx'] : [],
    errorRecovery: false,
  });
}

function k6Member(module: string, name: string): ValueRef {
  if (BLOCKING_K6[module]?.has(name)) return { kind: 'blocking', name: `${module === 'k6' ? '' : 'http.'}${name}` };
  if (TIMER_MODULES.has(module) && TIMER_NAMES.has(name)) return { kind: 'timer' };
  return { kind: 'k6fn', module, name };
}

/** An import of `source` (a specifier) named `name` ('default', '*' or an export name). */
function importRef(resolved: (spec: string) => string | null, source: string, name: string): ValueRef {
  if (source === 'k6' || source.startsWith('k6/'))
    return name === '*' || name === 'default' ? { kind: 'k6', module: source } : k6Member(source, name);
  const target = resolved(source);
  if (target === null) return { kind: 'unknown' };
  return { kind: 'import', module: target, name };
}

/**
 * Analyses one module. `resolve` maps an import specifier to the resolved module path (null when
 * the bundler keeps it external or it is not code the transform sees).
 */
export function analyzeModule(
  ast: t.File,
  code: string,
  file: string,
  display: string,
  resolve: (spec: string) => string | null,
): ModuleInfo {
  const info: ModuleInfo = {
    path: file,
    code,
    display,
    fns: [],
    calls: [],
    uses: [],
    methods: new Map(),
    exports: new Map(),
    starExports: [],
    problems: [],
    runtimeCode: [],
    importsBlocking: false,
  };
  const fnOf = new Map<t.Node, FnInfo>();
  const where = (node: t.Node) => `${display}:${node.loc?.start.line ?? 0}:${(node.loc?.start.column ?? 0) + 1}`;
  const text = (node: t.Node) => code.slice(node.start ?? 0, node.end ?? 0);

  // Pass 1: every function, so that calls can refer to functions declared further down.
  traverse(ast, {
    Function(p) {
      const node = p.node;
      let kind: FnKind = 'function';
      let asyncAt = node.start ?? 0;
      let name = 'anonymous function';
      if (node.type === 'ObjectMethod' || node.type === 'ClassMethod' || node.type === 'ClassPrivateMethod') {
        kind = node.kind === 'constructor' ? 'constructor' : node.kind === 'get' || node.kind === 'set' ? 'accessor' : 'method';
        const key = node.key;
        name =
          key.type === 'Identifier'
            ? key.name
            : key.type === 'PrivateName'
              ? `#${key.id.name}`
              : key.type === 'StringLiteral'
                ? key.value
                : text(key);
        asyncAt = key.start ?? asyncAt;
        if (node.computed) {
          let i = asyncAt - 1;
          while (i > 0 && code[i] !== '[') i--;
          asyncAt = i;
        }
      } else if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') {
        if (node.id) name = node.id.name;
      }
      if (name === 'anonymous function') {
        const parent = p.parent;
        if (parent.type === 'VariableDeclarator' && parent.id.type === 'Identifier') name = parent.id.name;
        else if (parent.type === 'ObjectProperty' && parent.key.type === 'Identifier') name = parent.key.name;
        else if (parent.type === 'ExportDefaultDeclaration') name = 'default';
      }
      const params = node.params.map((param) =>
        param.type === 'Identifier'
          ? param.name
          : param.type === 'AssignmentPattern' && param.left.type === 'Identifier'
            ? param.left.name
            : null,
      );
      const fn: FnInfo = {
        node,
        module: info,
        name,
        kind,
        isAsync: node.async === true,
        isGenerator: node.generator === true,
        asyncAt,
        params,
        blocking: false,
        blockingParams: new Set(),
        because: '',
      };
      info.fns.push(fn);
      fnOf.set(node, fn);
    },
  });

  const refOf = (p: NodePath, depth = 0): ValueRef => {
    const node = p.node;
    if (depth > 8) return { kind: 'unknown' };
    if (p.isFunction()) return { kind: 'fn', fn: fnOf.get(node)! };
    if (p.isTSAsExpression() || p.isTSNonNullExpression() || p.isTSSatisfiesExpression() || p.isTSTypeAssertion())
      return refOf(p.get('expression') as NodePath, depth + 1);
    if (p.isIdentifier()) return identifierValue(p, p.node.name, depth);
    if (p.isMemberExpression() || p.isOptionalMemberExpression()) {
      const member = node as t.MemberExpression;
      const prop = member.property;
      const name =
        prop.type === 'PrivateName'
          ? `#${prop.id.name}`
          : !member.computed && prop.type === 'Identifier'
            ? prop.name
            : prop.type === 'StringLiteral'
              ? prop.value
              : null;
      const base = refOf(p.get('object') as NodePath, depth + 1);
      // http[method](...): any of k6/http's functions may be the one called.
      if (name === null)
        return base.kind === 'k6' && BLOCKING_K6[base.module] ? { kind: 'blocking', name: text(node) } : { kind: 'unknown' };
      return memberOf(base, name);
    }
    if (p.isCallExpression()) {
      const callee = p.node.callee;
      const arg = p.node.arguments[0];
      if (callee.type === 'Identifier' && callee.name === 'require' && !p.scope.getBinding('require') && arg?.type === 'StringLiteral')
        return importRef(resolve, arg.value, '*');
    }
    return { kind: 'unknown' };
  };

  const memberOf = (base: ValueRef, name: string): ValueRef => {
    if (base.kind === 'k6') return k6Member(base.module, name);
    // fn.call(...) and fn.apply(...) call fn.
    if ((name === 'call' || name === 'apply') && (base.kind === 'blocking' || base.kind === 'fn')) return base;
    if (base.kind === 'import' && base.name === '*') return { kind: 'import', module: base.module, name };
    if (base.kind === 'import' || base.kind === 'member') return { kind: 'member', base, name };
    // res.submitForm()/res.clickLink() send a request: blocking in k6, a Promise on the engine.
    if (RESPONSE_REQUESTS.has(name)) return { kind: 'blocking', name: `response.${name}` };
    return { kind: 'method', name };
  };

  const identifierValue = (p: NodePath, name: string, depth: number): ValueRef => {
    const binding: Binding | undefined = p.scope.getBinding(name);
    if (!binding) return TIMER_NAMES.has(name) ? { kind: 'timer' } : { kind: 'global' };
    const bp = binding.path;
    if (binding.kind === 'module') {
      const decl = bp.parent as t.ImportDeclaration;
      const spec = bp.node;
      const imported =
        spec.type === 'ImportDefaultSpecifier'
          ? 'default'
          : spec.type === 'ImportNamespaceSpecifier'
            ? '*'
            : spec.type === 'ImportSpecifier'
              ? spec.imported.type === 'Identifier'
                ? spec.imported.name
                : spec.imported.value
              : '*';
      return importRef(resolve, decl.source.value, imported);
    }
    if (bp.isFunctionDeclaration()) return { kind: 'fn', fn: fnOf.get(bp.node)! };
    if (bp.isFunctionExpression() && binding.kind === 'local') return { kind: 'fn', fn: fnOf.get(bp.node)! };
    if (binding.kind === 'param') {
      const fnPath = binding.scope.path;
      const fn = fnOf.get(fnPath.node);
      const index = fn ? fn.params.indexOf(name) : -1;
      return fn && index >= 0 ? { kind: 'param', fn, index } : { kind: 'unknown' };
    }
    if (bp.isVariableDeclarator() && binding.constant) {
      const id = bp.node.id;
      const init = bp.get('init') as NodePath;
      if (!init.node) return { kind: 'unknown' };
      if (id.type === 'Identifier') return refOf(init, depth + 1);
      if (id.type === 'ObjectPattern') {
        for (const prop of id.properties) {
          if (
            prop.type === 'ObjectProperty' &&
            prop.key.type === 'Identifier' &&
            (prop.value.type === 'Identifier'
              ? prop.value.name === name
              : prop.value.type === 'AssignmentPattern' && prop.value.left.type === 'Identifier' && prop.value.left.name === name)
          ) {
            return memberOf(refOf(init, depth + 1), prop.key.name);
          }
        }
      }
    }
    return { kind: 'unknown' };
  };

  const ownerOf = (p: NodePath): CallOwner => {
    let child: NodePath = p;
    for (let q = p.parentPath; q; child = q, q = q.parentPath) {
      if (q.isFunction()) {
        const fn = fnOf.get(q.node)!;
        return (q.node.params as t.Node[]).includes(child.node) ? { kind: 'default-param', fn } : { kind: 'fn', fn };
      }
      if ((q.isClassProperty() || q.isClassPrivateProperty() || q.isClassAccessorProperty()) && child.key === 'value')
        return { kind: 'field' };
      if (q.isStaticBlock()) return { kind: 'field' };
    }
    return { kind: 'init' };
  };

  const addMethod = (name: string, ref: ValueRef) => {
    const list = info.methods.get(name);
    if (list) list.push(ref);
    else info.methods.set(name, [ref]);
  };

  /** Records a function value used in a way that is neither a call nor an argument. */
  const noteUse = (p: NodePath, ref: ValueRef) => {
    const parent = p.parentPath;
    if (!parent) return;
    const pn = parent.node;
    if ((pn.type === 'CallExpression' || pn.type === 'OptionalCallExpression' || pn.type === 'NewExpression') && p.key !== 'callee') return; // an argument
    if (p.key === 'callee') return;
    if (pn.type === 'VariableDeclarator' && p.key === 'init') return;
    if (pn.type === 'ExportDefaultDeclaration' || pn.type === 'ExportSpecifier') return;
    if (pn.type === 'ObjectProperty' && p.key === 'value') return;
    if (pn.type === 'AssignmentExpression' && p.key === 'right' && pn.left.type === 'MemberExpression') return;
    if (pn.type === 'ExpressionStatement' || pn.type === 'TSAsExpression' || pn.type === 'TSNonNullExpression') return;
    if (pn.type === 'MemberExpression' && p.key === 'object') return; // fn.call / fn.name: the call itself is what counts
    info.uses.push({ ref, where: where(p.node), how: describeUse(pn.type) });
  };

  // Pass 2: calls, function values handed around, methods, exports.
  traverse(ast, {
    'CallExpression|OptionalCallExpression|NewExpression'(p: NodePath) {
      const node = p.node as t.CallExpression | t.NewExpression;
      const calleePath = p.get('callee') as NodePath;
      if (node.callee.type === 'Super' || node.callee.type === 'Import') return;
      const callee = refOf(calleePath);
      const memberName =
        node.callee.type === 'MemberExpression' || node.callee.type === 'OptionalMemberExpression'
          ? !node.callee.computed && node.callee.property.type === 'Identifier'
            ? node.callee.property.name
            : null
          : null;
      const argPaths = p.get('arguments') as NodePath[];
      const args = argPaths.map((a) => (a.isSpreadElement() ? ({ kind: 'unknown' } as ValueRef) : refOf(a)));
      let checkConditions: ValueRef[] | null = null;
      const second = argPaths[1];
      if (second?.isObjectExpression()) {
        checkConditions = (second.get('properties') as NodePath[]).flatMap((prop) =>
          prop.isObjectProperty()
            ? [refOf(prop.get('value') as NodePath)]
            : prop.isObjectMethod()
              ? [{ kind: 'fn', fn: fnOf.get(prop.node)! } as ValueRef]
              : [],
        );
      }
      const parent = p.parentPath!;
      const statement = parent.isExpressionStatement();
      let startsStatement = false;
      for (let q: NodePath | null = p; q; q = q.parentPath) {
        if (q.node.start !== node.start) break;
        if (q.isExpressionStatement()) {
          startsStatement =
            !!q.parentPath &&
            (q.parentPath.isBlockStatement() || q.parentPath.isProgram() || q.parentPath.isSwitchCase() || q.parentPath.isStaticBlock());
          break;
        }
        if (q.isStatement()) break;
      }
      if (
        node.callee.type === 'Identifier' &&
        (node.callee.name === 'eval' || node.callee.name === 'Function') &&
        !p.scope.getBinding(node.callee.name)
      ) {
        const literal = node.arguments.every((a) => a.type === 'StringLiteral' && !/\b(http|sleep|group|check)\b/.test(a.value));
        if (!literal)
          info.runtimeCode.push({
            where: where(node),
            message: `${node.callee.name}() with code the bundler cannot see: the synchronous k6 style is made asynchronous when the script is bundled, and code built at run time is not; call the functions directly`,
          });
      }
      info.calls.push({
        node: node as CallInfo['node'],
        owner: ownerOf(p),
        callee,
        calleeText: text(node.callee).replace(/\s+/g, ' ').slice(0, 60),
        memberName,
        args,
        checkConditions,
        awaited: parent.isAwaitExpression(),
        statement,
        startsStatement,
        where: where(node),
        blocking: false,
        sequential: false,
        marked: false,
      });
    },
    Function(p) {
      const fn = fnOf.get(p.node)!;
      const node = p.node;
      if (node.type === 'ObjectMethod' && fn.kind === 'method') addMethod(fn.name, { kind: 'fn', fn });
      if ((node.type === 'ClassMethod' || node.type === 'ClassPrivateMethod') && fn.kind === 'method')
        addMethod(fn.name, { kind: 'fn', fn });
      if (p.isFunctionExpression() || p.isArrowFunctionExpression()) noteUse(p, { kind: 'fn', fn });
    },
    ObjectProperty(p) {
      if (p.parentPath.isObjectPattern()) return;
      const key = p.node.key;
      const name = key.type === 'StringLiteral' ? key.value : !p.node.computed && key.type === 'Identifier' ? key.name : null;
      if (name !== null) addMethod(name, refOf(p.get('value') as NodePath));
    },
    'ClassProperty|ClassPrivateProperty'(p: NodePath) {
      const node = p.node as t.ClassProperty | t.ClassPrivateProperty;
      const key = node.key;
      const name =
        key.type === 'Identifier' && !(node as t.ClassProperty).computed ? key.name : key.type === 'PrivateName' ? `#${key.id.name}` : null;
      if (name !== null && node.value) addMethod(name, refOf(p.get('value') as NodePath));
    },
    AssignmentExpression(p) {
      const left = p.node.left;
      if (left.type === 'MemberExpression' && !left.computed && left.property.type === 'Identifier')
        addMethod(left.property.name, refOf(p.get('right') as NodePath));
    },
    Identifier(p) {
      if (!p.isReferencedIdentifier()) return;
      const ref = identifierValue(p, p.node.name, 0);
      if (ref.kind === 'fn' || ref.kind === 'blocking' || ref.kind === 'import' || ref.kind === 'param') noteUse(p, ref);
    },
    ImportDeclaration(p) {
      const source = p.node.source.value;
      if (source === 'k6/http') info.importsBlocking = true;
      if (source === 'k6') {
        for (const spec of p.node.specifiers) {
          const imported =
            spec.type === 'ImportSpecifier' ? (spec.imported.type === 'Identifier' ? spec.imported.name : spec.imported.value) : '*';
          if (imported === '*' || imported === 'sleep') info.importsBlocking = true;
        }
      }
    },
    ExportNamedDeclaration(p) {
      const node = p.node;
      if (node.source) {
        for (const spec of node.specifiers) {
          if (spec.type !== 'ExportSpecifier') continue;
          const exported = spec.exported.type === 'Identifier' ? spec.exported.name : spec.exported.value;
          info.exports.set(exported, importRef(resolve, node.source.value, spec.local.name));
        }
        return;
      }
      const decl = p.get('declaration');
      if (decl.isFunctionDeclaration() && decl.node.id) info.exports.set(decl.node.id.name, { kind: 'fn', fn: fnOf.get(decl.node)! });
      if (decl.isVariableDeclaration()) {
        for (const d of decl.get('declarations')) {
          if (d.node.id.type === 'Identifier' && d.node.init) info.exports.set(d.node.id.name, refOf(d.get('init') as NodePath));
        }
      }
      for (const spec of p.get('specifiers')) {
        if (!spec.isExportSpecifier()) continue;
        const exported = spec.node.exported.type === 'Identifier' ? spec.node.exported.name : spec.node.exported.value;
        info.exports.set(exported, refOf(spec.get('local') as NodePath));
      }
    },
    ExportDefaultDeclaration(p) {
      const decl = p.get('declaration') as NodePath;
      info.exports.set(
        'default',
        decl.isFunction() ? { kind: 'fn', fn: fnOf.get(decl.node)! } : decl.isExpression() ? refOf(decl) : { kind: 'unknown' },
      );
    },
    ExportAllDeclaration(p) {
      const target = importRef(resolve, p.node.source.value, '*');
      if (target.kind === 'import') info.starExports.push(target.module);
    },
  });
  return info;
}

function describeUse(parentType: string): string {
  switch (parentType) {
    case 'ReturnStatement':
    case 'ArrowFunctionExpression':
      return 'returned from a function';
    case 'ArrayExpression':
      return 'stored in an array';
    case 'AssignmentExpression':
      return 'assigned to a variable';
    default:
      return 'used as a value';
  }
}
