// The results folder's format (docs/CONTRACTS.md section 2): written by the engine and the capacity
// search, read by the reports. Both sides depend on this module, never on each other.
export * from './capacity.ts';
export * from './run.ts';
export { isSaturated, SATURATED_UTILISATION, saturationInWindow, utilisationSeries } from './services.ts';
