// A VU's connections as k6 makes them (one Go http.Transport per VU): how many TCP connections the
// target accepts for the same script, and how the requests spread over them ("connection request #n"
// counts, see routes/connections.ts), on k6 and on the engine.
import { expect } from 'vitest';
import { conformance, describeConformance, type RunRecord } from '../harness/index.ts';

const sameConnections = ({ k6, engine }: { k6: RunRecord; engine: RunRecord }) => expect(engine.connections).toBe(k6.connections);

describeConformance('connections: per-VU reuse', () => {
  conformance('one VU: one connection for all its sequential requests and iterations', {
    script: `import http from 'k6/http';
export const options = { vus: 1, iterations: 5 };
export default async function () {
  for (let i = 0; i < 3; i++) await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
}`,
    workers: [1, 2],
    check: (runs) => {
      expect(runs.k6.connections).toBe(1);
      expect(runs.k6.requests['connection request #15']).toBe(1);
      sameConnections(runs);
    },
  });

  conformance('several VUs: one connection each, kept across iterations', {
    script: `import http from 'k6/http';
export const options = { scenarios: { each: { executor: 'per-vu-iterations', vus: 4, iterations: 3 } } };
export default async function () {
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep?delay=10');
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
}`,
    workers: [1, 2],
    check: (runs) => {
      expect(runs.k6.connections).toBe(4);
      expect(runs.k6.requests['connection request #6']).toBe(4);
      sameConnections(runs);
    },
  });

  conformance('concurrent requests of one VU: a connection each, batchPerHost (6) of them kept idle', {
    script: `import http from 'k6/http';
export const options = { vus: 1, iterations: 3 };
export default async function () {
  await Promise.all(Array.from({ length: 8 }, () => http.asyncRequest('GET', __ENV.TARGET + '/conn/keep?delay=30')));
}`,
    // Which 6 of the 8 connections stay is the order the answers arrive in, a race on both engines.
    skip: ['requests'],
    check: (runs) => {
      // 8 at first; then 6 idle ones reused and 2 new per iteration.
      expect(runs.k6.connections).toBe(12);
      sameConnections(runs);
    },
  });

  conformance('noConnectionReuse: a new connection for every request', {
    script: `import http from 'k6/http';
export const options = { vus: 2, iterations: 6, noConnectionReuse: true };
export default async function () {
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
}`,
    workers: [1, 2],
    check: (runs) => {
      expect(runs.k6.connections).toBe(12);
      expect(runs.k6.requests['connection request #2']).toBeUndefined();
      sameConnections(runs);
    },
  });

  conformance('noVUConnectionReuse: connections reused within an iteration, dropped between iterations', {
    script: `import http from 'k6/http';
export const options = { vus: 2, iterations: 6, noVUConnectionReuse: true };
export default async function () {
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
}`,
    workers: [1, 2],
    check: (runs) => {
      expect(runs.k6.connections).toBe(6);
      expect(runs.k6.requests['connection request #2']).toBe(6);
      expect(runs.k6.requests['connection request #3']).toBeUndefined();
      sameConnections(runs);
    },
  });

  conformance('a server that closes the connection (Connection: close): the next request opens a new one', {
    script: `import http from 'k6/http';
export const options = { vus: 1, iterations: 3 };
export default async function () {
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/close');
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
}`,
    check: (runs) => {
      expect(runs.k6.connections).toBe(4);
      sameConnections(runs);
    },
  });

  conformance('a server that closes idle keep-alive connections: a new connection after each pause', {
    script: `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 1, iterations: 3 };
export default async function () {
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/idle-close?idle=100');
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/idle-close?idle=100');
  await sleep(0.4);
}`,
    check: (runs) => {
      expect(runs.k6.connections).toBe(3);
      expect(runs.k6.requests['connection request #2']).toBe(3);
      sameConnections(runs);
    },
  });
});

describeConformance('connections: http.batch limits', () => {
  // Which connection serves which request of a batch is a race in Go as here: the number of
  // connections is compared, the spread of requests over them is not.
  conformance('batchPerHost 3: a batch of 10 runs on 3 connections, reused by the next iterations', {
    script: `import http from 'k6/http';
export const options = { vus: 1, iterations: 3, batchPerHost: 3 };
export default async function () {
  await http.batch(Array.from({ length: 10 }, () => __ENV.TARGET + '/conn/keep?delay=30'));
}`,
    skip: ['requests'],
    check: (runs) => {
      expect(runs.k6.connections).toBe(3);
      expect(runs.engine.requests['/conn/keep']).toBe(30);
      sameConnections(runs);
    },
  });

  conformance('default batch limits (20 overall, 6 per host): a batch of 10 to one host uses 6 connections', {
    script: `import http from 'k6/http';
export const options = { vus: 1, iterations: 3 };
export default async function () {
  await http.batch(Array.from({ length: 10 }, () => ['GET', __ENV.TARGET + '/conn/keep?delay=30']));
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
}`,
    skip: ['requests'],
    check: (runs) => {
      expect(runs.k6.connections).toBe(6);
      sameConnections(runs);
    },
  });

  conformance('batch 4 with batchPerHost 0: 4 in flight, 2 kept idle (the default per host of Go)', {
    script: `import http from 'k6/http';
export const options = { vus: 1, iterations: 3, batch: 4, batchPerHost: 0 };
export default async function () {
  await http.batch(Array.from({ length: 10 }, () => ({ method: 'GET', url: __ENV.TARGET + '/conn/keep?delay=30' })));
}`,
    skip: ['requests'],
    check: (runs) => {
      expect(runs.k6.connections).toBe(8);
      sameConnections(runs);
    },
  });
});
