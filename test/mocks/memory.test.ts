import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMocks } from '../../mocks/index.ts';
import { http, metric, pkce, scrape, start } from './helpers.ts';

/**
 * Abandoned logins with large parameters (each pending authorization keeps ~4 KB of state, nonce and redirect URI)
 * must not grow the heap beyond the store's bound. The full million-request mix is bench/mocks-memory.ts.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const BOUND_BYTES = 4 * 1024 * 1024;
const ABANDONED = 10_000;
let mocks: RunningMocks;

beforeAll(async () => {
  mocks = await start({
    services: ['identity'],
    profile: 'zero-latency',
    config: { stores: { pending_authorizations: { maxBytes: BOUND_BYTES } } },
  });
});
afterAll(() => mocks.close());

describe('memory under abandoned logins', () => {
  it(`holds ${ABANDONED.toLocaleString('en')} abandoned GET /authorize with large parameters within the store bound`, async () => {
    const identity = mocks.urls.identity!;
    const challenge = pkce().challenge;
    const abandon = () => {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: 'dvc-portal',
        redirect_uri: `http://127.0.0.1:8080/callback/${randomBytes(700).toString('hex')}`,
        scope: 'openid',
        state: randomBytes(500).toString('hex'),
        nonce: randomBytes(500).toString('hex'),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      return http('GET', `${identity}/authorize?${query}`);
    };
    for (let i = 0; i < 200; i++) expect((await abandon()).status).toBe(200);
    const before = heapAfterGc();
    let sent = 200;
    const worker = async () => {
      while (sent < ABANDONED) {
        sent++;
        const answer = await abandon();
        if (answer.status !== 200) throw new Error(`GET /authorize: ${answer.status}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const grown = heapAfterGc() - before;

    const series = await scrape(identity);
    const store = { store: 'pending_authorizations' };
    const kept = metric(series, 'loadlab_store_entries', store);
    expect(metric(series, 'loadlab_store_bytes', store)).toBeLessThanOrEqual(BOUND_BYTES);
    expect(metric(series, 'loadlab_store_evictions_total', { ...store, reason: 'capacity' })).toBe(ABANDONED - kept);
    // Unbounded, 10,000 × ~4 KB of parameters would be over 40 MB of strings (plus the entries); the store keeps ≤ 4 MiB.
    expect(kept).toBeLessThan(ABANDONED / 4);
    expect(grown).toBeLessThan(BOUND_BYTES + 16 * 1024 * 1024);
  });
});
