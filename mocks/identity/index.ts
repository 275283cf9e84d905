import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../shared/context.ts';
import { authorizeRoutes } from './authorize-routes.ts';
import { discoveryRoutes } from './discovery-routes.ts';
import { Grants } from './grants.ts';
import { Lockout } from './lockout.ts';
import { sessionRoutes } from './session-routes.ts';
import type { SigningKey } from './signing-key.ts';
import { tokenRoute } from './token-route.ts';

/** What every identity route module shares: the service, its key, the grants it remembers, its counters. */
export interface IdentityRouteOptions {
  context: ServiceContext;
  key: SigningKey;
  grants: Grants;
  lockout: Lockout;
  countLogin: (labels: { result: string }) => void;
  countToken: (labels: { grant_type: string }) => void;
}

/** VNeID-like OpenID Connect provider: authorization code + PKCE, refresh, client credentials, userinfo, logout. */
export async function identityPlugin(app: FastifyInstance, options: { context: ServiceContext; key: SigningKey }): Promise<void> {
  const { context, key } = options;
  const settings = context.config.identity;
  const lockout = new Lockout(context, settings.maxFailedLogins, settings.lockoutSeconds * 1000);
  context.resetHooks.push(() => lockout.clear());
  const shared: IdentityRouteOptions = {
    context,
    key,
    grants: new Grants(context, settings),
    lockout,
    countLogin: context.metrics.counter('loadlab_logins_total', 'Login attempts at the identity service by result', ['result']),
    countToken: context.metrics.counter('loadlab_tokens_issued_total', 'Tokens issued by grant type', ['grant_type']),
  };

  await app.register(formbody, { bodyLimit: 16 * 1024 });
  await app.register(discoveryRoutes, shared);
  await app.register(authorizeRoutes, shared);
  await app.register(tokenRoute, shared);
  await app.register(sessionRoutes, shared);
}
