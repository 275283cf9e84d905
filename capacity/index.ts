// The capacity search and what runs beside it (docs/CONTRACTS.md): cli/ goes through here.
export { runCapacitySearch } from './search.ts';
export { type LocalMocks, startLocalMocks } from './mock-targets.ts';
export { parseSloFlag } from './slo.ts';
export { LiveProgress } from './live-progress.ts';
export { ServiceSampler } from './services/sampler.ts';
