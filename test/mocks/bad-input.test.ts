import { connect } from 'node:net';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { FormData, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMocks } from '../../mocks/index.ts';
import { agencyToken, agent, http, login, start } from './helpers.ts';

/**
 * A few hundred generated malformed requests against all three services: none may get a 5xx (no faults are
 * injected), every JSON error must carry a reason, and the services must still answer afterwards.
 */

interface Case {
  name: string;
  service: 'identity' | 'portal' | 'ndxp';
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer | FormData;
}

let mocks: RunningMocks;
let citizen: string;
let agency: string;
let expired: string;
let expiredAt: number;
const TOKEN_TTL_S = 2;

beforeAll(async () => {
  mocks = await start({ profile: 'zero-latency', config: { identity: { accessTokenTtlSeconds: TOKEN_TTL_S } } });
  expired = (await login(mocks.urls.identity!, '001203099999')).access_token;
  expiredAt = Date.now() + TOKEN_TTL_S * 1000;
});
afterAll(() => mocks.close());

const WRONG_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  '',
  'x'.repeat(5000),
  [],
  [1, 'a', null],
  {},
  { nested: { deeper: [{}] } },
  '001203012345',
  '2024-13-45',
  '<script>alert(1)</script>',
  '\u0000\u0001',
  'Đ'.repeat(300),
];
const BAD_JSON = [
  '{',
  '{"a":',
  '[1,2',
  'nul',
  'undefined',
  "{'single':1}",
  '{"a":1,}',
  '\u0000',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '['.repeat(100_000),
  '{"a":"\\ud800"}',
  '1e99999',
  '"just a string"',
  '12345',
  'null',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'application/json; charset=utf-999',
  ';;;',
  'image/png',
  'application/octet-stream',
];

function mutate(base: Record<string, unknown>): Record<string, unknown>[] {
  const variants: Record<string, unknown>[] = [];
  for (const key of Object.keys(base)) {
    for (const value of WRONG_VALUES) variants.push({ ...base, [key]: value });
    const { [key]: _removed, ...without } = base;
    variants.push(without);
  }
  variants.push({ ...base, unexpected: 'field' });
  return variants;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const json = (service: Case['service'], method: string, path: string, body: string, headers: Record<string, string> = {}) =>
    cases.push({
      name: `${method} ${path} json ${body.slice(0, 40)}`,
      service,
      method,
      path,
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  // Portal: dossier submission with every field wrong in turn, bad JSON, wrong content types, oversized.
  const dossier = {
    procedureCode: '1.001001',
    applicant: { fullName: 'A', cccd: '001203012345', birthDate: '1990-01-01', phone: '0901234567', address: 'x' },
    form: {},
    attachmentIds: [],
  };
  for (const variant of mutate(dossier))
    json('portal', 'POST', '/api/dossiers', JSON.stringify(variant), { authorization: 'Bearer CITIZEN' });
  for (const variant of mutate(dossier.applicant))
    json('portal', 'POST', '/api/dossiers', JSON.stringify({ ...dossier, applicant: variant }), { authorization: 'Bearer CITIZEN' });
  for (const body of BAD_JSON) json('portal', 'POST', '/api/dossiers', body, { authorization: 'Bearer CITIZEN' });
  for (const type of CONTENT_TYPES)
    cases.push({
      name: `dossier as ${type}`,
      service: 'portal',
      method: 'POST',
      path: '/api/dossiers',
      headers: { 'content-type': type, authorization: 'Bearer CITIZEN' },
      body: 'a=b&c=d',
    });
  json('portal', 'POST', '/api/dossiers', JSON.stringify({ ...dossier, form: { blob: 'x'.repeat(2 * 1024 * 1024) } }), {
    authorization: 'Bearer CITIZEN',
  });
  for (const body of ['{"result":"maybe"}', '{}', '[]', '{"result":1}'])
    json('portal', 'POST', '/api/payments/PAY-00000000-0000-0000-0000-000000000000/confirm', body, { authorization: 'Bearer CITIZEN' });

  // Portal: queries and paths.
  for (const query of [
    'page=0',
    'page=-1',
    'page=abc',
    'pageSize=1000',
    'pageSize=0',
    'level=5',
    'level=x',
    `q=${'a'.repeat(500)}`,
    'q=%E0%A4%A',
    'q[]=1&q[]=2',
    'agency=%00',
    'page=1e3',
    'page=99999',
  ]) {
    cases.push({ name: `procedures ?${query.slice(0, 30)}`, service: 'portal', method: 'GET', path: `/api/procedures?${query}` });
  }
  for (const path of [
    '/api/procedures/%00',
    '/api/procedures/..%2F..%2Fetc%2Fpasswd',
    `/api/procedures/${'9'.repeat(300)}`,
    '/api/dossiers/nope',
    '/api/dossiers/G22.ZZZZ-000000-000000',
    '/api/dossiers/G22.ZZZZ-000000-000000/payments',
    '/api/payments/not-a-payment',
    '/api//procedures',
    '/api/procedures/1.001001/extra',
    '/%',
    '/%E0%A4%A',
    '/.env',
    '/api/attachments/../../jwks',
  ]) {
    cases.push({ name: `GET ${path.slice(0, 50)}`, service: 'portal', method: 'GET', path, headers: { authorization: 'Bearer CITIZEN' } });
    cases.push({
      name: `POST ${path.slice(0, 50)}`,
      service: 'portal',
      method: 'POST',
      path,
      headers: { authorization: 'Bearer CITIZEN' },
    });
  }

  // Portal: multipart uploads, well and badly formed.
  const boundary = 'XyZ123';
  const part = (headers: string, content: string) => `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`;
  const raw = [
    part('Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf', '%PDF-1.4 truncated'),
    `${part('Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf', '%PDF-1.4')}--${boundary}--\r\n`.replace(
      '%PDF',
      '--XyZ1',
    ),
    `--${boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\nno filename\r\n--${boundary}--\r\n`,
    `--${boundary}\r\nGarbage header line\r\n\r\n%PDF-\r\n--${boundary}--\r\n`,
    `${part('Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf', '%PDF-1')}${part('Content-Disposition: form-data; name="file"; filename="b.pdf"\r\nContent-Type: application/pdf', '%PDF-2')}--${boundary}--\r\n`,
    `--wrong\r\n\r\n--wrong--`,
    '',
    `--${boundary}--\r\n`,
    `${part('Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf', '')}--${boundary}--\r\n`,
    `${part(`Content-Disposition: form-data; name="file"; filename="${'x'.repeat(10_000)}.pdf"\r\nContent-Type: application/pdf`, '%PDF-1.4')}--${boundary}--\r\n`,
  ];
  for (const body of raw) {
    cases.push({
      name: `multipart ${body.slice(0, 40)}`,
      service: 'portal',
      method: 'POST',
      path: '/api/attachments',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: 'Bearer CITIZEN' },
      body,
    });
  }
  for (const type of [
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'multipart/mixed; boundary=XyZ123',
    'application/pdf',
    'application/json',
  ]) {
    cases.push({
      name: `upload as ${type}`,
      service: 'portal',
      method: 'POST',
      path: '/api/attachments',
      headers: { 'content-type': type, authorization: 'Bearer CITIZEN' },
      body: raw[0],
    });
  }
  const big = new FormData();
  big.append(
    'file',
    new Blob([Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(11 * 1024 * 1024)])], { type: 'application/pdf' }),
    'big.pdf',
  );
  cases.push({
    name: 'upload of 11 MB',
    service: 'portal',
    method: 'POST',
    path: '/api/attachments',
    headers: { authorization: 'Bearer CITIZEN' },
    body: big,
  });

  // Identity: token endpoint with wrong grants and fields, authorize with bad parameters.
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const tokenBodies = [
    {},
    { grant_type: 'authorization_code', client_id: 'dvc-portal' },
    { grant_type: 'authorization_code', client_id: 'dvc-portal', code: 'x', redirect_uri: 'http://127.0.0.1/cb', code_verifier: 'short' },
    { grant_type: 'refresh_token', client_id: 'dvc-portal', refresh_token: 'forged' },
    { grant_type: 'refresh_token', client_id: 'dvc-portal' },
    { grant_type: 'client_credentials', client_id: 'agency-H29' },
    { grant_type: 'client_credentials', client_id: 'agency-H29', client_secret: 'secret-H29', scope: 'admin' },
    { grant_type: 'client_credentials', client_id: 'agency-', client_secret: 'secret-' },
    { grant_type: 'client_credentials', client_id: 'agency-a/b', client_secret: 'secret-a/b' },
    { grant_type: 'password', username: 'x', password: 'y', client_id: 'dvc-portal' },
    { grant_type: 'x'.repeat(200), client_id: 'dvc-portal' },
    { grant_type: 'client_credentials', client_id: 'dvc-portal' },
    {
      grant_type: 'authorization_code',
      client_id: 'agency-H29',
      client_secret: 'secret-H29',
      code: 'x',
      redirect_uri: 'x',
      code_verifier: 'x'.repeat(50),
    },
  ];
  for (const body of tokenBodies)
    cases.push({
      name: `token ${JSON.stringify(body).slice(0, 60)}`,
      service: 'identity',
      method: 'POST',
      path: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(body as Record<string, string>),
    });
  for (const authorization of [
    'Basic',
    'Basic ::::',
    'Basic !!!notbase64',
    `Basic ${Buffer.from('%E0%A4%A:%zz').toString('base64')}`,
    `Basic ${Buffer.from('agency-H29').toString('base64')}`,
    'Bearer abc',
    `Basic ${Buffer.from('agency-H29:secret-H29').toString('base64')}`,
  ]) {
    cases.push({
      name: `token auth ${authorization.slice(0, 30)}`,
      service: 'identity',
      method: 'POST',
      path: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body: form({ grant_type: 'client_credentials', client_secret: 'also' }),
    });
  }
  for (const body of BAD_JSON.slice(0, 6)) json('identity', 'POST', '/token', body);
  for (const type of CONTENT_TYPES)
    cases.push({
      name: `token as ${type}`,
      service: 'identity',
      method: 'POST',
      path: '/token',
      headers: { 'content-type': type },
      body: 'grant_type=client_credentials',
    });
  cases.push({
    name: 'token oversized',
    service: 'identity',
    method: 'POST',
    path: '/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=${'a'.repeat(40_000)}`,
  });
  const authorizeQueries = [
    '',
    'client_id=nope',
    'client_id=dvc-portal',
    'client_id=dvc-portal&redirect_uri=javascript:alert(1)',
    'client_id=dvc-portal&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb%23frag',
    'client_id=dvc-portal&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&response_type=token',
    'client_id=dvc-portal&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&response_type=code&scope=profile',
    'client_id=dvc-portal&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&response_type=code&scope=openid%20ndxp',
    'client_id=dvc-portal&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&response_type=code&scope=openid&code_challenge=short&code_challenge_method=S256',
    'client_id=dvc-portal&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&response_type=code&scope=openid&code_challenge=x&code_challenge_method=plain',
    'client_id=agency-H29&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb',
    `client_id=dvc-portal&state=${'s'.repeat(3000)}`,
    'client_id[]=a&client_id[]=b',
  ];
  for (const query of authorizeQueries)
    cases.push({ name: `authorize ?${query.slice(0, 50)}`, service: 'identity', method: 'GET', path: `/authorize?${query}` });
  for (const body of [
    {},
    { request_id: 'x' },
    { request_id: 'x', csrf_token: 'y', username: '1', password: '2' },
    { username: 'x'.repeat(100) },
    { request_id: 'x'.repeat(1000) },
  ]) {
    cases.push({
      name: `login ${JSON.stringify(body).slice(0, 40)}`,
      service: 'identity',
      method: 'POST',
      path: '/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(body as Record<string, string>),
    });
  }
  for (const body of BAD_JSON.slice(0, 4)) json('identity', 'POST', '/authorize', body);
  for (const query of [
    'id_token_hint=garbage',
    'post_logout_redirect_uri=https%3A%2F%2Fevil.example',
    'id_token_hint=a.b.c&post_logout_redirect_uri=x',
    `state=${'x'.repeat(2000)}`,
  ]) {
    cases.push({ name: `logout ?${query.slice(0, 40)}`, service: 'identity', method: 'GET', path: `/logout?${query}` });
  }

  // NDXP: headers, ids and documents.
  const ndxpHeaders = { authorization: 'Bearer AGENCY', 'x-consumer-code': 'H29' };
  for (const path of [
    '/ndxp/v1/population/citizens/1234',
    '/ndxp/v1/population/citizens/abcdefghijkl',
    '/ndxp/v1/population/citizens/%00',
    '/ndxp/v1/business-registry/enterprises/12',
    '/ndxp/v1/land/parcels/%2F%2F',
    `/ndxp/v1/land/parcels/${'1'.repeat(100)}`,
    '/ndxp/v1/unknown/provider',
    '/ndxp/v2/population/citizens/001203012345',
    '/ndxp/v1/documents/inbox?limit=0',
    '/ndxp/v1/documents/inbox?limit=abc',
    '/ndxp/v1/documents/inbox?unit=%00',
    '/ndxp/v1/documents/..%2F/ack',
  ]) {
    cases.push({ name: `GET ${path.slice(0, 50)}`, service: 'ndxp', method: 'GET', path, headers: ndxpHeaders });
  }
  const headerSets: Record<string, string>[] = [
    { ...ndxpHeaders, 'x-consumer-code': '' },
    { ...ndxpHeaders, 'x-consumer-code': 'a b c' },
    { ...ndxpHeaders, 'x-consumer-code': 'x'.repeat(100) },
    { ...ndxpHeaders, 'x-transaction-id': 'x'.repeat(500) },
    { ...ndxpHeaders, 'x-transaction-id': 'has space' },
    { authorization: 'Bearer AGENCY' },
    { 'x-consumer-code': 'H29' },
  ];
  for (const headers of headerSets) {
    cases.push({
      name: `lookup headers ${JSON.stringify(headers).slice(0, 60)}`,
      service: 'ndxp',
      method: 'GET',
      path: '/ndxp/v1/population/citizens/001203012345',
      headers,
    });
  }
  const document = { to: 'T48', subject: 'Công văn', documentNumber: '1/UBND', content: 'aGVsbG8=' };
  for (const variant of mutate(document))
    json('ndxp', 'POST', '/ndxp/v1/documents', JSON.stringify(variant), { ...ndxpHeaders, 'idempotency-key': `k-${cases.length}` });
  json('ndxp', 'POST', '/ndxp/v1/documents', JSON.stringify({ ...document, content: 'not base64 !!!' }), ndxpHeaders);
  json('ndxp', 'POST', '/ndxp/v1/documents', JSON.stringify(document), { ...ndxpHeaders, 'idempotency-key': 'k'.repeat(1000) });
  for (const body of BAD_JSON) json('ndxp', 'POST', '/ndxp/v1/documents', body, ndxpHeaders);
  json('ndxp', 'POST', '/ndxp/v1/documents', JSON.stringify({ ...document, content: 'A'.repeat(12 * 1024 * 1024) }), ndxpHeaders);

  // Tokens: forged, unsigned, expired, wrong audience, wrong scheme — on every protected route.
  const protectedRoutes: [Case['service'], string, string][] = [
    ['identity', 'GET', '/userinfo'],
    ['portal', 'GET', '/api/dossiers/G22.ZZZZ-000000-000000'],
    ['portal', 'POST', '/api/attachments'],
    ['ndxp', 'GET', '/ndxp/v1/population/citizens/001203012345'],
    ['ndxp', 'GET', '/ndxp/v1/documents/inbox'],
  ];
  for (const [service, method, path] of protectedRoutes) {
    for (const token of ['FORGED', 'UNSIGNED', 'EXPIRED', 'WRONG_ISSUER', 'x', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.', '']) {
      cases.push({
        name: `${path} with ${token || 'empty'} token`,
        service,
        method,
        path,
        headers: { authorization: `Bearer ${token}`, 'x-consumer-code': 'H29' },
      });
    }
    for (const authorization of ['Basic abc', 'bearer', `Bearer ${'a'.repeat(20_000)}`])
      cases.push({
        name: `${path} auth ${authorization.slice(0, 20)}`,
        service,
        method,
        path,
        headers: { authorization, 'x-consumer-code': 'H29' },
      });
  }
  cases.push({
    name: 'portal with agency token',
    service: 'portal',
    method: 'GET',
    path: '/api/dossiers/G22.ZZZZ-000000-000000',
    headers: { authorization: 'Bearer AGENCY' },
  });
  cases.push({
    name: 'ndxp with citizen token',
    service: 'ndxp',
    method: 'GET',
    path: '/ndxp/v1/population/citizens/001203012345',
    headers: { authorization: 'Bearer CITIZEN', 'x-consumer-code': 'H29' },
  });

  // Admin and odd methods on every service (only unparseable admin bodies: a valid one would inject faults).
  for (const service of ['identity', 'portal', 'ndxp'] as const) {
    for (const body of BAD_JSON.slice(0, 5)) json(service, 'PUT', '/admin/faults', body);
    json(service, 'PUT', '/admin/resources/unknown', '{"slots":1}');
    json(service, 'PUT', '/admin/resources/unknown', '{"slots":"many"}');
    for (const method of ['DELETE', 'PATCH', 'OPTIONS', 'PUT']) cases.push({ name: `${method} /`, service, method, path: '/' });
    for (const headers of <Record<string, string>[]>[
      { host: '%%%' },
      { host: 'a@b:1' },
      { host: '[::1]:1' },
      { origin: 'javascript:alert(1)' },
      { origin: '\u00ff' },
      { 'sec-fetch-site': 'x'.repeat(500) },
      { authorization: 'Bearer' },
    ]) {
      cases.push({
        name: `admin state with ${JSON.stringify(headers).slice(0, 40)}`,
        service,
        method: 'GET',
        path: '/admin/state',
        headers,
      });
    }
    cases.push({
      name: 'admin reset as text/plain',
      service,
      method: 'POST',
      path: '/admin/reset',
      headers: { 'content-type': 'text/plain' },
      body: 'reset',
    });
    cases.push({ name: 'GET /metrics?x', service, method: 'GET', path: '/metrics?format=%ZZ' });
  }
  return cases;
}

async function forgedTokens(identity: string): Promise<Record<string, string>> {
  const { privateKey } = await generateKeyPair('RS256');
  const claims = { sub: '001203012345', aud: 'dvc-portal', client_id: 'dvc-portal', scope: 'openid ndxp' };
  const kid = (await http('GET', `${identity}/jwks`)).json.keys[0].kid;
  return {
    FORGED: await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .setIssuer(identity)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey),
    UNSIGNED: new UnsecuredJWT(claims).setIssuer(identity).setIssuedAt().setExpirationTime('1h').encode(),
    WRONG_ISSUER: await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .setIssuer('http://127.0.0.1:1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey),
  };
}

/** Sends bytes the HTTP clients refuse to produce and returns the status code (0 when the server just closes). */
function rawRequest(url: string, bytes: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.end(bytes);
  });
}

describe('bad-input sweep across identity, portal and NDXP', () => {
  it('answers every malformed request with a 4xx and a reason, never a 5xx, and keeps serving', async () => {
    const cases = buildCases();
    expect(cases.length).toBeGreaterThanOrEqual(300);
    const special = await forgedTokens(mocks.urls.identity!);
    citizen = (await login(mocks.urls.identity!, '001203012345')).access_token;
    agency = await agencyToken(mocks.urls.identity!, 'H29');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiredAt + 1100 - Date.now())));
    // Fresh tokens (the suite's identity issues 2-second tokens so that one can expire here).
    citizen = (await login(mocks.urls.identity!, '001203012345')).access_token;
    agency = await agencyToken(mocks.urls.identity!, 'H29');
    const substitute = (value: string) =>
      value.replace(
        /^Bearer (CITIZEN|AGENCY|FORGED|UNSIGNED|EXPIRED|WRONG_ISSUER)$/,
        (_m, name: string) =>
          `Bearer ${({ CITIZEN: citizen, AGENCY: agency, EXPIRED: expired, ...special } as Record<string, string>)[name]}`,
      );

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const item = cases[next++];
        const headers = Object.fromEntries(Object.entries(item.headers ?? {}).map(([k, v]) => [k, substitute(v)]));
        try {
          const response = await request(`${mocks.urls[item.service]}${item.path}`, {
            method: item.method as 'GET',
            headers,
            body: item.body,
            dispatcher: agent,
          });
          const text = await response.body.text();
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          if (response.statusCode >= 500) failures.push(`${item.name}: ${response.statusCode} ${text.slice(0, 200)}`);
          if (response.statusCode >= 400 && String(response.headers['content-type']).startsWith('application/json')) {
            const body = JSON.parse(text);
            if (typeof body.error !== 'string' || typeof (body.message ?? body.error_description) !== 'string')
              failures.push(`${item.name}: error without reason ${text.slice(0, 200)}`);
          }
          if (
            response.statusCode >= 400 &&
            String(response.headers['content-type']).startsWith('text/html') &&
            !text.includes('data-error="')
          )
            failures.push(`${item.name}: html error without data-error`);
        } catch (error) {
          // A server may close the connection on a body it refuses to read (oversized); that is no 5xx. Anything else is.
          const code = (error as { code?: string }).code;
          if (!['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'].includes(code ?? ''))
            failures.push(`${item.name}: ${code} ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    const rawLines = [
      'GET /%%%% HTTP/1.1',
      'GET /api/procedures?q=\u00ff HTTP/1.1',
      'GET /../../etc/passwd HTTP/1.1',
      'BREW /coffee HTTP/1.1',
      'GET * HTTP/1.1',
      `GET /${'a'.repeat(70_000)} HTTP/1.1`,
    ];
    for (const service of ['identity', 'portal', 'ndxp'] as const) {
      for (const line of rawLines) {
        const status = await rawRequest(mocks.urls[service]!, `${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
        if (status >= 500) failures.push(`raw ${line.slice(0, 40)} on ${service}: ${status}`);
      }
      const chunked = await rawRequest(
        mocks.urls[service]!,
        'POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      );
      if (chunked >= 500) failures.push(`raw bad chunked on ${service}: ${chunked}`);
    }

    expect(failures).toEqual([]);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    // Both 401s (tokens) and 400/413/415/422 (bodies) were exercised, not just one kind of rejection.
    for (const status of [400, 401, 404, 413, 415]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);

    // Still answering, with real work.
    expect((await http('GET', `${mocks.urls.identity}/.well-known/openid-configuration`)).status).toBe(200);
    const fresh = await login(mocks.urls.identity!, '001203012345');
    const upload = new FormData();
    upload.append('file', new Blob([Buffer.from('%PDF-1.4 ok')], { type: 'application/pdf' }), 'ok.pdf');
    const uploaded = await request(`${mocks.urls.portal}/api/attachments`, {
      method: 'POST',
      body: upload,
      headers: { authorization: `Bearer ${fresh.access_token}` },
      dispatcher: agent,
    });
    expect(uploaded.statusCode).toBe(201);
    await uploaded.body.dump();
    const lookup = await http('GET', `${mocks.urls.ndxp}/ndxp/v1/population/citizens/001203012345`, {
      headers: { authorization: `Bearer ${await agencyToken(mocks.urls.identity!, 'H29')}`, 'x-consumer-code': 'H29' },
    });
    expect(lookup.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
