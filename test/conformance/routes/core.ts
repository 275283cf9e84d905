// Routes most cases need. Other areas add theirs in routes/<area>.ts.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../harness/target.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function unauthorized(res: ServerResponse, challenge: string): void {
  res.statusCode = 401;
  res.setHeader('www-authenticate', challenge);
  res.end('unauthorized');
}

function digestOk(req: IncomingMessage, user: string, password: string): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Digest ')) return false;
  const fields = Object.fromEntries([...header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]));
  if (fields.username !== user) return false;
  const ha1 = md5(`${user}:${fields.realm}:${password}`);
  const ha2 = md5(`${req.method}:${fields.uri}`);
  const expected = fields.qop
    ? md5(`${ha1}:${fields.nonce}:${fields.nc}:${fields.cnonce}:${fields.qop}:${ha2}`)
    : md5(`${ha1}:${fields.nonce}:${ha2}`);
  return expected === fields.response;
}

export const routes: Route[] = [
  { path: '/', handle: (_req, res) => res.end('hello') },
  {
    path: '/status/:code',
    handle: (_req, res, { params }) => {
      res.statusCode = Number(params.code);
      res.end(`status ${params.code}`);
    },
  },
  {
    path: '/delay/:ms',
    handle: (_req, res, { params }) =>
      new Promise((resolve) => {
        setTimeout(() => {
          res.end(`waited ${params.ms}`);
          resolve();
        }, Number(params.ms));
      }),
  },
  {
    // /redirect/3 → /redirect/2 → /redirect/1 → /  (k6's httpbin convention)
    path: '/redirect/:n',
    handle: (_req, res, { params, url }) => {
      const n = Number(params.n);
      res.statusCode = Number(url.searchParams.get('status') ?? 302);
      res.setHeader('location', n <= 1 ? '/' : `/redirect/${n - 1}${url.search}`);
      res.end();
    },
  },
  {
    path: '/redirect-to',
    handle: (_req, res, { url }) => {
      res.statusCode = Number(url.searchParams.get('status') ?? 302);
      res.setHeader('location', url.searchParams.get('url') ?? '/');
      res.end();
    },
  },
  {
    // /cookies/set?name=value&... : one Set-Cookie per query parameter; attributes via /cookies/set-raw
    path: '/cookies/set',
    handle: (_req, res, { url }) => {
      res.setHeader(
        'set-cookie',
        [...url.searchParams].map(([k, v]) => `${k}=${v}; Path=/`),
      );
      res.end('set');
    },
  },
  {
    // Set-Cookie header values given verbatim: /cookies/set-raw?c=a%3D1%3B%20Max-Age%3D0&c=...
    path: '/cookies/set-raw',
    handle: (_req, res, { url }) => {
      res.setHeader('set-cookie', url.searchParams.getAll('c'));
      res.end('set');
    },
  },
  {
    path: '/cookies',
    handle: (req, res) => {
      const cookies = Object.fromEntries(
        (req.headers.cookie ?? '')
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean)
          .map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]),
      );
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ cookies, header: req.headers.cookie ?? '' }));
    },
  },
  {
    // The request as the server saw it.
    path: '/echo',
    handle: (req, res, { body, url }) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          method: req.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body: body.toString('utf8'),
        }),
      );
    },
  },
  {
    // Sends `chunks` chunks of `size` bytes, one every `every` ms.
    path: '/trickle',
    handle: (_req, res, { url }) =>
      new Promise((resolve) => {
        const chunks = Number(url.searchParams.get('chunks') ?? 10);
        const size = Number(url.searchParams.get('size') ?? 10);
        const every = Number(url.searchParams.get('every') ?? 100);
        res.setHeader('content-type', 'text/plain');
        res.flushHeaders();
        let sent = 0;
        const timer = setInterval(() => {
          if (res.destroyed) {
            clearInterval(timer);
            resolve();
            return;
          }
          res.write('x'.repeat(size));
          if (++sent === chunks) {
            clearInterval(timer);
            res.end();
            resolve();
          }
        }, every);
        res.on('close', () => {
          clearInterval(timer);
          resolve();
        });
      }),
  },
  {
    // Accepts the request and never answers (until the client gives up).
    path: '/silent',
    handle: (_req, res) => new Promise((resolve) => res.on('close', () => resolve())),
  },
  {
    path: '/json',
    handle: (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ user: { name: 'An', roles: ['citizen', 'admin'] }, ok: true, items: [1, 2, 3] }));
    },
  },
  {
    path: '/bytes/:n',
    handle: (_req, res, { params }) => {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(Buffer.alloc(Number(params.n), 0x61));
    },
  },
  {
    path: '/html',
    handle: (_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html><head><title>Cổng Dịch vụ công</title></head><body>
<h1 class="title">Thủ tục</h1>
<a href="/status/200" class="link">ok</a><a href="/status/404" class="link">missing</a>
<form id="login" method="post" action="/echo"><input type="hidden" name="csrf" value="t0k3n"><input name="user" value=""><input type="submit" value="go"></form>
</body></html>`);
    },
  },
  {
    // /basic-auth/USER/PASS
    path: '/basic-auth/:user/:password',
    handle: (req, res, { params }) => {
      const expected = `Basic ${Buffer.from(`${params.user}:${params.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return unauthorized(res, 'Basic realm="conformance"');
      res.end(JSON.stringify({ authenticated: true, user: params.user }));
    },
  },
  {
    // /digest-auth/auth/USER/PASS, as httpbin
    path: '/digest-auth/:qop/:user/:password',
    handle: (req, res, { params }) => {
      if (digestOk(req, params.user, params.password)) {
        res.end(JSON.stringify({ authenticated: true, user: params.user }));
        return;
      }
      const nonce = md5(String(Math.random()));
      unauthorized(res, `Digest realm="conformance", qop="${params.qop}", nonce="${nonce}", opaque="${md5('opaque')}", algorithm=MD5`);
    },
  },
  {
    // How many connections the target accepted (since the last reset), for connection-reuse cases.
    path: '/connections',
    handle: (_req, res, { target }) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ connections: target.connections }));
    },
  },
];
