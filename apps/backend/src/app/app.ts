import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pino } from 'pino';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { AccessLog } from './access-log.js';
import { refuseNonCanonicalPath } from './canonical-path.js';
import { logSerializers, withoutUrlCredentials } from './log-serializers.js';
import { validatorCompiler } from './validation.js';
import { registerJsonBodyParser } from './json-body.js';
import { registerPlugins } from './plugins/index.js';
import { registerRoutes } from './routes/index.js';

export interface BuildOptions {
  /** Overrides the logger built from the config: `false`, or options (a stream) merged over its redaction and serializers. */
  logger?: FastifyServerOptions['logger'];
  /** An already-open database (tests share one per file); otherwise one is opened from the config. */
  database?: Database;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Log lines are written to stdout in batches of this many bytes at least... */
const LOG_BATCH_BYTES = 4096;
/** ...or this often, whichever comes first: a quiet server's lines still show up at once. */
const LOG_FLUSH_MS = 100;
let stdout: pino.DestinationStream | undefined;

/**
 * stdout for the logs, shared by every app of the process. One `write` per access log line was ~7% of a list
 * request's CPU; batched, a busy server writes a few KB at a time. pino flushes what is left synchronously when the
 * process exits, so lines are lost only if the process is killed outright (SIGKILL, OOM): at most one batch.
 */
const stdoutDestination = () =>
  (stdout ??= pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS }));

/** Keeps a caller's `x-request-id` when it is sane, so logs join up across services; otherwise mints one. */
function requestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Router-level rejections (malformed URL, oversized path parameter) in the same `{detail}` shape. */
function routerError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.status(error.statusCode ?? 400).send({ detail: error.message });
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive: send it again.'],
  HPE_HEADER_OVERFLOW: [431, 'The request headers are too large.'],
};

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (unparsable request line or headers, a request that
 * missed `requestTimeout`/`headersTimeout`), answered in the `{detail}` shape, then the connection is closed: what
 * Fastify's default handler does, with the API's error body.
 */
function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad request: the request could not be parsed.'];
  this.log.debug({ err: error }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify({ detail });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The whole API as a Fastify instance, ready to `inject()` or `listen()`. */
export async function buildApp(config: AppConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;
  const logger: LoggerOptions = {
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    serializers: logSerializers,
    // Message strings too: a URL with `user:password@` in any log message is written without its credentials.
    hooks: {
      logMethod(args, method) {
        const credentials = args.some((arg) => typeof arg === 'string' && arg.includes('@'));
        method.apply(
          this,
          credentials
            ? (args.map((arg) => (typeof arg === 'string' ? withoutUrlCredentials(arg) : arg)) as typeof args)
            : args,
        );
      },
    },
  };
  const custom = typeof options.logger === 'object' ? options.logger : undefined;
  const app = Fastify({
    logger:
      typeof options.logger === 'boolean'
        ? options.logger
        : { ...logger, ...custom, stream: custom?.stream ?? stdoutDestination() },
    bodyLimit: config.bodyLimit,
    // A client that sends its headers or body too slowly gets 408 and is disconnected (slowloris); so is an idle
    // keep-alive connection, and a socket with no traffic either way. Values: config.ts, docs/security.md.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      // Node checks the two limits above on this interval (default 30 s, which would stretch a 15 s limit to 45 s).
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(config.http.headersTimeoutMs / 4)),
    },
    // A hop count, never `true`: only the addresses our own proxies appended are believed (proxy-addr's
    // meaning of a number: the socket's peer is hop 0, the last X-Forwarded-For entry hop 1...).
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    genReqId: requestId,
    logController: new AccessLog(),
    return503OnClosing: true,
    // The embedded database's first start (initdb + migrations) can take longer than avvio's 10 s.
    pluginTimeout: 60_000,
    frameworkErrors: routerError,
    clientErrorHandler,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // JSON only: Fastify would otherwise parse text/plain bodies into strings.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  // Before any other hook (authentication, rate limits) and for every route, catch-all and the 404 handler. Echoes
  // the request id so clients and proxies can quote it when reporting a problem. Callback style: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    refuseNonCanonicalPath(request, reply, done);
  });
  await registerPlugins(app, { config, database: options.database });
  await registerRoutes(app);
  return app;
}
