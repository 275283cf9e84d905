// Array callbacks that make blocking k6 calls, run one call at a time as k6 runs them: the transform
// rewrites `items.forEach(cb)` to `await __loadlabSync.forEach(items, cb)`. The source is evaluated
// in the script's realm, so the arrays and promises it makes are the script's own.
export const SEQUENTIAL_SOURCE = `(() => {
  'use strict';
  const indexed = (t) => Array.isArray(t) || (ArrayBuffer.isView(t) && !(t instanceof DataView));
  const refuse = (method, target) => {
    const kind = target === null ? 'null' : typeof target === 'object' ? Object.prototype.toString.call(target).slice(8, -1) : typeof target;
    return new TypeError('.' + method + '() with a callback that makes blocking k6 calls runs one call at a time only on arrays' + (method === 'forEach' ? ', Maps and Sets' : '') + ', not on ' + kind);
  };
  const array = (method, target) => {
    if (!indexed(target)) throw refuse(method, target);
    return target;
  };
  const find = async (method, target, cb, thisArg, fromEnd, wantIndex) => {
    const a = array(method, target);
    const len = a.length;
    for (let k = 0; k < len; k++) {
      const i = fromEnd ? len - 1 - k : k;
      if (await cb.call(thisArg, a[i], i, a)) return wantIndex ? i : a[i];
    }
    return wantIndex ? -1 : undefined;
  };
  const reduce = async (method, target, cb, rest, fromEnd) => {
    const a = array(method, target);
    const len = a.length;
    let k = 0;
    let acc;
    const at = (n) => (fromEnd ? len - 1 - n : n);
    if (rest.length > 0) acc = rest[0];
    else {
      while (k < len && !(at(k) in a)) k++;
      if (k >= len) throw new TypeError('Reduce of empty array with no initial value');
      acc = a[at(k++)];
    }
    for (; k < len; k++) if (at(k) in a) acc = await cb(acc, a[at(k)], at(k), a);
    return acc;
  };
  return Object.freeze({
    // Set before each blocking k6 call the transform saw (runtime/pending.ts CallMarks).
    calls: { seen: false },
    async forEach(target, cb, thisArg) {
      if (indexed(target)) {
        const len = target.length;
        for (let i = 0; i < len; i++) if (i in target) await cb.call(thisArg, target[i], i, target);
        return undefined;
      }
      const tag = Object.prototype.toString.call(target);
      if (tag === '[object Map]') {
        for (const [key, value] of target) await cb.call(thisArg, value, key, target);
        return undefined;
      }
      if (tag === '[object Set]') {
        for (const value of target) await cb.call(thisArg, value, value, target);
        return undefined;
      }
      throw refuse('forEach', target);
    },
    async map(target, cb, thisArg) {
      const a = array('map', target);
      const out = new Array(a.length);
      for (let i = 0; i < a.length; i++) if (i in a) out[i] = await cb.call(thisArg, a[i], i, a);
      return out;
    },
    async flatMap(target, cb, thisArg) {
      const a = array('flatMap', target);
      const out = [];
      for (let i = 0; i < a.length; i++) {
        if (!(i in a)) continue;
        const v = await cb.call(thisArg, a[i], i, a);
        if (Array.isArray(v)) out.push(...v);
        else out.push(v);
      }
      return out;
    },
    async filter(target, cb, thisArg) {
      const a = array('filter', target);
      const out = [];
      for (let i = 0; i < a.length; i++) if (i in a && (await cb.call(thisArg, a[i], i, a))) out.push(a[i]);
      return out;
    },
    async some(target, cb, thisArg) {
      const a = array('some', target);
      for (let i = 0; i < a.length; i++) if (i in a && (await cb.call(thisArg, a[i], i, a))) return true;
      return false;
    },
    async every(target, cb, thisArg) {
      const a = array('every', target);
      for (let i = 0; i < a.length; i++) if (i in a && !(await cb.call(thisArg, a[i], i, a))) return false;
      return true;
    },
    find: (target, cb, thisArg) => find('find', target, cb, thisArg, false, false),
    findIndex: (target, cb, thisArg) => find('findIndex', target, cb, thisArg, false, true),
    findLast: (target, cb, thisArg) => find('findLast', target, cb, thisArg, true, false),
    findLastIndex: (target, cb, thisArg) => find('findLastIndex', target, cb, thisArg, true, true),
    reduce: (target, cb, ...rest) => reduce('reduce', target, cb, rest, false),
    reduceRight: (target, cb, ...rest) => reduce('reduceRight', target, cb, rest, true),
  });
})()`;
