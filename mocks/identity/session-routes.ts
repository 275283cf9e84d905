import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import { BearerAuth } from '../shared/bearer-auth.ts';
import { citizenFromCccd } from '../shared/citizens.ts';
import { HttpError } from '../shared/http-error.ts';
import { isLoopbackRedirect } from './clients.ts';
import type { IdentityRouteOptions } from './index.ts';
import { renderLoginPage, sendPage } from './login-page.ts';

const str = (maxLength = 2048) => ({ type: 'string', maxLength }) as const;
const userinfoResponseSchema = {
  type: 'object',
  properties: {
    sub: { type: 'string' },
    name: { type: 'string' },
    given_name: { type: 'string' },
    family_name: { type: 'string' },
    birthdate: { type: 'string' },
    gender: { type: 'string' },
    cccd: { type: 'string' },
    province_code: { type: 'string' },
    province_name: { type: 'string' },
    address: { type: 'string' },
    phone_number: { type: 'string' },
    assurance_level: { type: 'integer' },
  },
} as const;

/** What a signed-in citizen's session uses: userinfo (refused once the grant is revoked) and logout. */
export async function sessionRoutes(app: FastifyInstance, { context, key, grants }: IdentityRouteOptions): Promise<void> {
  const issuer = () => context.baseUrl;
  const auth = new BearerAuth(context, { identityUrl: issuer, scope: 'openid' });
  // The tokens of a revoked grant (a code or refresh token used twice) are no longer honoured here.
  const notRevoked = async (request: FastifyRequest) => {
    if (grants.isRevoked(request.claims?.sid as string | undefined)) {
      throw new HttpError(401, 'invalid_token', 'access token revoked: its authorization code or refresh token was used twice', {
        'www-authenticate': 'Bearer error="invalid_token", error_description="token revoked"',
      });
    }
  };

  const userinfo = async (request: FastifyRequest) => {
    const claims = request.claims!;
    const citizen = citizenFromCccd(claims.sub);
    return {
      sub: claims.sub,
      name: citizen.fullName,
      given_name: citizen.givenName,
      family_name: citizen.familyName,
      birthdate: citizen.birthDate,
      gender: citizen.gender,
      cccd: citizen.cccd,
      province_code: citizen.provinceCode,
      province_name: citizen.provinceName,
      address: citizen.address,
      phone_number: citizen.phone,
      assurance_level: citizen.assuranceLevel,
    };
  };
  const userinfoOptions = { schema: { response: { 200: userinfoResponseSchema } }, preHandler: [auth.preHandler, notRevoked] };
  app.get('/userinfo', userinfoOptions, userinfo);
  app.post('/userinfo', userinfoOptions, userinfo);

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/logout',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { id_token_hint: str(8192), post_logout_redirect_uri: str(), state: str(1024), client_id: str(128) },
        },
      },
    },
    async (request, reply) => {
      const { id_token_hint: hint, post_logout_redirect_uri: redirect, state } = request.query;
      if (hint) {
        try {
          await jwtVerify(hint, key.publicKey, { issuer: issuer(), algorithms: ['RS256'], currentDate: new Date(0) });
        } catch (error) {
          return sendPage(
            reply,
            400,
            renderLoginPage({ error: { code: 'invalid_request', message: `id_token_hint rejected: ${(error as Error).message}` } }),
          );
        }
      }
      if (redirect) {
        if (!isLoopbackRedirect(redirect))
          return sendPage(
            reply,
            400,
            renderLoginPage({ error: { code: 'invalid_request', message: 'post_logout_redirect_uri must be a loopback URL' } }),
          );
        const location = new URL(redirect);
        if (state !== undefined) location.searchParams.set('state', state);
        return reply.redirect(location.href, 302);
      }
      return sendPage(reply, 200, renderLoginPage({ notice: 'Bạn đã đăng xuất (logged out).' }));
    },
  );
}
