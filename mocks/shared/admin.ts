import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ResourceSettings } from '../capacity/resource.ts';
import { faultsSchema, resourcePatchSchema } from '../config.ts';
import { isLoopbackHost } from '../../engine/loopback.ts';
import { isWildcardHost, type ServiceContext } from './context.ts';
import type { FaultSettings } from './faults.ts';
import { HttpError } from './http-error.ts';
import { sameSecret } from './same-secret.ts';

/** host[:port] of a Host header, brackets of an IPv6 literal removed; undefined when it is no host at all. */
function parseHostHeader(value: string): { hostname: string; port: number | undefined } | undefined {
  try {
    const url = new URL(`http://${value}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
    return { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? undefined : Number(url.port) };
  } catch {
    return undefined;
  }
}

const forbidden = (code: string, reason: string) => new HttpError(403, code, reason);

/**
 * The admin API changes what a load test measures (capacity, faults, reset), so only the engineer may call it, not a
 * web page open in their browser: the Host must name this server (a DNS-rebinding page names its own domain), a
 * browser's Origin / Sec-Fetch-Site must be this server's own, state changes must be application/json (which a page
 * cannot send cross-site without a CORS preflight, and the mocks answer none), and a token when one is set.
 */
export function checkAdminRequest(context: ServiceContext, request: FastifyRequest): void {
  const { host: boundHost, adminToken } = context.exposure;
  const hostHeader = request.headers.host ?? '';
  const host = parseHostHeader(hostHeader);
  const nameAllowed = host !== undefined && (isLoopbackHost(host.hostname) || host.hostname === boundHost || isWildcardHost(boundHost));
  if (!host || !nameAllowed || host.port !== context.port) {
    throw forbidden(
      'forbidden_host',
      `the admin API answers only requests addressed to this server (Host ${boundHost}:${context.port} or a loopback name), not Host: ${hostHeader.slice(0, 100) || '(none)'}`,
    );
  }
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const scheme = context.baseUrl.startsWith('https:') ? 'https' : 'http';
    if (origin !== `${scheme}://${hostHeader}`)
      throw forbidden(
        'cross_origin',
        `cross-site request refused: Origin ${origin.slice(0, 100)} is not this server (${scheme}://${hostHeader})`,
      );
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw forbidden('cross_origin', `cross-site request refused (Sec-Fetch-Site: ${String(site).slice(0, 40)})`);
  if (adminToken !== undefined) {
    const authorization = request.headers.authorization ?? '';
    const given = authorization.slice(0, 7).toLowerCase() === 'bearer ' ? authorization.slice(7).trim() : '';
    if (!sameSecret(given, adminToken))
      throw new HttpError(
        401,
        'unauthorized',
        'the admin API needs Authorization: Bearer <admin token> (--admin-token or LOADLAB_ADMIN_TOKEN)',
        { 'www-authenticate': 'Bearer realm="admin"' },
      );
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `admin requests that change state must be Content-Type: application/json (got ${type.slice(0, 100) || 'none'}), so that a web page cannot send them cross-site`,
      );
    }
  }
}

/** Run-time control of a service: inspect, resize resources, inject faults, reset. Kept out of RED metrics. */
export async function adminPlugin(app: FastifyInstance): Promise<void> {
  const context = app.service;
  const config = { red: false };
  app.addHook('onRequest', async (request) => checkAdminRequest(context, request));

  const state = () => ({
    service: context.name,
    profile: context.config.profile,
    resources: Object.fromEntries(
      [...context.resources.values()].map((resource) => [
        resource.name,
        {
          ...resource.config,
          meanServiceMs: resource.meanServiceMs,
          saturationThroughput: Number.isFinite(resource.saturationThroughput) ? resource.saturationThroughput : null,
          inUse: resource.inUse,
          queued: resource.queued,
        },
      ]),
    ),
    stores: Object.fromEntries(
      context.stores.map((store) => [
        store.name,
        { entries: store.size, bytes: store.bytes, ...store.limits, evictions: Object.fromEntries(store.evictions) },
      ]),
    ),
    faults: context.faults.describe(),
  });

  app.get('/admin/state', { config }, async () => state());

  app.put<{ Params: { name: string }; Body: Partial<ResourceSettings> }>(
    '/admin/resources/:name',
    { config, schema: { params: { type: 'object', properties: { name: { type: 'string', maxLength: 64 } } }, body: resourcePatchSchema } },
    async (request) => {
      const resource = context.resources.get(request.params.name);
      if (!resource)
        throw new HttpError(
          404,
          'unknown_resource',
          `${context.name} has no resource '${request.params.name}' (known: ${[...context.resources.keys()].join(', ')})`,
        );
      const serviceTime = request.body.serviceTime;
      if (serviceTime?.kind === 'lognormal' && serviceTime.p99Ms < serviceTime.p50Ms)
        throw new HttpError(400, 'invalid_request', 'serviceTime.p99Ms must be >= p50Ms');
      resource.update(request.body);
      return state().resources[resource.name];
    },
  );

  app.put<{ Body: FaultSettings }>('/admin/faults', { config, schema: { body: faultsSchema } }, async (request) => {
    context.faults.set(request.body);
    return { faults: context.faults.describe() };
  });

  app.post('/admin/reset', { config }, async () => {
    context.reset();
    return state();
  });
}
