import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MockConfigError, startMocks } from '../../mocks/index.ts';
import { agencyToken, http, login, start } from './helpers.ts';

describe('startMocks', () => {
  it('reads a config file and verifies tokens of an identity started elsewhere (config.identityUrl)', async () => {
    const identity = await start({ services: ['identity'], config: { identity: { password: 'mật-khẩu', accessTokenTtlSeconds: 120 } } });
    const file = join(tmpdir(), `loadlab-start-${process.pid}.json`);
    await writeFile(
      file,
      JSON.stringify({
        identityUrl: identity.urls.identity,
        resources: { ndxp: { land: { slots: 3 } } },
        faults: { portal: { latencyMs: 1 } },
      }),
    );
    const others = await startMocks({ port: 0, services: ['portal', 'ndxp'], config: file });
    try {
      expect(Object.keys(others.urls).sort()).toEqual(['ndxp', 'portal']);
      const state = await http('GET', `${others.urls.ndxp}/admin/state`);
      expect(state.json.resources.land.slots).toBe(3);
      expect(state.json.resources.population.slots).toBe(32);
      expect((await http('GET', `${others.urls.portal}/admin/state`)).json.faults).toEqual({ latencyMs: 1 });

      await expect(login(identity.urls.identity!, '001203012345')).rejects.toThrow(/401/);
      const tokens = await login(identity.urls.identity!, '001203012345', 'mật-khẩu');
      expect(tokens.access_token).toBeTruthy();
      const procedures = await http('GET', `${others.urls.portal}/api/procedures?level=3&pageSize=1`);
      const dossier = await http('POST', `${others.urls.portal}/api/dossiers`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
        json: {
          procedureCode: procedures.json.items[0].code,
          applicant: { fullName: 'Lê Thị Hoa', cccd: '001203012345', birthDate: '2003-01-01', phone: '0912345678', address: 'Hà Nội' },
          form: {},
          attachmentIds: [],
        },
      });
      expect(dossier.status).toBe(201);
      const lookup = await http('GET', `${others.urls.ndxp}/ndxp/v1/population/citizens/001203012345`, {
        headers: { authorization: `Bearer ${await agencyToken(identity.urls.identity!, 'H29')}`, 'x-consumer-code': 'H29' },
      });
      expect(lookup.status).toBe(200);
    } finally {
      await others.close();
      await identity.close();
    }
    // With identity gone, a new (uncached) token cannot be checked: 503, not 401 and not 500.
    const orphan = await startMocks({ port: 0, services: ['ndxp'], config: { identityUrl: identity.urls.identity } });
    try {
      const answer = await http('GET', `${orphan.urls.ndxp}/ndxp/v1/population/citizens/001203012345`, {
        headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IngiLCJ0eXAiOiJhdCtqd3QifQ.e30.c2ln', 'x-consumer-code': 'H29' },
      });
      expect(answer.status).toBe(503);
      expect(answer.json.error).toBe('identity_unavailable');
    } finally {
      await orphan.close();
    }
  });

  it('rejects bad configs with every problem named, and a taken port with a hint', async () => {
    const error = await startMocks({
      port: 0,
      config: {
        profile: 'fast' as never,
        resources: { portal: { dossier_db: { slots: 0 } } },
        ndxp: { quota: { ratePerSecond: -1, burst: 1 } },
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MockConfigError);
    const problems = (error as MockConfigError).problems.join('\n');
    expect(problems).toMatch(/profile: must be equal to one of the allowed values/);
    expect(problems).toMatch(/resources\.portal\.dossier_db\.slots: must be >= 1/);
    expect(problems).toMatch(/ndxp\.quota\.ratePerSecond: must be > 0/);
    await expect(startMocks({ port: 0, config: { resources: { portal: { warp_drive: { slots: 1 } } } } })).rejects.toThrow(
      /unknown resource/,
    );
    await expect(startMocks({ port: 0, config: '/nonexistent/loadlab.json' })).rejects.toThrow(/cannot read/);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startMocks({ port, services: ['identity'] })).rejects.toThrow(/port in use; try --port 0/);
    } finally {
      blocker.close();
    }
  });
});
