import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { readFileSync } from 'node:fs';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type onRequestHookHandler,
  type onResponseHookHandler,
  type onSendHookHandler,
  type preHandlerHookHandler,
  type preValidationHookHandler,
} from 'fastify';
import type { TwoCredentialRoute } from '../config.js';
import type { Logger } from 'pino';
import { getOperation } from '../domain/operations.js';
import type { IdempotencyService } from '../services/idempotency.js';
import { CUSTOMER_OPERATIONS } from '../domain/client-secret.js';
import { authenticationHook, clientSecretScopeHook, type ClientSecretScope, requireSigningKey, signatureHook, twoCredentialHook, type AuthenticationSettings } from './authentication.js';
import { registerCorsPreflight } from './cors.js';
import { clientErrorResponse, frameworkErrorHandler, registerErrorHandling } from './error-handler.js';
import { idempotencyHooks } from './idempotency.js';
import { registerJsonBodyParser } from './json-body.js';
import { redactSecrets, secretPattern } from './log-redaction.js';
import { requestIdGenerator } from './request-id.js';
import { DeferredChildLogger } from './request-logger.js';
import { rewriteEnvironmentPrefix } from './request-environment.js';
import type { App, RouteDeps } from './route-deps.js';
import { registerRoutes } from './routes/index.js';
import { sessionOnlyHook } from './session-authentication.js';
import { validatorCompiler } from './validation.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The operation a route performs; routes without one need no credential. */
    operation?: string;
    /** Routes of customer-facing operations: where a client secret may be used (see clientSecretScopeHook). */
    clientSecretScope?: ClientSecretScope;
    /** Only keys that sign their requests may call this route (403 signing_required otherwise). */
    requireSignedRequests?: boolean;
    /** A dashboard session's own route (GET /v1/session…): a signed-in user, no key, no account. */
    session?: boolean;
  }
}

export interface ServerOptions {
  logger: Logger;
  bodyLimitBytes: number;
  brand: string;
  publicUrl: string;
  authentication: AuthenticationSettings;
  twoCredentialRoutes: TwoCredentialRoute[];
  tls: { certFile: string; keyFile: string } | null;
  /** CIDRs of proxies whose X-Forwarded-* headers are believed. */
  trustedProxies: string[];
  idempotency: IdempotencyService;
  routes: RouteDeps;
}

function appendHook<T>(existing: T | T[] | undefined, hook: T): T[] {
  if (existing === undefined) return [hook];
  return Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

export async function buildServer(options: ServerOptions): Promise<App> {
  const nextRequestId = requestIdGenerator();
  const app = Fastify({
    ...(options.tls !== null && { https: { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) } }),
    // X-Forwarded-For is walked from the right past trusted hops only; from anyone else it is ignored.
    trustProxy: options.trustedProxies.length > 0 ? options.trustedProxies : false,
    loggerInstance: options.logger as FastifyBaseLogger,
    // One line per request, written by our own onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: nextRequestId,
    childLoggerFactory: (logger, bindings, childOptions) => new DeferredChildLogger(logger, bindings, childOptions),
    bodyLimit: options.bodyLimitBytes,
    rewriteUrl: rewriteEnvironmentPrefix,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler: (error, socket) => {
      // A HEAD request's answer has no body, even when the rest of the request is malformed.
      const head = (error as unknown as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
      if (socket.writable) socket.end(clientErrorResponse(nextRequestId(), head));
      else socket.destroy(error);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('principal', null);
  app.decorateRequest('pendingSignatures', null);
  app.decorateRequest('idempotencyClaim', null);
  app.decorateRequest('dashboardSession', null);
  registerJsonBodyParser(app);
  registerErrorHandling(app);

  const secrets = secretPattern(options.brand);
  // The per-request line holds only these safe fields (the URL scrubbed of anything key-shaped),
  // so it skips pino's redaction, which costs several microseconds per line.
  const requestLog = options.logger.child({}, { redact: [] });
  const idempotency = idempotencyHooks(options.idempotency);
  const verifySignatures = signatureHook(options.authentication.authenticator);

  app.addHook('onRequest', function setRequestIdHeader(request, reply, done) {
    reply.header('request-id', request.id);
    done();
  });

  const sessions = options.authentication.sessions;
  const authenticateSession = sessions === undefined ? null : sessionOnlyHook({ sessions, environmentOf: options.authentication.environmentOf, transport: options.authentication.transport });

  // Per-route hooks, added as routes are declared: a route pays only for what it uses.
  app.addHook('onRoute', (route) => {
    if (route.config?.session === true) {
      if (authenticateSession === null) throw new TypeError(`route ${route.url} needs dashboard sessions, and the server has none`);
      route.onRequest = appendHook<onRequestHookHandler>(route.onRequest as never, authenticateSession);
    }
    const operationName = route.config?.operation;
    if (operationName !== undefined) {
      const op = getOperation(operationName);
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const twoCredentials = options.twoCredentialRoutes.find((r) => r.url === route.url && methods.includes(r.method as never));
      const authenticate = twoCredentials === undefined ? authenticationHook(options.authentication, op) : twoCredentialHook(options.authentication, op, twoCredentials);
      route.onRequest = appendHook<onRequestHookHandler>(route.onRequest as never, authenticate);
      if (route.config?.requireSignedRequests === true) route.onRequest = appendHook<onRequestHookHandler>(route.onRequest as never, requireSigningKey);
      if (CUSTOMER_OPERATIONS.includes(op.name)) route.onRequest = appendHook<onRequestHookHandler>(route.onRequest as never, clientSecretScopeHook(route.config?.clientSecretScope));
      // A request with no body can prove its signature at once; one with a body, once it is read.
      // (A hook stage of its own costs every request of the route, signed or not.)
      const bodyless = methods.every((m) => m === 'GET' || m === 'HEAD');
      if (bodyless) route.onRequest = appendHook<onRequestHookHandler>(route.onRequest as never, verifySignatures as onRequestHookHandler);
      else route.preValidation = appendHook<preValidationHookHandler>(route.preValidation as never, verifySignatures);
      if (methods.includes('POST')) {
        route.preHandler = appendHook<preHandlerHookHandler>(route.preHandler as never, idempotency.preHandler);
        route.onSend = appendHook<onSendHookHandler>(route.onSend as never, idempotency.onSend);
      }
      route.schema = {
        ...route.schema,
        security: [{ bearer: [] }, { basic: [] }, { apiKey: [] }, { session: [] }],
        description: `${route.schema?.description ?? ''}\n\nOperation: \`${op.name}\` (${op.category}).`.trim(),
      };
    }
    const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
    if (method === 'HEAD') return;
    const stats = options.routes.metrics.routeStats(method, route.url);
    const logResponse: onResponseHookHandler = function observe(request, reply, done) {
      const seconds = reply.elapsedTime / 1000;
      stats.observe(reply.statusCode, seconds);
      requestLog.info(
        { reqId: request.id, method: request.method, url: redactSecrets(request.url, secrets), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, key: request.principal?.credentialId },
        'request',
      );
      done();
    };
    route.onResponse = appendHook<onResponseHookHandler>(route.onResponse as never, logResponse);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tessera API', version: '1', description: 'Credentials for payment APIs: keys, request authentication, management.' },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
          basic: { type: 'http', scheme: 'basic', description: 'Key id as user, secret as password.' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'tessera_session',
            description: 'A dashboard session (POST /v1/session), with Tessera-Account naming the account acted as and X-CSRF-Token on every change.',
          },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  registerCorsPreflight(app, options.authentication.extraHeaders);
  registerRoutes(app, options.routes);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
