import { request } from 'undici';
import { startMocks } from '../mocks/index.ts';
const mode = process.argv[2];
if (mode === 'nored') process.env.TMP_NO_RED = '1';
const mocks = await startMocks({ port: 0, services: ['identity'], profile: 'zero-latency', config: { metrics: mode !== 'off' } });
const tok = await (await request(`${mocks.urls.identity}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=agency-H29&client_secret=secret-H29' })).body.json() as any;
process.env.TOKEN = tok.access_token;
console.log(`${mocks.urls.identity}|${tok.access_token}`);
