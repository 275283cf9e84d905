import type { FastifyInstance } from 'fastify';
import { ResourceRejected } from '../capacity/resource.ts';
import { sameSecret } from '../shared/same-secret.ts';
import { findClient, isLoopbackRedirect, PORTAL_CLIENT_ID } from './clients.ts';
import type { IdentityRouteOptions } from './index.ts';
import { renderLoginPage, sendPage } from './login-page.ts';
import { randomToken } from './grants.ts';

const str = (maxLength = 2048) => ({ type: 'string', maxLength }) as const;
const authorizeQuerySchema = {
  type: 'object',
  properties: {
    response_type: str(64),
    client_id: str(128),
    redirect_uri: str(),
    scope: str(512),
    state: str(1024),
    nonce: str(1024),
    code_challenge: str(256),
    code_challenge_method: str(16),
  },
} as const;
const loginFormSchema = {
  type: 'object',
  properties: { request_id: str(128), csrf_token: str(128), username: str(64), password: str(256) },
} as const;

const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
type Form = Record<string, string | undefined>;

/** The browser side of the authorization code flow: the login form and the credential check behind it. */
export async function authorizeRoutes(app: FastifyInstance, { context, grants, countLogin, lockout }: IdentityRouteOptions): Promise<void> {
  const settings = context.config.identity;

  app.get<{ Querystring: Form }>('/authorize', { schema: { querystring: authorizeQuerySchema } }, async (request, reply) => {
    const query = request.query;
    const client = query.client_id ? findClient(query.client_id) : undefined;
    if (!client)
      return sendPage(
        reply,
        400,
        renderLoginPage({ error: { code: 'invalid_request', message: 'Ứng dụng không hợp lệ (unknown client_id).' } }),
      );
    if (client.id !== PORTAL_CLIENT_ID)
      return sendPage(
        reply,
        400,
        renderLoginPage({ error: { code: 'unauthorized_client', message: `${client.id} may only use client_credentials.` } }),
      );
    if (!query.redirect_uri || !isLoopbackRedirect(query.redirect_uri)) {
      return sendPage(
        reply,
        400,
        renderLoginPage({ error: { code: 'invalid_request', message: 'redirect_uri must be an http(s) loopback URL without fragment.' } }),
      );
    }
    const redirectError = (error: string, description: string) => {
      const location = new URL(query.redirect_uri!);
      location.searchParams.set('error', error);
      location.searchParams.set('error_description', description);
      if (query.state !== undefined) location.searchParams.set('state', query.state);
      return reply.redirect(location.href, 302);
    };
    if (query.response_type !== 'code') return redirectError('unsupported_response_type', 'only response_type=code is supported');
    const scopes = (query.scope ?? '').split(' ').filter(Boolean);
    if (!scopes.includes('openid')) return redirectError('invalid_scope', 'scope must include openid');
    const unknownScope = scopes.find((scope) => !client.scopes.includes(scope));
    if (unknownScope) return redirectError('invalid_scope', `scope ${unknownScope} is not allowed for ${client.id}`);
    if (query.code_challenge_method !== 'S256' || !query.code_challenge || !CHALLENGE_PATTERN.test(query.code_challenge)) {
      return redirectError('invalid_request', 'PKCE is required: code_challenge (43 base64url characters) with code_challenge_method=S256');
    }
    const requestId = randomToken(18);
    const csrfToken = randomToken(18);
    grants.loginRequests.set(requestId, {
      clientId: client.id,
      redirectUri: query.redirect_uri,
      state: query.state,
      nonce: query.nonce,
      scope: scopes.join(' '),
      codeChallenge: query.code_challenge,
      csrfToken,
    });
    return sendPage(reply, 200, renderLoginPage({ requestId, csrfToken, clientName: 'Cổng Dịch vụ công Quốc gia' }));
  });

  const lockedMessage = `Tài khoản tạm khoá ${settings.lockoutSeconds} giây do nhập sai mật khẩu ${settings.maxFailedLogins} lần (account locked).`;

  app.post<{ Body: Form }>(
    '/authorize',
    {
      schema: { body: loginFormSchema },
      config: { resource: 'credential_check' },
      bodyLimit: 16 * 1024,
      preHandler: context.admit('credential_check'),
      // A saturated credential check answers the login form again, as the real page does, keeping the request usable.
      errorHandler(error, request, reply) {
        if (!(error instanceof ResourceRejected)) throw error;
        countLogin({ result: 'rejected' });
        const { request_id: requestId, csrf_token: csrfToken } = (request.body ?? {}) as Form;
        const login = requestId ? grants.loginRequests.get(requestId) : undefined;
        const valid = login !== undefined && csrfToken !== undefined && sameSecret(csrfToken, login.csrfToken);
        reply.header('retry-after', String(error.retryAfterSeconds));
        const message = {
          code: 'temporarily_unavailable',
          message: 'Hệ thống đang quá tải, vui lòng thử lại sau (credential check saturated).',
        };
        return sendPage(reply, error.status, renderLoginPage(valid ? { requestId, csrfToken, error: message } : { error: message }));
      },
    },
    async (request, reply) => {
      const { request_id: requestId, csrf_token: csrfToken, password } = request.body ?? {};
      const username = (request.body?.username ?? '').trim();
      const login = requestId ? grants.loginRequests.get(requestId) : undefined;
      if (!login || !csrfToken || !sameSecret(csrfToken, login.csrfToken)) {
        return sendPage(
          reply,
          400,
          renderLoginPage({
            error: {
              code: 'invalid_request',
              message:
                'Phiên đăng nhập không hợp lệ hoặc đã hết hạn; hãy bắt đầu lại từ Cổng Dịch vụ công (unknown or expired request_id).',
            },
          }),
        );
      }
      const form = (code: string, message: string) => renderLoginPage({ requestId, csrfToken, error: { code, message } });
      if (!/^[0-9]{12}$/.test(username)) {
        countLogin({ result: 'invalid_credentials' });
        return sendPage(reply, 401, form('invalid_credentials', 'Số định danh cá nhân phải gồm 12 chữ số.'));
      }
      if (lockout.isLocked(username)) {
        countLogin({ result: 'locked' });
        return sendPage(reply, 423, renderLoginPage({ error: { code: 'account_locked', message: lockedMessage } }));
      }
      if (password === undefined || !sameSecret(password, settings.password)) {
        const { locked, remaining } = lockout.fail(username);
        countLogin({ result: locked ? 'locked' : 'invalid_credentials' });
        if (locked) return sendPage(reply, 423, renderLoginPage({ error: { code: 'account_locked', message: lockedMessage } }));
        return sendPage(
          reply,
          401,
          form('invalid_credentials', `Số định danh hoặc mật khẩu không đúng; còn ${remaining} lần thử (invalid credentials).`),
        );
      }
      lockout.succeed(username);
      grants.loginRequests.delete(requestId!);
      countLogin({ result: 'success' });
      const code = grants.issueCode({
        clientId: login.clientId,
        redirectUri: login.redirectUri,
        codeChallenge: login.codeChallenge,
        nonce: login.nonce,
        scope: login.scope,
        sub: username,
        authTime: Math.floor(Date.now() / 1000),
      });
      const location = new URL(login.redirectUri);
      location.searchParams.set('code', code);
      if (login.state !== undefined) location.searchParams.set('state', login.state);
      return reply.redirect(location.href, 302);
    },
  );
}
