import type { FastifyInstance } from 'fastify';
import type { ResourceSettings } from '../capacity/resource.ts';
import { faultsSchema, resourcePatchSchema } from '../config.ts';
import type { FaultSettings } from './faults.ts';
import { HttpError } from './http-error.ts';
import type { ServiceContext } from './service.ts';

/** Run-time control of a service: inspect, resize resources, inject faults, reset. Kept out of RED metrics. */
export function registerAdminRoutes(app: FastifyInstance, context: ServiceContext): void {
  const config = { red: false };
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
    faults: context.faults.describe(),
  });

  app.get('/admin/state', { config }, async () => state());

  app.put<{ Params: { name: string }; Body: Partial<ResourceSettings> }>(
    '/admin/resources/:name',
    { config, schema: { params: { type: 'object', properties: { name: { type: 'string', maxLength: 64 } } }, body: resourcePatchSchema } },
    async (request) => {
      const resource = context.resources.get(request.params.name);
      if (!resource) throw new HttpError(404, 'unknown_resource', `${context.name} has no resource '${request.params.name}' (known: ${[...context.resources.keys()].join(', ')})`);
      const serviceTime = request.body.serviceTime;
      if (serviceTime?.kind === 'lognormal' && serviceTime.p99Ms < serviceTime.p50Ms) throw new HttpError(400, 'invalid_request', 'serviceTime.p99Ms must be >= p50Ms');
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
