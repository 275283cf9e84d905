// The whole-program decision: which functions reach a blocking k6 call (through local modules,
// parameters and method names), which calls must be awaited, and which patterns cannot be made
// asynchronous at all (refused before the test starts). Then each module's rewrite, with its map.
import path from 'node:path';
import MagicString from 'magic-string';
import { type CallInfo, type FnInfo, type ModuleInfo, type Problem, SEQUENTIAL_METHODS, type ValueRef } from './analysis.ts';

/** The factory parameter with the helpers that await array callbacks one at a time (sequential.ts). */
export const SEQUENTIAL_GLOBAL = '__loadlabSync';
/** Set just before each blocking k6 call the transform sees, so the runtime knows the call was seen (runtime/pending.ts). */
const CALL_MARK = `${SEQUENTIAL_GLOBAL}.calls.seen = true`;

export interface ProgramPlan {
  readonly problems: Problem[];
  /** The rewritten source (with an inline source map) of a module the transform changed, else null. */
  rewrite(file: string): string | null;
  /** Functions made asynchronous and calls awaited, over the whole program. */
  readonly stats: { asyncFunctions: number; awaitedCalls: number; sequentialCalls: number; markedCalls: number };
}

export function planProgram(modules: ReadonlyMap<string, ModuleInfo>): ProgramPlan {
  const methodTable = new Map<string, ValueRef[]>();
  for (const mod of modules.values()) {
    for (const [name, refs] of mod.methods) {
      const list = methodTable.get(name);
      if (list) list.push(...refs);
      else methodTable.set(name, [...refs]);
    }
  }

  const deref = (ref: ValueRef, depth = 0): ValueRef => {
    if (depth > 20) return { kind: 'unknown' };
    if (ref.kind === 'import') {
      if (ref.name === '*') return ref;
      const found = exportOf(ref.module, ref.name, new Set());
      return found ? deref(found, depth + 1) : { kind: 'unknown' };
    }
    if (ref.kind === 'member') {
      const base = deref(ref.base, depth + 1);
      if (base.kind === 'import' && base.name === '*') return deref({ kind: 'import', module: base.module, name: ref.name }, depth + 1);
      return { kind: 'method', name: ref.name };
    }
    return ref;
  };
  const exportOf = (file: string, name: string, seen: Set<string>): ValueRef | undefined => {
    const mod = modules.get(file);
    if (!mod || seen.has(file)) return undefined;
    seen.add(file);
    const direct = mod.exports.get(name);
    if (direct) return direct;
    if (name === 'default') return undefined;
    for (const star of mod.starExports) {
      const found = exportOf(star, name, seen);
      if (found) return found;
    }
    return undefined;
  };

  const blockingValue = (ref: ValueRef, depth = 0): boolean => {
    const d = deref(ref);
    switch (d.kind) {
      case 'fn':
        return d.fn.blocking;
      case 'blocking':
        return true;
      case 'param':
        return d.fn.blockingParams.has(d.index);
      case 'method':
        return depth < 4 && (methodTable.get(d.name) ?? []).some((r) => blockingValue(r, depth + 1));
      default:
        return false;
    }
  };
  /** The user functions a call may reach through its callee (a function, or every method of that name). */
  const calleeFunctions = (d: ValueRef): FnInfo[] | null => {
    if (d.kind === 'fn') return [d.fn];
    if (d.kind === 'method') {
      const fns = (methodTable.get(d.name) ?? [])
        .map((r) => deref(r))
        .filter((r): r is { kind: 'fn'; fn: FnInfo } => r.kind === 'fn')
        .map((r) => r.fn);
      return fns.length > 0 ? fns : null;
    }
    return null;
  };

  const calls: CallInfo[] = [...modules.values()].flatMap((m) => m.calls);
  const uses = [...modules.values()].flatMap((m) => m.uses);
  let escaped = false;
  const callBlocking = (c: CallInfo): boolean => {
    const d = deref(c.callee);
    switch (d.kind) {
      case 'blocking':
        return true;
      case 'k6fn':
        if (d.module !== 'k6') return false;
        if (d.name === 'group') return c.args[1] !== undefined && blockingValue(c.args[1]);
        if (d.name === 'check') return (c.checkConditions ?? []).some((r) => blockingValue(r));
        return false;
      case 'fn':
      case 'param':
        return blockingValue(d);
      case 'method':
        if (blockingValue(d)) return true;
        if (
          c.memberName !== null &&
          SEQUENTIAL_METHODS.has(c.memberName) &&
          c.node.type !== 'NewExpression' &&
          c.args[0] !== undefined &&
          blockingValue(c.args[0])
        ) {
          c.sequential = true;
          return true;
        }
        return false;
      case 'unknown':
        return escaped && c.node.type !== 'NewExpression';
      default:
        return false;
    }
  };

  for (let changed = true; changed; ) {
    changed = false;
    for (const c of calls) {
      if (!c.blocking && callBlocking(c)) {
        c.blocking = true;
        changed = true;
      }
      if (c.blocking && c.owner.kind === 'fn' && !c.owner.fn.blocking) {
        c.owner.fn.blocking = true;
        c.owner.fn.because = `${c.calleeText}() at ${c.where}`;
        changed = true;
      }
      const targets = calleeFunctions(deref(c.callee));
      if (targets === null) continue;
      c.args.forEach((arg, i) => {
        if (!blockingValue(arg)) return;
        for (const fn of targets) {
          if (fn.params[i] !== null && fn.params[i] !== undefined && !fn.blockingParams.has(i)) {
            fn.blockingParams.add(i);
            changed = true;
          }
        }
      });
    }
    if (!escaped && uses.some((u) => blockingValue(u.ref))) {
      escaped = true;
      changed = true;
    }
  }

  const problems: Problem[] = [...modules.values()].flatMap((m) => m.problems);
  if ([...modules.values()].some((m) => m.importsBlocking)) problems.push(...[...modules.values()].flatMap((m) => m.runtimeCode));
  for (const mod of modules.values()) {
    for (const fn of mod.fns) {
      if (!fn.blocking) continue;
      const at = `${mod.display}:${fn.node.loc?.start.line ?? 0}:${(fn.node.loc?.start.column ?? 0) + 1}`;
      if (fn.kind === 'constructor')
        problems.push({
          where: at,
          message: `a constructor makes a blocking k6 call (${fn.because}); constructors cannot wait for it on the embedded engine: move the call into a method and call that`,
        });
      else if (fn.kind === 'accessor')
        problems.push({
          where: at,
          message: `the getter/setter "${fn.name}" makes a blocking k6 call (${fn.because}); accessors cannot wait for it on the embedded engine: make it a method`,
        });
      else if (fn.isGenerator)
        problems.push({
          where: at,
          message: `the generator "${fn.name}" makes a blocking k6 call (${fn.because}); generators cannot wait for it on the embedded engine`,
        });
    }
  }
  for (const c of calls) {
    if (c.blocking) {
      if (c.owner.kind === 'init')
        problems.push({
          where: c.where,
          message: `${c.calleeText}() makes a blocking k6 call in the init context (the script's top level); k6 allows requests and sleep only in setup(), teardown() and the VU functions`,
        });
      else if (c.owner.kind === 'field')
        problems.push({
          where: c.where,
          message: `${c.calleeText}() makes a blocking k6 call in a class field initializer; move it into a method`,
        });
      else if (c.owner.kind === 'default-param')
        problems.push({
          where: c.where,
          message: `${c.calleeText}() makes a blocking k6 call in a default parameter value; move it into the function body`,
        });
      if (c.node.type === 'NewExpression')
        problems.push({
          where: c.where,
          message: `new ${c.calleeText}() constructs with a function that makes blocking k6 calls; call it as a function instead`,
        });
    }
    const d = deref(c.callee);
    c.args.forEach((arg, i) => {
      if (!blockingValue(arg)) return;
      if (d.kind === 'timer') return;
      if (d.kind === 'k6fn' && d.module === 'k6' && ((d.name === 'group' && i === 1) || d.name === 'check')) return;
      if (c.sequential && i === 0) return;
      const targets = calleeFunctions(d);
      if (targets?.every((fn) => fn.params[i] !== null && fn.params[i] !== undefined)) return;
      problems.push({
        where: c.where,
        message: `${c.calleeText}() is given a function that makes blocking k6 calls (argument ${i + 1}); ${c.calleeText}() is not code the transform can make wait for it (k6 would run the callback to the end before going on). Call the function in a loop instead`,
      });
    });
  }

  for (const c of calls) c.marked = c.owner.kind === 'fn' && c.node.type !== 'NewExpression' && deref(c.callee).kind === 'blocking';

  const stats = { asyncFunctions: 0, awaitedCalls: 0, sequentialCalls: 0, markedCalls: 0 };
  const rewrites = new Map<string, string>();
  for (const mod of modules.values()) {
    const code = rewriteModule(mod, calls, stats);
    if (code !== null) rewrites.set(mod.path, code);
  }
  return { problems, rewrite: (file) => rewrites.get(file) ?? null, stats };
}

function rewriteModule(mod: ModuleInfo, allCalls: CallInfo[], stats: ProgramPlan['stats']): string | null {
  const s = new MagicString(mod.code);
  let changed = false;
  for (const fn of mod.fns) {
    if (!fn.blocking || fn.isAsync) continue;
    s.prependRight(fn.asyncAt, 'async ');
    stats.asyncFunctions++;
    changed = true;
  }
  const awaits = (c: CallInfo) => c.blocking && !c.awaited;
  const mark = (start: number, end: number) => {
    s.appendLeft(start, `(${CALL_MARK}, `);
    s.appendLeft(end, ')');
    stats.markedCalls++;
  };
  const calls = allCalls
    .filter((c) => c.owner.kind === 'fn' && c.owner.fn.module === mod && (awaits(c) || c.marked))
    .sort((a, b) => (a.node.start ?? 0) - (b.node.start ?? 0) || (b.node.end ?? 0) - (a.node.end ?? 0));
  const guarded = new Set<number>();
  for (const c of calls) {
    const start = c.node.start ?? 0;
    const end = c.node.end ?? 0;
    if (!awaits(c)) {
      // Awaited in the source already: only the mark, in parentheses of its own.
      mark(start, end);
      changed = true;
      continue;
    }
    const open = c.statement ? 'await ' : '(await ';
    if (!c.statement && c.startsStatement && !guarded.has(start)) {
      guarded.add(start);
      s.appendLeft(start, ';');
    }
    if (c.sequential && c.node.callee.type !== 'V8IntrinsicIdentifier') {
      const callee = c.node.callee as { object?: { end?: number | null } };
      const first = c.node.arguments[0];
      s.appendLeft(start, `${open}${SEQUENTIAL_GLOBAL}.${c.memberName}(`);
      s.overwrite(callee.object?.end ?? start, first.start ?? end, ', ');
      stats.sequentialCalls++;
    } else {
      s.appendLeft(start, open);
      stats.awaitedCalls++;
    }
    if (c.marked) mark(start, end);
    if (!c.statement) s.appendLeft(end, ')');
    changed = true;
  }
  if (!changed) return null;
  const map = s.generateMap({ hires: 'boundary', source: path.basename(mod.path), includeContent: true });
  return `${s.toString()}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(map.toString()).toString('base64')}\n`;
}
