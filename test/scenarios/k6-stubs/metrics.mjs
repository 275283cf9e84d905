// Records every custom metric the script defines, so tests can check thresholds name real metrics.
globalThis.__k6Metrics ??= [];

function define(type) {
  return class {
    constructor(name, isTime = false) {
      if (!/^[\p{L}\p{N}._ !?/&#()<>%-]{1,128}$/u.test(name)) throw new Error(`invalid metric name "${name}"`);
      globalThis.__k6Metrics.push({ name, type, isTime });
      this.name = name;
    }
    add() {
      throw new Error(`${this.name}.add() called in the init context`);
    }
  };
}

export const Counter = define('counter');
export const Gauge = define('gauge');
export const Rate = define('rate');
export const Trend = define('trend');
export default { Counter, Gauge, Rate, Trend };
