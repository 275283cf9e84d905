import { describe, expect, it } from 'vitest';
import { BoundedStore } from '../../mocks/shared/bounded-store.ts';
import { agencyToken, hiddenInput, http, metric, pkce, REDIRECT_URI, scrape, start } from './helpers.ts';

describe('BoundedStore', () => {
  it('evicts the oldest entry beyond its entry or byte bound, and expired entries first', () => {
    let now = 0;
    const evicted: string[] = [];
    const store = new BoundedStore<string, string>(
      'test',
      { maxEntries: 3, maxBytes: 1000 },
      {
        sizeOf: (_key, value) => value.length,
        ttlMs: 100,
        now: () => now,
        onEvict: (key, _value, reason) => evicted.push(`${key}:${reason}`),
      },
    );
    for (const key of ['a', 'b', 'c', 'd']) store.set(key, 'x');
    expect([...store.values()]).toHaveLength(3);
    expect(store.get('a')).toBeUndefined();
    expect(evicted).toEqual(['a:capacity']);
    store.set('big', 'y'.repeat(700));
    expect(store.bytes).toBeLessThanOrEqual(1000);
    // 700 bytes plus the per-entry overhead fit next to two small entries, not three.
    expect(evicted).toEqual(['a:capacity', 'b:capacity']);
    now = 150;
    expect(store.get('d')).toBeUndefined();
    store.set('e', 'z');
    expect(evicted).toEqual(['a:capacity', 'b:capacity', 'd:expired', 'c:expired', 'big:expired']);
    expect(store.delete('e')).toBe(true);
    expect(store.evictions).toEqual(
      new Map([
        ['capacity', 2],
        ['expired', 3],
      ]),
    );
    expect([store.size, store.bytes]).toEqual([0, 0]);
    store.set('huge', 'h'.repeat(2000));
    expect([store.size, store.evictions.get('capacity')]).toEqual([0, 3]);
  });
});

describe('bounded mock state, measured in /metrics', () => {
  const openForm = async (identity: string) => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'dvc-portal',
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: 'x'.repeat(1000),
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    const form = await http('GET', `${identity}/authorize?${query}`);
    return {
      request_id: hiddenInput(form.text, 'request_id'),
      csrf_token: hiddenInput(form.text, 'csrf_token'),
      username: '001203000301',
      password: 'loadtest',
    };
  };
  const pending = { store: 'pending_authorizations' };

  it('forgets the oldest pending logins beyond the bound and counts the evictions', async () => {
    const mocks = await start({
      services: ['identity'],
      profile: 'zero-latency',
      config: { stores: { pending_authorizations: { maxEntries: 50 } } },
    });
    const identity = mocks.urls.identity!;
    try {
      const forms = [];
      for (let i = 0; i < 80; i++) forms.push(await openForm(identity));
      const series = await scrape(identity);
      expect(metric(series, 'loadlab_store_entries', pending)).toBe(50);
      expect(metric(series, 'loadlab_store_max_entries', pending)).toBe(50);
      expect(metric(series, 'loadlab_store_evictions_total', { ...pending, reason: 'capacity' })).toBe(30);
      expect(metric(series, 'loadlab_store_bytes', pending)).toBeGreaterThan(50 * 2000);
      expect(metric(series, 'loadlab_store_bytes', pending)).toBeLessThanOrEqual(metric(series, 'loadlab_store_max_bytes', pending));
      expect((await http('POST', `${identity}/authorize`, { form: forms[0] })).status).toBe(400);
      expect((await http('POST', `${identity}/authorize`, { form: forms[79] })).status).toBe(302);
      const state = await http('GET', `${identity}/admin/state`);
      expect(state.json.stores.pending_authorizations).toMatchObject({ entries: 49, maxEntries: 50 });
      expect(Object.keys(state.json.stores).sort()).toEqual([
        'authorization_codes',
        'lockouts',
        'pending_authorizations',
        'refresh_tokens',
        'revoked_grants',
        'verified_tokens',
      ]);
    } finally {
      await mocks.close();
    }
  });

  it('expires pending logins after their lifetime', async () => {
    const mocks = await start({ services: ['identity'], profile: 'zero-latency', config: { identity: { loginRequestTtlSeconds: 0.3 } } });
    const identity = mocks.urls.identity!;
    try {
      const forms = [await openForm(identity), await openForm(identity), await openForm(identity)];
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await http('POST', `${identity}/authorize`, { form: forms[2] })).status).toBe(400);
      await openForm(identity);
      const series = await scrape(identity);
      expect(metric(series, 'loadlab_store_entries', pending)).toBe(1);
      expect(metric(series, 'loadlab_store_evictions_total', { ...pending, reason: 'expired' })).toBe(3);
    } finally {
      await mocks.close();
    }
  });

  it('evicts NDXP inbox entries together with their documents', async () => {
    const mocks = await start({
      services: ['identity', 'ndxp'],
      profile: 'zero-latency',
      config: { stores: { documents: { maxEntries: 3 } } },
    });
    try {
      const ndxp = mocks.urls.ndxp!;
      const [sender, receiver] = [await agencyToken(mocks.urls.identity!, 'H29'), await agencyToken(mocks.urls.identity!, 'T48')];
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const sent = await http('POST', `${ndxp}/ndxp/v1/documents`, {
          headers: { authorization: `Bearer ${sender}`, 'x-consumer-code': 'H29' },
          json: { to: 'T48', subject: `Công văn ${i}`, documentNumber: `${i}/UBND`, content: Buffer.from(`${i}`).toString('base64') },
        });
        ids.push(sent.json.id);
      }
      const inbox = await http('GET', `${ndxp}/ndxp/v1/documents/inbox?limit=100`, {
        headers: { authorization: `Bearer ${receiver}`, 'x-consumer-code': 'T48' },
      });
      expect(inbox.json.items.map((item: { id: string }) => item.id)).toEqual(ids.slice(2));
      const series = await scrape(ndxp);
      expect(metric(series, 'loadlab_store_entries', { store: 'documents' })).toBe(3);
      expect(metric(series, 'loadlab_store_entries', { store: 'inboxes' })).toBe(3);
      expect(metric(series, 'loadlab_store_evictions_total', { store: 'inboxes', reason: 'with_document' })).toBe(2);
      expect(metric(series, 'loadlab_store_evictions_total', { store: 'documents', reason: 'capacity' })).toBe(2);
      await http('POST', `${ndxp}/ndxp/v1/documents/${ids[4]}/ack`, {
        headers: { authorization: `Bearer ${receiver}`, 'x-consumer-code': 'T48' },
      });
      expect(metric(await scrape(ndxp), 'loadlab_store_entries', { store: 'inboxes' })).toBe(2);
    } finally {
      await mocks.close();
    }
  });

  it('rejects store bounds and timeouts that make no sense, naming the path', async () => {
    await expect(start({ config: { stores: { dossiers: { maxEntries: 0 } } } })).rejects.toThrow(
      /stores\.dossiers\.maxEntries: must be >= 1/,
    );
    await expect(start({ config: { stores: { warp: { maxEntries: 1 } } as never } })).rejects.toThrow(/additional properties 'warp'/);
    await expect(start({ config: { server: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } } })).rejects.toThrow(
      /headersTimeoutMs .* must not exceed/,
    );
  });
});
