import { resolveConfig } from './mocks/config.ts';
import { identityPlugin } from './mocks/identity/index.ts';
import { SigningKey } from './mocks/identity/signing-key.ts';
import { ServiceContext } from './mocks/shared/context.ts';
import { createServiceApp } from './mocks/shared/service.ts';
const context = new ServiceContext('identity', resolveConfig({}, 'zero-latency'));
const app = createServiceApp(context, { errorDescriptionKey: 'error_description' });
const key = await SigningKey.generate();
await app.register(identityPlugin, { context, key });
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as { port: number }).port;
context.baseUrl = `http://127.0.0.1:${port}`; context.identityUrl = context.baseUrl; context.port = port;
const citizen = await key.sign({ iss: context.baseUrl, sub: '001203012345', aud: 'dvc-portal', client_id: 'dvc-portal', scope: 'openid profile', jti: 'x' }, 'at+jwt', 900);
const t = (await app.inject({ method: 'POST', url: '/token', payload: 'grant_type=client_credentials&client_id=agency-H29&client_secret=secret-H29&scope=ndxp', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).json().access_token;
// userinfo needs openid scope; use a citizen-like token? use /jwks and token route as proxies
const run = async (label: string, opts: object, n: number) => {
  for (let i = 0; i < 2000; i++) await app.inject(opts);
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await app.inject(opts);
  const c = process.cpuUsage(c0);
  console.log(label, ((c.user + c.system) / n).toFixed(1), 'µs/req');
};
await run('jwks', { method: 'GET', url: '/jwks' }, 20000);
await run('metricsless 404', { method: 'GET', url: '/nope' }, 20000);
await run('userinfo', { method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${citizen}` } }, 20000);
void t;
await app.close();
