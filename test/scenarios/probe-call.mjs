// Imports one ES module (k6 modules stubbed by k6-stubs/) and calls its exports, printing the results
// as JSON. Usage: node --import ./k6-stubs/register.mjs probe-call.mjs <module> '<json: [[export, ...args]]>'
import { pathToFileURL } from 'node:url';

const [modulePath, callsJson] = process.argv.slice(2);
const module = await import(pathToFileURL(modulePath).href);
const results = [];
for (const [name, ...args] of JSON.parse(callsJson)) {
  results.push(await module[name](...args));
}
process.stdout.write(JSON.stringify(results));
