// Node module hooks that resolve `k6` and `k6/*` to the stubs in this folder, so a k6 bundle's init
// context (options, metric definitions) can be evaluated by Node's own ES module loader.
const STUBS = {
  k6: 'k6.mjs',
  'k6/http': 'http.mjs',
  'k6/metrics': 'metrics.mjs',
  'k6/crypto': 'crypto.mjs',
  'k6/encoding': 'encoding.mjs',
  'k6/execution': 'execution.mjs',
  'k6/data': 'data.mjs',
};

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'k6' || specifier.startsWith('k6/')) {
    const stub = STUBS[specifier];
    if (!stub) throw new Error(`no stub for k6 module "${specifier}"`);
    return { url: new URL(stub, import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
