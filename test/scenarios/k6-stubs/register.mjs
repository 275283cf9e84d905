import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
globalThis.__ENV = {};
globalThis.__VU = 0;
globalThis.__ITER = 0;
