import type { FastifyReply } from 'fastify';
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char]);

export interface LoginPageOptions {
  requestId?: string;
  csrfToken?: string;
  error?: { code: string; message: string };
  /** A notice that is no error (logged out). */
  notice?: string;
  clientName?: string;
}

function page(body: string): string {
  return `<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Đăng nhập – Định danh điện tử (mô phỏng VNeID)</title></head>
<body>
<main>
<h1>Đăng nhập bằng tài khoản định danh điện tử</h1>
${body}
</main>
</body>
</html>
`;
}

/** The login form; on errors the same form again (when the login request is still valid) with data-error. */
export function renderLoginPage(options: LoginPageOptions): string {
  const notice = options.notice ? `<p class="notice" role="status">${escapeHtml(options.notice)}</p>\n` : '';
  const error = options.error
    ? `<p class="error" role="alert" data-error="${escapeHtml(options.error.code)}">${escapeHtml(options.error.message)}</p>\n`
    : notice;
  if (!options.requestId || !options.csrfToken) return page(error);
  const client = options.clientName ? `<p>Ứng dụng <strong>${escapeHtml(options.clientName)}</strong> yêu cầu đăng nhập.</p>\n` : '';
  return page(`${client}${error}<form method="post" action="/authorize">
<input type="hidden" name="request_id" value="${escapeHtml(options.requestId)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(options.csrfToken)}">
<label>Số định danh cá nhân (CCCD) <input type="text" name="username" inputmode="numeric" autocomplete="username" maxlength="12" required></label>
<label>Mật khẩu <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Đăng nhập</button>
</form>`);
}

/** Sends an HTML page that no cache may keep (it carries a one-time request id and CSRF token). */
export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}
