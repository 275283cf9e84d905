// k6's synchronous style everywhere the transform must reach: setup/teardown, exported scenario
// functions, group() and check() callbacks, loops and array callbacks, local modules, a vendored
// library, and the three ways of importing k6/http. Request order is recorded in check names.
import http from 'k6/http';
import { get as fetchPage } from 'k6/http';
import * as h from 'k6/http';
import { check, group, sleep } from 'k6';
import api from './lib/api.js';
import { Client, browse, login } from './lib/flows.js';
import { Httpx } from './vendor/httpx.js';

const T = __ENV.TARGET;
const order = [];
const hit = (res) => {
  order.push(res.url.slice(T.length));
  return res;
};

export const options = {
  scenarios: {
    main: { executor: 'per-vu-iterations', vus: 2, iterations: 2 },
    side: { executor: 'shared-iterations', exec: 'side', vus: 1, iterations: 3 },
  },
};

export function setup() {
  const res = http.get(`${T}/json`);
  return { name: res.json().user.name, pages: 2 };
}

export default function (data) {
  group('login', () => {
    login(T);
  });
  // biome-ignore lint/complexity/useArrowFunction: a function expression on purpose, next to the arrows
  group('browse', function () {
    browse(T, data.pages);
    group('nested', () => hit(http.get(`${T}/echo?nested=1`)));
  });
  const client = new Client(T);
  const status = client.page('/status/200');
  const ids = [1, 2, 3];
  ids.forEach((id) => {
    hit(fetchPage(`${T}/echo?each=${id}`));
  });
  const codes = ids.map((id) => h.get(`${T}/status/20${id}`).status);
  const kept = ids.filter((id) => http.get(`${T}/status/${id === 2 ? 201 : 200}`).status === 200);
  const total = ids.reduce((sum, id) => sum + http.get(`${T}/bytes/${id}`).body.length, 0);
  const found = ids.find((id) => hit(http.get(`${T}/echo?find=${id}`)).status === 200 && id > 1);
  let i = 0;
  while (i < 2) {
    hit(http.get(`${T}/echo?while=${i}`));
    i++;
  }
  for (const id of ids) if (id === 3) hit(h.request('GET', `${T}/echo?forof=${id}`));
  for (let j = 0; j < 2; j++) hit(http.post(`${T}/echo?for=${j}`, { j: String(j) }));
  const pair = http.batch([`${T}/status/200`, `${T}/status/201`]);
  check(null, { 'a request inside check': () => http.get(`${T}/status/200`).status === 200 });
  api.pause();
  const pinged = api.ping(T);
  const x = new Httpx({ baseURL: T });
  hit(x.get('/echo?httpx=get'));
  hit(x.post('/echo?httpx=post', 'body'));
  check(null, {
    [`status ${status} codes ${codes.join(',')} kept ${kept.join(',')} total ${total} found ${found} ping ${pinged}`]: () => true,
    [`batch ${pair.map((r) => r.status).join(',')}`]: () => true,
    [`order ${order.join(' ')}`]: () => true,
    [`setup data ${data.name}`]: () => true,
  });
  order.length = 0;
  sleep(0.05);
}

export function side() {
  const res = http.get(`${T}/delay/10`);
  check(res, { 'side ok': (r) => r.status === 200 });
  sleep(0.02);
}

export function teardown(data) {
  http.get(`${T}/echo?teardown=${data.pages}`);
}

export function handleSummary(data) {
  return { [__ENV.CONFORMANCE_SUMMARY]: JSON.stringify(data) };
}
