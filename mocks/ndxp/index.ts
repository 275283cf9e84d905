import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ResourceRejected, SERVED_AT_ONCE } from '../capacity/resource.ts';
import { BearerAuth } from '../shared/bearer-auth.ts';
import { CCCD_PATTERN } from '../shared/citizens.ts';
import type { ServiceContext } from '../shared/context.ts';
import { HttpError } from '../shared/http-error.ts';
import { retryAfter } from '../shared/service.ts';
import { CIRCUIT_STATE_VALUE, CircuitBreaker } from './circuit-breaker.ts';
import { DocumentExchange, type SendRequest } from './documents.ts';
import { enterpriseRecord, landParcelRecord, populationRecord, socialInsuranceRecord } from './providers.ts';
import { ConsumerQuotas } from './quota.ts';

export const PROVIDERS = ['population', 'business_registry', 'social_insurance', 'land', 'document_exchange'] as const;
export type Provider = (typeof PROVIDERS)[number];

const CONSUMER_CODE = /^[A-Za-z0-9._-]{1,64}$/;
const TRANSACTION_ID = /^[\x21-\x7e]{1,128}$/;
const UNIT_CODE = '^[A-Za-z0-9._-]{1,64}$';
const MAX_CONSUMER_LABELS = 500;
const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

const string = { type: 'string' } as const;
const integer = { type: 'integer' } as const;
const person = { type: 'object', properties: { cccd: string, fullName: string } } as const;
/** Response schemas: fast serialisation, and the documented shape of each provider's record. */
const RECORD_SCHEMAS: Record<Exclude<Provider, 'document_exchange'>, object> = {
  population: {
    type: 'object',
    properties: {
      cccd: string,
      fullName: string,
      gender: string,
      birthDate: string,
      nationality: string,
      ethnicity: string,
      provinceCode: string,
      provinceName: string,
      permanentAddress: string,
      status: string,
    },
  },
  business_registry: {
    type: 'object',
    properties: {
      taxCode: string,
      name: string,
      type: string,
      status: string,
      registeredAt: string,
      charterCapitalVnd: integer,
      legalRepresentative: person,
      provinceCode: string,
      provinceName: string,
    },
  },
  social_insurance: {
    type: 'object',
    properties: {
      cccd: string,
      insuranceNumber: string,
      fullName: string,
      status: string,
      contributionMonths: integer,
      healthInsuranceValidUntil: string,
      provinceCode: string,
    },
  },
  land: {
    type: 'object',
    properties: {
      parcelId: string,
      provinceCode: string,
      provinceName: string,
      mapSheet: integer,
      parcelNumber: integer,
      areaM2: { type: 'number' },
      landUse: string,
      owner: person,
      certificateNumber: string,
    },
  },
};

type TransactionResult = 'ok' | 'quota' | 'timeout' | 'circuit_open' | 'error';

declare module 'fastify' {
  interface FastifyRequest {
    /** The agency calling, once its token and X-Consumer-Code agree. */
    consumer: string | null;
  }
}

class ProviderTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ProviderTimeout()), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const params = (name: string, pattern: string) => ({
  type: 'object',
  required: [name],
  properties: { [name]: { type: 'string', pattern } },
});
const headersSchema = {
  type: 'object',
  properties: {
    'x-consumer-code': { type: 'string', maxLength: 64 },
    'x-transaction-id': { type: 'string', maxLength: 128 },
    'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/** NDXP-like gateway: client-credentials tokens, per-consumer quotas, per-provider capacity, timeouts and circuit breakers. */
export async function ndxpPlugin(app: FastifyInstance, options: { context: ServiceContext }): Promise<void> {
  const { context } = options;
  const settings = context.config.ndxp;
  const auth = new BearerAuth(context, { identityUrl: () => context.identityUrl, scope: 'ndxp' });
  const quotas = new ConsumerQuotas(context, settings.quota, settings.consumerQuotas);
  const breakers = new Map(PROVIDERS.map((provider) => [provider, new CircuitBreaker(settings.circuit)]));
  const documents = new DocumentExchange(context);
  app.decorateRequest('consumer', null);
  const transactions = context.metrics.counterFamily(
    'loadlab_ndxp_transactions_total',
    'NDXP transactions by provider, consumer and result',
    ['provider', 'consumer', 'result'],
  );
  const transactionCounters = new Map<string, Record<TransactionResult, { inc(): void }>>();
  const transactionCounter = (provider: Provider, consumer: string) => {
    const key = `${provider} ${consumer}`;
    let counters = transactionCounters.get(key);
    if (!counters) {
      const label = consumerLabel(consumer);
      const child = (result: TransactionResult) => transactions.labels({ provider, consumer: label, result });
      counters = {
        ok: child('ok'),
        quota: child('quota'),
        timeout: child('timeout'),
        circuit_open: child('circuit_open'),
        error: child('error'),
      };
      if (transactionCounters.size < 10_000) transactionCounters.set(key, counters);
    }
    return counters;
  };
  context.metrics.gauge(
    'loadlab_ndxp_circuit_state',
    'Circuit breaker per provider: 0 closed, 1 half-open, 2 open',
    ['provider'],
    (set) => {
      for (const [provider, breaker] of breakers) set({ provider }, CIRCUIT_STATE_VALUE[breaker.state]);
    },
  );
  context.resetHooks.push(() => {
    for (const breaker of breakers.values()) breaker.reset();
    quotas.clear();
  });
  const consumerLabels = new Set<string>();
  const consumerLabel = (consumer: string) => {
    if (consumerLabels.has(consumer)) return consumer;
    if (consumerLabels.size >= MAX_CONSUMER_LABELS) return 'other';
    consumerLabels.add(consumer);
    return consumer;
  };

  app.addHook('onRequest', (request, reply, done) => {
    const given = request.headers['x-transaction-id'];
    if (typeof given === 'string' && !TRANSACTION_ID.test(given)) {
      reply.header('x-transaction-id', randomUUID());
      done(new HttpError(400, 'invalid_request', 'X-Transaction-Id must be 1–128 visible ASCII characters'));
      return;
    }
    reply.header('x-transaction-id', typeof given === 'string' ? given : randomUUID());
    done();
  });

  /** preHandler: the token, then the consumer it was issued to; before any quota, key or capacity is looked at. */
  async function authenticate(request: FastifyRequest): Promise<void> {
    await auth.preHandler(request);
    const consumer = request.headers['x-consumer-code'];
    if (typeof consumer !== 'string' || !CONSUMER_CODE.test(consumer))
      throw new HttpError(400, 'invalid_request', 'X-Consumer-Code header (agency code, 1–64 of A-Z a-z 0-9 . _ -) is required');
    if (request.claims!.client_id !== `agency-${consumer}`)
      throw new HttpError(403, 'consumer_mismatch', `token was issued to ${request.claims!.client_id}, not to agency-${consumer}`);
    request.consumer = consumer;
  }

  /**
   * preHandler, the gateway's admission: quota, circuit, then the provider within its timeout. A request refused
   * here (429, 503) gets its quota token back and has touched no document or idempotency key.
   */
  const admit = (provider: Provider) => {
    const resource = context.resource(provider);
    const breaker = breakers.get(provider)!;
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const consumer = request.consumer!;
      const counted = transactionCounter(provider, consumer);
      const record = (result: TransactionResult) => counted[result].inc();
      const quotaWait = quotas.take(consumer);
      if (quotaWait > 0) {
        resource.countRejection('quota');
        record('quota');
        retryAfter(reply, quotaWait);
        throw new HttpError(429, 'quota_exceeded', `consumer ${consumer} exceeded its NDXP quota`);
      }
      const circuitWait = breaker.admit();
      if (circuitWait > 0) {
        quotas.refund(consumer);
        resource.countRejection('circuit_open');
        record('circuit_open');
        retryAfter(reply, circuitWait);
        throw new HttpError(503, 'circuit_open', `provider ${provider} is failing; the gateway fast-fails until it recovers`);
      }
      try {
        const work = resource.run();
        await (work === SERVED_AT_ONCE ? work : withTimeout(work, settings.providerTimeoutMs));
      } catch (error) {
        breaker.fail();
        if (error instanceof ProviderTimeout) {
          record('timeout');
          throw new HttpError(504, 'provider_timeout', `provider ${provider} did not answer within ${settings.providerTimeoutMs} ms`);
        }
        record('error');
        if (error instanceof ResourceRejected) {
          quotas.refund(consumer);
          throw new HttpError(error.status, 'provider_unavailable', `provider ${provider} is saturated (${error.reason})`, {
            'retry-after': String(error.retryAfterSeconds),
          });
        }
        throw error;
      }
      breaker.succeed();
      record('ok');
    };
  };
  const gateway = (provider: Provider) => ({ config: { resource: provider }, preHandler: [authenticate, admit(provider)] });

  const lookup = (
    path: string,
    provider: Exclude<Provider, 'document_exchange'>,
    param: string,
    pattern: string,
    build: (id: string) => object,
  ) => {
    const schema = { params: params(param, pattern), headers: headersSchema, response: { 200: RECORD_SCHEMAS[provider] } };
    app.get<{ Params: Record<string, string> }>(path, { schema, ...gateway(provider) }, async (request) => build(request.params[param]));
  };
  lookup('/ndxp/v1/population/citizens/:cccd', 'population', 'cccd', CCCD_PATTERN, populationRecord);
  lookup('/ndxp/v1/business-registry/enterprises/:taxCode', 'business_registry', 'taxCode', '^[0-9]{10}(-[0-9]{3})?$', enterpriseRecord);
  lookup('/ndxp/v1/social-insurance/participants/:cccd', 'social_insurance', 'cccd', CCCD_PATTERN, socialInsuranceRecord);
  lookup('/ndxp/v1/land/parcels/:parcelId', 'land', 'parcelId', '^[A-Za-z0-9-]{1,40}$', landParcelRecord);

  const documentSummary = { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } } as const;
  app.post<{ Body: SendRequest }>(
    '/ndxp/v1/documents',
    {
      bodyLimit: Math.ceil((MAX_DOCUMENT_BYTES * 4) / 3) + 4096,
      ...gateway('document_exchange'),
      schema: {
        headers: headersSchema,
        body: {
          type: 'object',
          required: ['to', 'subject', 'documentNumber', 'content'],
          additionalProperties: false,
          properties: {
            to: { type: 'string', pattern: UNIT_CODE },
            subject: { type: 'string', minLength: 1, maxLength: 500 },
            documentNumber: { type: 'string', minLength: 1, maxLength: 100 },
            content: { type: 'string', maxLength: Math.ceil((MAX_DOCUMENT_BYTES * 4) / 3) + 4, pattern: '^[A-Za-z0-9+/]*={0,2}$' },
          },
        },
        response: { 200: documentSummary, 201: documentSummary },
      },
    },
    async (request, reply) => {
      // Keys live in the verified consumer's own namespace: another agency's keys can be neither seen nor blocked.
      const sent = documents.send(request.consumer!, request.headers['idempotency-key'] as string | undefined, request.body);
      if (sent.kind === 'conflict')
        throw new HttpError(422, 'idempotency_conflict', 'Idempotency-Key was already used with a different document');
      return reply.code(sent.kind === 'replay' ? 200 : 201).send({ id: sent.id, status: 'delivered' });
    },
  );

  app.get<{ Querystring: { unit?: string; limit: number } }>(
    '/ndxp/v1/documents/inbox',
    {
      ...gateway('document_exchange'),
      schema: {
        headers: headersSchema,
        querystring: {
          type: 'object',
          properties: { unit: { type: 'string', pattern: UNIT_CODE }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    from: { type: 'string' },
                    to: { type: 'string' },
                    subject: { type: 'string' },
                    documentNumber: { type: 'string' },
                    size: { type: 'integer' },
                    sha256: { type: 'string' },
                    receivedAt: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => ({ items: documents.inbox(request.query.unit ?? request.consumer!, request.query.limit) }),
  );

  app.post<{ Params: { id: string } }>(
    '/ndxp/v1/documents/:id/ack',
    {
      ...gateway('document_exchange'),
      schema: { headers: headersSchema, params: params('id', '^[A-Za-z0-9-]{1,64}$'), response: { 200: documentSummary } },
    },
    async (request) => {
      const document = documents.acknowledge(request.params.id);
      if (!document) throw new HttpError(404, 'not_found', `no document ${request.params.id}`);
      return { id: document.id, status: 'acknowledged' };
    },
  );
}
