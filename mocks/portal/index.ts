import { createHash, randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { BearerAuth } from '../shared/bearer-auth.ts';
import { CCCD_PATTERN } from '../shared/citizens.ts';
import { HttpError } from '../shared/http-error.ts';
import type { ServiceContext } from '../shared/context.ts';
import { buildCatalogue, Catalogue } from './catalogue.ts';
import { type Dossier, DossierStore } from './dossiers.ts';

const ALLOWED_TYPES: Record<string, (head: Buffer) => boolean> = {
  'application/pdf': (head) => head.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/jpeg': (head) => head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff,
  'image/png': (head) => head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
};

const procedureSummary = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    name: { type: 'string' },
    agency: { type: 'string' },
    agencyCode: { type: 'string' },
    level: { type: 'integer' },
    fee: { type: 'integer' },
    field: { type: 'string' },
  },
} as const;
const procedureDetail = {
  type: 'object',
  properties: {
    ...procedureSummary.properties,
    processingDays: { type: 'integer' },
    requiredDocuments: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, name: { type: 'string' } } } },
  },
} as const;
const codeParams = (name: string, pattern: string) => ({
  type: 'object',
  required: [name],
  properties: { [name]: { type: 'string', pattern } },
});
const PROCEDURE_CODE = '^[0-9]\\.[0-9]{6}$';
const DOSSIER_CODE = '^G22\\.[A-Z0-9]{4}-[0-9]{6}-[0-9]{6}$';
const PAYMENT_ID = '^PAY-[0-9a-f-]{36}$';

const dossierRequestSchema = {
  type: 'object',
  required: ['procedureCode', 'applicant', 'form', 'attachmentIds'],
  additionalProperties: false,
  properties: {
    procedureCode: { type: 'string', pattern: PROCEDURE_CODE },
    applicant: {
      type: 'object',
      required: ['fullName', 'cccd', 'birthDate', 'phone', 'address'],
      additionalProperties: false,
      properties: {
        fullName: { type: 'string', minLength: 1, maxLength: 200 },
        cccd: { type: 'string', pattern: CCCD_PATTERN },
        birthDate: { type: 'string', format: 'date' },
        phone: { type: 'string', pattern: '^\\+?[0-9 ]{8,15}$' },
        email: { type: 'string', format: 'email', maxLength: 254 },
        address: { type: 'string', minLength: 1, maxLength: 500 },
      },
    },
    form: { type: 'object', maxProperties: 200 },
    attachmentIds: { type: 'array', maxItems: 20, uniqueItems: true, items: { type: 'string', maxLength: 64 } },
  },
} as const;

interface DossierRequest {
  procedureCode: string;
  applicant: { fullName: string; cccd: string; birthDate: string; phone: string; email?: string; address: string };
  form: Record<string, unknown>;
  attachmentIds: string[];
}

/** DVCQG-like portal: procedure catalogue, attachments, dossiers with a compressed-time lifecycle, fee payment. */
export async function portalPlugin(app: FastifyInstance, options: { context: ServiceContext }): Promise<void> {
  const { context } = options;
  const settings = context.config.portal;
  const catalogue = new Catalogue(buildCatalogue(settings.procedureCount));
  const store = new DossierStore(context, settings.statusStepMs);
  const auth = new BearerAuth(context, { identityUrl: () => context.identityUrl, audience: 'dvc-portal' });
  // Authentication, then admission to the modelled resource, both before the handler changes any state.
  const guarded = (resource: string) => [auth.preHandler, context.admit(resource)];
  const countDossier = context.metrics.counter('loadlab_dossiers_submitted_total', 'Dossiers submitted by procedure level', ['level']);
  const countPayment = context.metrics.counter('loadlab_payments_total', 'Payments settled by result', ['result']);

  await app.register(multipart, {
    limits: { fileSize: settings.maxUploadBytes, files: 1, fields: 10, parts: 20, fieldSize: 64 * 1024, headerPairs: 100 },
  });

  app.get<{ Querystring: { q?: string; agency?: string; level?: 3 | 4; page: number; pageSize: number } }>(
    '/api/procedures',
    {
      config: { resource: 'catalogue_search' },
      preHandler: context.admit('catalogue_search'),
      schema: {
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200 },
            agency: { type: 'string', maxLength: 200 },
            level: { type: 'integer', enum: [3, 4] },
            page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
            pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: procedureSummary },
              page: { type: 'integer' },
              pageSize: { type: 'integer' },
              total: { type: 'integer' },
            },
          },
        },
      },
    },
    async (request) => {
      const { items, total } = catalogue.search(request.query);
      return { items, page: request.query.page, pageSize: request.query.pageSize, total };
    },
  );

  app.get<{ Params: { code: string } }>(
    '/api/procedures/:code',
    {
      config: { resource: 'catalogue_search' },
      preHandler: context.admit('catalogue_search'),
      schema: { params: { type: 'object', properties: { code: { type: 'string', maxLength: 64 } } }, response: { 200: procedureDetail } },
    },
    async (request) => {
      const procedure = catalogue.get(request.params.code);
      if (!procedure) throw new HttpError(404, 'not_found', `no procedure ${request.params.code}`);
      return procedure;
    },
  );

  const attachmentSchema = {
    consumes: ['multipart/form-data'],
    response: {
      201: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          filename: { type: 'string' },
          contentType: { type: 'string' },
          size: { type: 'integer' },
          sha256: { type: 'string' },
        },
      },
    },
  };
  // The multipart body is checked in the handler while it streams (part name, declared type, signature, size).
  app.post(
    '/api/attachments',
    { config: { resource: 'file_storage' }, preHandler: guarded('file_storage'), schema: attachmentSchema },
    async (request, reply) => {
      const claims = request.claims!;
      if (!request.isMultipart())
        throw new HttpError(415, 'unsupported_media_type', 'send the file as multipart/form-data with one part named "file"');
      let attachment: { filename: string; contentType: string; size: number; sha256: string };
      try {
        const part = await request.file();
        if (!part) throw new HttpError(400, 'invalid_request', 'no file part; send one part named "file"');
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new HttpError(400, 'invalid_request', `the file part must be named "file", not "${part.fieldname.slice(0, 64)}"`);
        }
        const matchesType = ALLOWED_TYPES[part.mimetype];
        if (!matchesType) {
          part.file.resume();
          throw new HttpError(
            415,
            'unsupported_media_type',
            `attachments must be application/pdf, image/jpeg or image/png, not ${part.mimetype.slice(0, 100)}`,
          );
        }
        const hash = createHash('sha256');
        let size = 0;
        let head = Buffer.alloc(0);
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
          if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
        }
        if (part.file.truncated)
          throw new HttpError(413, 'payload_too_large', `attachments are limited to ${settings.maxUploadBytes} bytes`);
        if (size === 0) throw new HttpError(400, 'invalid_request', 'the file is empty');
        if (!matchesType(head))
          throw new HttpError(415, 'unsupported_media_type', `the content is not ${part.mimetype} (signature mismatch)`);
        attachment = { filename: part.filename.slice(0, 255), contentType: part.mimetype, size, sha256: hash.digest('hex') };
      } catch (error) {
        if (error instanceof HttpError) throw error;
        const status = (error as { statusCode?: number }).statusCode;
        if (status && status >= 400 && status < 500) throw error;
        throw new HttpError(400, 'invalid_multipart', `malformed multipart body: ${(error as Error).message}`);
      }
      const id = randomUUID();
      store.attachments.set(id, { id, owner: claims.sub, ...attachment });
      return reply.code(201).send({ id, ...attachment });
    },
  );

  app.post<{ Body: DossierRequest }>(
    '/api/dossiers',
    {
      config: { resource: 'dossier_db' },
      preHandler: guarded('dossier_db'),
      schema: {
        body: dossierRequestSchema,
        response: {
          201: {
            type: 'object',
            properties: {
              code: { type: 'string' },
              status: { type: 'string' },
              fee: { type: 'integer' },
              paymentRequired: { type: 'boolean' },
              submittedAt: { type: 'string' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const claims = request.claims!;
      const body = request.body;
      const procedure = catalogue.get(body.procedureCode);
      if (!procedure) throw new HttpError(422, 'unknown_procedure', `no procedure ${body.procedureCode}`);
      for (const id of body.attachmentIds) {
        if (store.attachments.get(id)?.owner !== claims.sub)
          throw new HttpError(422, 'unknown_attachment', `attachment ${id.slice(0, 64)} was not uploaded by this user`);
      }
      const dossier = store.submit(claims.sub, procedure);
      countDossier({ level: String(procedure.level) });
      return reply.code(201).send({
        code: dossier.code,
        status: 'received',
        fee: dossier.fee,
        paymentRequired: dossier.paymentRequired,
        submittedAt: new Date(dossier.submittedAtMs).toISOString(),
      });
    },
  );

  const ownDossier = (code: string, owner: string): Dossier => {
    const dossier = store.dossiers.get(code);
    if (!dossier || dossier.owner !== owner) throw new HttpError(404, 'not_found', `no dossier ${code} for this user`);
    return dossier;
  };

  app.get<{ Params: { code: string } }>(
    '/api/dossiers/:code',
    {
      config: { resource: 'dossier_db' },
      preHandler: guarded('dossier_db'),
      schema: {
        params: codeParams('code', DOSSIER_CODE),
        response: {
          200: {
            type: 'object',
            properties: {
              code: { type: 'string' },
              procedureCode: { type: 'string' },
              status: { type: 'string' },
              history: { type: 'array', items: { type: 'object', properties: { status: { type: 'string' }, at: { type: 'string' } } } },
              fee: { type: 'integer' },
              payment: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } },
            },
          },
        },
      },
    },
    async (request) => {
      const dossier = ownDossier(request.params.code, request.claims!.sub);
      const history = store.history(dossier);
      return {
        code: dossier.code,
        procedureCode: dossier.procedureCode,
        status: history[history.length - 1].status,
        history,
        fee: dossier.fee,
        payment: { id: dossier.paymentId, status: dossier.paymentStatus },
      };
    },
  );

  const paymentView = {
    type: 'object',
    properties: {
      paymentId: { type: 'string' },
      amount: { type: 'integer' },
      currency: { type: 'string' },
      status: { type: 'string' },
      payUrl: { type: 'string' },
      dossierCode: { type: 'string' },
    },
  } as const;

  app.post<{ Params: { code: string } }>(
    '/api/dossiers/:code/payments',
    {
      config: { resource: 'payment_gateway' },
      preHandler: guarded('payment_gateway'),
      schema: { params: codeParams('code', DOSSIER_CODE), response: { 201: paymentView } },
    },
    async (request, reply) => {
      const dossier = ownDossier(request.params.code, request.claims!.sub);
      if (!dossier.paymentRequired)
        throw new HttpError(
          409,
          'payment_not_required',
          `dossier ${dossier.code} has no fee to pay online (level ${dossier.level}, fee ${dossier.fee})`,
        );
      if (dossier.paymentStatus === 'paid') throw new HttpError(409, 'already_paid', `dossier ${dossier.code} is already paid`);
      const payment = store.createPayment(dossier);
      return reply.code(201).send({
        paymentId: payment.paymentId,
        amount: payment.amount,
        currency: 'VND',
        status: payment.status,
        payUrl: `${context.baseUrl}/api/payments/${payment.paymentId}`,
        dossierCode: dossier.code,
      });
    },
  );

  app.get<{ Params: { paymentId: string } }>(
    '/api/payments/:paymentId',
    { preHandler: auth.preHandler, schema: { params: codeParams('paymentId', PAYMENT_ID), response: { 200: paymentView } } },
    async (request) => {
      const payment = store.payments.get(request.params.paymentId);
      if (!payment || payment.owner !== request.claims!.sub)
        throw new HttpError(404, 'not_found', `no payment ${request.params.paymentId}`);
      return {
        paymentId: payment.paymentId,
        amount: payment.amount,
        currency: 'VND',
        status: payment.status,
        dossierCode: payment.dossierCode,
      };
    },
  );

  app.post<{ Params: { paymentId: string }; Body: { result: 'success' | 'failure' } }>(
    '/api/payments/:paymentId/confirm',
    {
      config: { resource: 'payment_gateway' },
      preHandler: guarded('payment_gateway'),
      schema: {
        params: codeParams('paymentId', PAYMENT_ID),
        body: {
          type: 'object',
          required: ['result'],
          additionalProperties: false,
          properties: { result: { enum: ['success', 'failure'] } },
        },
        response: { 200: { type: 'object', properties: { paymentId: { type: 'string' }, status: { type: 'string' } } } },
      },
    },
    async (request) => {
      const payment = store.payments.get(request.params.paymentId);
      if (!payment || payment.owner !== request.claims!.sub)
        throw new HttpError(404, 'not_found', `no payment ${request.params.paymentId}`);
      if (payment.status === 'pending') {
        store.settle(payment, request.body.result === 'success');
        countPayment({ result: request.body.result });
      }
      return { paymentId: payment.paymentId, status: payment.status };
    },
  );
}
