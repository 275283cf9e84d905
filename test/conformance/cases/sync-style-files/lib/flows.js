// Helpers in k6's synchronous style, in a local module: functions, an arrow function, a class.
import http from 'k6/http';
import { check, sleep } from 'k6';

export function login(base) {
  const res = http.post(`${base}/echo?step=login`, { user: 'an', password: 'loadtest' });
  check(res, { 'login echoed': (r) => r.json().method === 'POST' });
  return res;
}

export const browse = (base, pages) => {
  for (let page = 1; page <= pages; page++) {
    http.get(`${base}/echo?page=${page}`);
  }
  sleep(0.01);
};

export class Client {
  #base;
  constructor(base) {
    this.#base = base;
  }
  page(path) {
    return this.#fetch(path).status;
  }
  #fetch(path) {
    return http.get(this.#base + path);
  }
}
