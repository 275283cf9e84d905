// Evaluates k6 bundles' init context under Node (k6 modules stubbed by k6-stubs/) once per profile
// and prints, as JSON, each bundle's exports, options and custom metrics.
// Usage: node --import ./k6-stubs/register.mjs probe-init.mjs '<json: { bundles: [path], profiles: [name], env: {} }>'
import { pathToFileURL } from 'node:url';

const { bundles, profiles, env = {} } = JSON.parse(process.argv[2]);
const out = {};
for (const bundle of bundles) {
  out[bundle] = {};
  for (const profile of profiles) {
    globalThis.__ENV = { ...env, PROFILE: profile };
    globalThis.__k6Metrics = [];
    try {
      // A distinct query string gives a fresh module instance, as each k6 VU evaluates the script anew.
      const module = await import(`${pathToFileURL(bundle).href}?profile=${profile}`);
      out[bundle][profile] = {
        exports: Object.fromEntries(Object.entries(module).map(([name, value]) => [name, typeof value])),
        options: module.options,
        metrics: globalThis.__k6Metrics,
      };
    } catch (error) {
      out[bundle][profile] = { error: String(error?.stack ?? error) };
    }
  }
}
process.stdout.write(JSON.stringify(out));
