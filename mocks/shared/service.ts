import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ResourceRejected } from '../capacity/resource.ts';
import { adminPlugin } from './admin.ts';
import type { ServiceContext } from './context.ts';
import { routeOf, trickle } from './faults.ts';
import { HttpError } from './http-error.ts';

export interface ServiceAppOptions {
  logger?: boolean;
  /** PEM key and certificate chain: the service speaks HTTPS. */
  tls?: { key: string; cert: string };
  /** Key of the human-readable reason in JSON errors: OAuth's `error_description` or `message`. */
  errorDescriptionKey: 'error_description' | 'message';
}

const FRAMEWORK_ERROR_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_REQ_FILE_TOO_LARGE: 'payload_too_large',
  FST_PARTS_LIMIT: 'payload_too_large',
  FST_FILES_LIMIT: 'payload_too_large',
  FST_FIELDS_LIMIT: 'payload_too_large',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'unsupported_media_type',
  FST_PROTO_VIOLATION: 'invalid_json',
};

interface ErrorAnswer {
  status: number;
  code: string;
  reason: string;
  headers: Record<string, string>;
}

export function describeError(error: unknown): ErrorAnswer {
  if (error instanceof HttpError) return { status: error.statusCode, code: error.code, reason: error.message, headers: error.headers };
  if (error instanceof ResourceRejected) {
    return {
      status: error.status,
      code: error.status === 429 ? 'rate_limited' : 'temporarily_unavailable',
      reason: error.message,
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return { status: 400, code: 'invalid_request', reason: fastifyError.message, headers: {} };
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = FRAMEWORK_ERROR_CODES[fastifyError.code] ?? (error instanceof SyntaxError ? 'invalid_json' : 'invalid_request');
    return { status, code, reason: fastifyError.message, headers: {} };
  }
  return { status: 500, code: 'internal_error', reason: 'internal error', headers: {} };
}

let appCounter = 0;

/** A Fastify instance with what every mock shares: request ids, errors as 4xx JSON, faults, RED metrics, /metrics, /admin. */
export function createServiceApp(context: ServiceContext, options: ServiceAppOptions): FastifyInstance {
  const prefix = `${context.name.slice(0, 3)}${(appCounter++).toString(36)}${randomBytes(3).toString('hex')}`;
  let requestCount = 0;
  const descriptionKey = options.errorDescriptionKey;
  const sendError = (reply: FastifyReply, answer: ErrorAnswer) => {
    reply.code(answer.status).headers(answer.headers);
    return reply.send({ error: answer.code, [descriptionKey]: answer.reason });
  };

  const timeouts = context.config.server;
  // Node checks the header and request deadlines only every connectionsCheckingInterval (default 30 s).
  const serverOptions = {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
  };
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => `${prefix}-${(++requestCount).toString(36)}`,
    routerOptions: { maxParamLength: 200 },
    forceCloseConnections: true,
    return503OnClosing: true,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    http: serverOptions,
    // The request and reply types are those of HTTP/1.1 either way; only the server differs.
    // A TLS handshake that never completes is a slowloris too.
    ...((options.tls ? { https: { ...serverOptions, ...options.tls, handshakeTimeout: timeouts.headersTimeoutMs } } : {}) as object),
    frameworkErrors(error, request, reply) {
      reply.header('x-request-id', request.id);
      sendError(reply, { status: 400, code: 'invalid_request', reason: error.message, headers: {} });
    },
  });

  // Node's header deadline starts with the first byte of a request: a connection that never sends one would stay.
  const connections = context.connections;
  // Under TLS, the handshakes in progress by the TCP connection's address pair (the raw socket and the TLS
  // socket share it), so each handshake's accept → secure time is known and abandoned ones leave the queue.
  const handshaking = new Map<string, number>();
  const peerOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  const handshakeOver = (socket: Socket): number | undefined => {
    const key = peerOf(socket);
    const started = handshaking.get(key);
    if (started === undefined) return undefined;
    handshaking.delete(key);
    connections.handshaking--;
    return started;
  };
  app.server.on('connection', (socket: Socket) => {
    connections.open++;
    connections.accepted++;
    if (options.tls) {
      handshaking.set(peerOf(socket), performance.now());
      connections.handshaking++;
    }
    socket.once('close', () => {
      connections.open--;
      if (options.tls) handshakeOver(socket);
    });
    setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, timeouts.headersTimeoutMs).unref();
  });
  if (options.tls) {
    app.server.on('secureConnection', (socket: Socket) => {
      connections.handshakes++;
      const started = handshakeOver(socket);
      if (started !== undefined) context.recordHandshake?.((performance.now() - started) / 1000);
    });
    app.server.on('tlsClientError', (_error: Error, socket: Socket) => {
      connections.handshakeFailures++;
      handshakeOver(socket);
      socket.destroy();
    });
  }

  // An empty JSON body is no body (clients often send Content-Type: application/json on body-less POSTs).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (!context.faults.active || request.routeOptions.config.red === false) return done();
    const route = routeOf(request);
    const outcome = context.faults.decide(route);
    const resourceName = request.routeOptions.config.resource;
    const resource = resourceName ? context.resources.get(resourceName) : undefined;
    switch (outcome.kind) {
      case 'pass':
        return done();
      case 'delay':
        setTimeout(done, outcome.ms);
        return;
      case 'outage':
        resource?.countRejection('outage');
        sendError(reply, {
          status: 503,
          code: 'service_unavailable',
          reason: `${context.name} is in a scheduled outage (injected fault)`,
          headers: { 'retry-after': String(outcome.retryAfterSeconds) },
        });
        return;
      case 'error':
        resource?.countRejection('fault');
        sendError(reply, {
          status: outcome.status,
          code: 'injected_fault',
          reason: `injected fault: status ${outcome.status}`,
          headers: {},
        });
        return;
      case 'reset':
        resource?.countRejection('fault');
        request.raw.socket.destroy();
        return;
    }
  });

  // RED is recorded when the response is handed to the socket (one hook fewer per request than onResponse); a
  // response slowed by an injected fault is recorded when its last byte has been sent.
  const metrics = context.metrics;
  const recordRed = metrics.enabled
    ? (request: FastifyRequest, reply: FastifyReply) =>
        metrics.recordRequest(routeOf(request) ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000)
    : undefined;
  app.addHook('onSend', (request, reply, payload, done) => {
    const counted = recordRed !== undefined && request.routeOptions.config.red !== false;
    const slowMs = context.faults.active && request.routeOptions.config.red !== false ? context.faults.slowResponseMs(routeOf(request)) : 0;
    if (slowMs > 0) {
      const stream = trickle(payload, slowMs, reply);
      if (counted) reply.raw.once('finish', () => recordRed(request, reply));
      return done(null, stream);
    }
    if (counted) recordRed(request, reply);
    done(null, payload);
  });

  app.addHook('preClose', (done) => {
    for (const resource of context.resources.values()) resource.rejectQueued();
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const answer = describeError(error);
    if (answer.status >= 500 && !(error instanceof HttpError) && !(error instanceof ResourceRejected))
      request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, answer);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.length > 200 ? `${request.url.slice(0, 200)}…` : request.url;
    return sendError(reply, { status: 404, code: 'not_found', reason: `no route ${request.method} ${path}`, headers: {} });
  });

  app.get('/metrics', { config: { red: false } }, async (_request, reply) => {
    reply.type(context.metrics.registry.contentType);
    return context.metrics.text();
  });

  app.decorate('service', context);
  app.decorateRequest('claims', null);
  app.register(adminPlugin);
  return app;
}

/** Retry-After seconds for a request rejected by a rate limit or an open circuit. */
export function retryAfter(reply: FastifyReply, seconds: number): FastifyReply {
  return reply.header('retry-after', String(Math.max(1, Math.ceil(seconds))));
}
