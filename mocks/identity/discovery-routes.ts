import type { FastifyInstance } from 'fastify';
import type { IdentityRouteOptions } from './index.ts';

/** OpenID Connect discovery metadata and the signing keys. */
export async function discoveryRoutes(app: FastifyInstance, { context, key }: IdentityRouteOptions): Promise<void> {
  app.get('/.well-known/openid-configuration', async () => {
    const base = context.baseUrl;
    return {
      issuer: base,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/userinfo`,
      jwks_uri: `${base}/jwks`,
      end_session_endpoint: `${base}/logout`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'profile', 'offline_access', 'ndxp'],
      claims_supported: [
        'sub',
        'name',
        'given_name',
        'family_name',
        'birthdate',
        'gender',
        'cccd',
        'province_code',
        'province_name',
        'address',
        'phone_number',
        'assurance_level',
      ],
      ui_locales_supported: ['vi', 'en'],
    };
  });

  app.get('/jwks', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return { keys: [key.publicJwk] };
  });
}
