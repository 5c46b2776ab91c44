/**
 * The service's HTTP layer on Fastify: the routes of routes.ts with their schemas, body limits
 * and timeouts, the Bearer challenge, coded JSON errors, one log line and one metrics sample per
 * request, and the limits of service-limits.ts on a node:http (or https) server made here, so
 * that connections, timeouts and the body budget are enforced as before Fastify sees a request.
 *
 * The order of a request (docs/protocol.md, "Limits"): routing (paths without regard to case),
 * then the caller's token from the headers (401 with the challenge), then the declared
 * Content-Length against the route's limit (413), then the body's bytes, counted against the
 * route's limit and the body budget as they arrive (413, 503), then the schema (400
 * INVALID_ARGUMENT naming the field), then the handler.
 */
import http, { IncomingMessage, Server } from 'node:http';
import https from 'node:https';
import { Socket } from 'node:net';

import Fastify, { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { RmsError } from '../errors';
import { Account } from './accounts';
import { clientNetwork } from './client-network';
import { BodyBudget, BudgetedBody, errorBody, parseBody, statusFor, tooLarge } from './http-exchange';
import { CallerRequest, Route, RouteContext, RouteRequest, ROUTES } from './routes';
import { Schema } from './route-schemas';
import { applyLimits, serverOptions, ServiceLimits } from './service-limits';
import { ServiceLog } from './service-log';
import { LicenseKind, MetricsAccess, ServiceMetrics } from './service-metrics';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, for routes that need one. */
    caller: Account | null;
    /** The body as it is read, holding its bytes of the budget until the answer. */
    budgeted: BudgetedBody | null;
    /** The error answered, for the log line. */
    failure: { code: string; detail?: string } | null;
  }
  interface FastifyContextConfig {
    route?: Route;
  }
}

/** What a 503 asks the client to wait: the budget frees as the bodies being read are answered. */
const RETRY_AFTER_SECONDS = 2;

const AUDITED_LICENSE: Record<NonNullable<Route['audited']>, LicenseKind> = { publish: 'publishing', 'use-license': 'use' };

export interface HttpServerOptions {
  limits: Required<ServiceLimits>;
  /** PEM certificate and key: HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
  log: ServiceLog;
  metrics: ServiceMetrics;
  metricsAccess: MetricsAccess;
  /** The routes' context, null until the service knows its URL. */
  context: () => RouteContext | null;
  /** The 401 challenge (DESIGN decision 8), once the service knows its URL. */
  challenge: () => string;
  closing: () => boolean;
}

export interface HttpServer {
  app: FastifyInstance;
  server: Server;
}

function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address));
}

/** The path of a request target; anything but an origin-form path (`/x?y`) is INVALID_ARGUMENT. */
function requestPath(target: string | undefined): string {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) {
    throw new RmsError('INVALID_ARGUMENT', 'the request target must be a path');
  }
  try {
    return new URL(target, 'http://service').pathname;
  } catch (cause) {
    throw new RmsError('INVALID_ARGUMENT', 'the request target is not a valid path', { cause });
  }
}

/** `grants/0/who` as the service names arguments: `grants[0].who`. */
function fieldName(instancePath: string, child?: unknown): string {
  const parts = instancePath.split('/').slice(1);
  if (typeof child === 'string') parts.push(child);
  return parts.reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name === '' ? part : `${name}.${part}`), '');
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Schema;
}

/** A body or query the schema refused: INVALID_ARGUMENT naming the field and what it should be (its schema's description). */
function schemaRefusal(error: FastifyError, prefix: string): RmsError {
  const first = error.validation![0] as SchemaError;
  const properties = (first.parentSchema?.properties ?? {}) as Record<string, Schema>;
  let name: string;
  let expected: string;
  if (first.keyword === 'required') {
    name = fieldName(first.instancePath, first.params.missingProperty);
    expected = String(properties[String(first.params.missingProperty)]?.description ?? 'given');
  } else if (first.keyword === 'additionalProperties') {
    name = fieldName(first.instancePath, first.params.additionalProperty);
    expected = `absent: the fields are ${Object.keys(properties).join(', ')}`;
  } else {
    name = fieldName(first.instancePath);
    expected = String(first.parentSchema?.description ?? (first.message ?? 'valid').replace(/^must be /, ''));
  }
  const context = error.validationContext === 'body' ? prefix : '';
  return new RmsError('INVALID_ARGUMENT', `${context}${name || error.validationContext} must be ${expected}`, { argument: `${context}${name}` });
}

/** Any failure as the RmsError the client is answered with; `internal` when it is a fault of the service's. */
function answerFor(thrown: unknown, request: FastifyRequest): { error: RmsError; internal: boolean } {
  if (thrown instanceof RmsError) return { error: thrown, internal: false };
  const e = thrown as FastifyError;
  if (Array.isArray(e.validation)) return { error: schemaRefusal(e, request.routeOptions.config.route?.argumentPrefix ?? ''), internal: false };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: tooLarge(bodyLimitOf(request)), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { error: new RmsError('INVALID_FORMAT', 'the Content-Type header is not a media type'), internal: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { error: new RmsError('INVALID_FORMAT', 'the request body is not as long as its Content-Length says'), internal: false };
    case 'ECONNRESET':
      return { error: new RmsError('ABORTED', 'the client closed the connection before its request body was complete'), internal: false };
    default:
      return { error: new RmsError('SERVICE_ERROR', 'the service failed to answer', { cause: thrown }), internal: true };
  }
}

/** The most body bytes the request's route reads: none for /metrics and unmatched paths. */
function bodyLimitOf(request: FastifyRequest): number {
  return request.routeOptions.config.route?.maxBodyBytes ?? 0;
}

/** Whether node:http will deliver a body for this request. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The node:http (or https) server: limits set at creation and on the server, connections past
 * the caps closed as they arrive, before any request on them is read.
 */
function createServer(o: HttpServerOptions, handler: http.RequestListener): Server {
  const { limits } = o;
  let server: Server;
  try {
    server = o.tls === undefined
      ? http.createServer(serverOptions(limits), handler)
      : https.createServer({ ...serverOptions(limits), cert: o.tls.cert, key: o.tls.key }, handler);
  } catch (error) {
    throw new RmsError('INVALID_ARGUMENT', `the TLS certificate or key is not usable: ${(error as Error).message}`, { cause: error });
  }
  applyLimits(server, limits);
  server.on('drop', (dropped?: { remoteAddress?: string }) => o.log.write('warn', 'connection-dropped', { remote: dropped?.remoteAddress, maxConnections: limits.maxConnections }));
  const connections = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = clientNetwork(socket.remoteAddress);
    const open = (connections.get(client) ?? 0) + 1;
    if (open > limits.maxConnectionsPerClient) {
      o.log.write('warn', 'connection-dropped', { remote: socket.remoteAddress, maxConnectionsPerClient: limits.maxConnectionsPerClient });
      socket.destroy();
      return;
    }
    connections.set(client, open);
    socket.once('close', () => {
      const left = (connections.get(client) ?? 1) - 1;
      if (left <= 0) connections.delete(client);
      else connections.set(client, left);
    });
  });
  return server;
}

export function buildHttpServer(o: HttpServerOptions): HttpServer {
  let server!: Server;
  const app = Fastify({
    serverFactory: (handler) => (server = createServer(o, handler)),
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    // Answers while closing are the service's own (Connection: close), not Fastify's 503.
    return503OnClosing: false,
    forceCloseConnections: false,
    exposeHeadRoutes: false,
    logger: false,
    // Types as JSON has them: a number where a string is expected is refused, not converted.
    ajv: { customOptions: { coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, verbose: true } },
  });
  const budget = new BodyBudget(o.limits.bodyBudgetBytes, o.limits.bodyBudgetPerClientBytes);

  app.decorateRequest('caller', null);
  app.decorateRequest('budgeted', null);
  app.decorateRequest('failure', null);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseBody(body as Buffer, request.headers['content-type']));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  const context = (): RouteContext => {
    const c = o.context();
    if (c === null) throw new RmsError('SERVICE_UNAVAILABLE', 'the service is starting');
    return c;
  };

  /** The caller a bearer token names, from the headers alone; AUTHENTICATION_FAILED (401 with the challenge) otherwise. */
  async function authenticate(c: RouteContext, req: IncomingMessage): Promise<Account> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    if (match === null) throw new RmsError('AUTHENTICATION_FAILED', 'this call needs a bearer token');
    const identity = await c.tokens.verify(match[1]!, c.now());
    const account = await c.accounts.resolve(identity.email, identity.issuer, identity.issuedAt, identity.groups);
    if (account === null) throw new RmsError('AUTHENTICATION_FAILED', `${identity.email} is no longer an account here, or the token was issued before its account was`);
    return account;
  }

  app.addHook('onRequest', async (request) => {
    context();
    if (request.is404) {
      requestPath(request.raw.url);
      throw new RmsError('NOT_FOUND', `no ${request.method} ${request.url.split('?')[0]} here`);
    }
  });

  // After the caller is known: a client without a token costs no body at all.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const limit = bodyLimitOf(request);
    const declared = request.headers['content-length'];
    // node:http has already refused a Content-Length that is not a number.
    if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
    if (!hasBody(request.raw)) return payload;
    request.budgeted = new BudgetedBody(request.raw, limit, budget, clientNetwork(request.raw.socket.remoteAddress));
    return request.budgeted;
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    // A connection is kept for another request only when this one was read to its end: the
    // service never drains a body it did not want (a refused upload, a client without a
    // token), and stops keeping connections once it is closing.
    if (o.closing() || !request.raw.complete) reply.raw.shouldKeepAlive = false;
  });

  app.addHook('onResponse', async (request, reply) => {
    request.budgeted?.release();
    const route = request.is404 ? 'unmatched' : request.routeOptions.url ?? 'unmatched';
    o.metrics.request(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    const failure = request.failure;
    o.log.write(failure?.detail === undefined ? 'info' : 'error', 'request', {
      method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: reply.elapsedTime,
      caller: request.caller?.email, code: failure?.code, detail: failure?.detail,
    });
  });

  app.setErrorHandler(async (thrown, request, reply) => {
    const { error, internal } = answerFor(thrown, request);
    request.failure = { code: error.code, ...(internal ? { detail: thrown instanceof Error ? thrown.stack : String(thrown) } : {}) };
    const route = request.routeOptions.config.route;
    if (route?.audited !== undefined && Array.isArray((thrown as FastifyError).validation) && request.caller !== null) {
      // Every refusal of these calls is audited, a body refused by its schema too.
      const body = (request.body ?? {}) as Record<string, unknown>;
      o.metrics.licenseOutcome(AUDITED_LICENSE[route.audited], 'refused', error.code);
      await context().audit.record({
        actor: request.caller.email, action: route.audited, cid: typeof body.contentId === 'string' ? body.contentId : null, outcome: 'refused', reason: error.code,
      });
    }
    const challenge = o.challenge();
    if (error.code === 'AUTHENTICATION_FAILED' && challenge !== '') reply.header('www-authenticate', challenge);
    if (error.code === 'SERVICE_UNAVAILABLE') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.code(statusFor(error)).type('application/json; charset=utf-8').send(errorBody(error));
  });

  // Unmatched requests are answered by the onRequest hook; this handler is never reached.
  app.setNotFoundHandler(async () => { throw new RmsError('NOT_FOUND', 'no such call here'); });

  for (const route of ROUTES) registerRoute(app, route, Math.min(route.timeoutMs, o.limits.answerTimeoutMs), context, authenticate);

  if (o.metricsAccess !== 'nobody') {
    app.get('/metrics', async (request, reply) => {
      if (o.metricsAccess === 'loopback' && !isLoopbackAddress(request.raw.socket.remoteAddress)) {
        throw new RmsError('ACCESS_DENIED', '/metrics is served to loopback clients only (ServiceOptions.metricsAccess)');
      }
      return reply.type(o.metrics.contentType).send(await o.metrics.text());
    });
  }
  return { app, server };
}

/**
 * An onRequest hook answering SERVICE_UNAVAILABLE when the answer is not sent within `ms`. It
 * stands in for Fastify's handlerTimeout, which aborts an AbortController at the end of every
 * request, timed out or not: building that DOMException and running its listeners cost the event
 * loop about a tenth of a use license (measured in bench/scenarios/use-license-issuance.js).
 */
function answerWithin(ms: number) {
  return (_request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const timer = setTimeout(() => {
      if (!reply.sent) reply.send(new RmsError('SERVICE_UNAVAILABLE', `the service did not answer within ${ms} ms; try again shortly`));
    }, ms);
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  };
}

function registerRoute(app: FastifyInstance, route: Route, timeoutMs: number, context: () => RouteContext,
  authenticate: (c: RouteContext, req: IncomingMessage) => Promise<Account>): void {
  const request = (r: FastifyRequest): RouteRequest => ({
    raw: r.raw,
    params: Object.fromEntries(Object.entries(r.params as Record<string, string>).map(([k, v]) => [k, v.toLowerCase()])),
    query: r.query as Record<string, unknown>,
    body: (r.body ?? {}) as Record<string, unknown>,
  });
  const onRequest = async (r: FastifyRequest): Promise<void> => {
    const c = context();
    if (route.caller) {
      const account = await authenticate(c, r.raw);
      r.caller = account;
      if (route.admin && !account.admin) throw new RmsError('ACCESS_DENIED', `${account.email} is not an administrator of this service`);
    }
    route.admit?.(c);
  };
  app.route({
    method: route.method,
    url: route.url,
    // Fastify takes no 0; BudgetedBody refuses the first byte past maxBodyBytes before Fastify counts it.
    bodyLimit: Math.max(1, route.maxBodyBytes),
    config: { route },
    schema: {
      ...(route.schema.body === undefined ? {} : { body: route.schema.body }),
      ...(route.schema.querystring === undefined ? {} : { querystring: route.schema.querystring }),
      ...(route.schema.response === undefined ? {} : { response: { 200: route.schema.response } }),
    },
    onRequest: [answerWithin(timeoutMs), onRequest],
    handler: route.caller
      ? async (r: FastifyRequest) => route.handler(context(), { ...request(r), caller: r.caller! } satisfies CallerRequest)
      : async (r: FastifyRequest) => route.handler(context(), request(r)),
  });
}
