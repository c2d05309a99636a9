import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { AccessLog } from './access-log.js';
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

/** Keeps a caller's `x-request-id` when it is sane, so logs join up across services; otherwise mints one. */
function requestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Router-level rejections (malformed URL, oversized path parameter) in the same `{detail}` shape. */
function routerError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.status(error.statusCode ?? 400).send({ detail: error.message });
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
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? withoutUrlCredentials(arg) : arg)) as typeof args,
        );
      },
    },
  };
  const app = Fastify({
    logger: typeof options.logger === 'boolean' ? options.logger : { ...logger, ...options.logger },
    bodyLimit: config.bodyLimit,
    // A hop count, never `true`: only the addresses our own proxies appended are believed (proxy-addr's
    // meaning of a number: the socket's peer is hop 0, the last X-Forwarded-For entry hop 1...).
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    genReqId: requestId,
    logController: new AccessLog(),
    return503OnClosing: true,
    // The embedded database's first start (initdb + migrations) can take longer than avvio's 10 s.
    pluginTimeout: 60_000,
    frameworkErrors: routerError,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // JSON only: Fastify would otherwise parse text/plain bodies into strings.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  // Echo the request id so clients and proxies can quote it when reporting a problem.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await registerPlugins(app, { config, database: options.database });
  await registerRoutes(app);
  return app;
}
