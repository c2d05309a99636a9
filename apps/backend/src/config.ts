import envSchema from 'env-schema';
import Type, { type Static } from 'typebox';

/**
 * Everything the backend reads from its environment, validated once at start-up.
 * A bad or missing value stops the process with a message that says what to set.
 */
const Env = Type.Object({
  NODE_ENV: Type.Enum(['development', 'production', 'test'], { default: 'development' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  PGLITE_DATA_DIR: Type.String({ default: '.data/pglite' }),
  MIGRATE_ON_START: Type.Optional(Type.Boolean()),
  BETTER_AUTH_SECRET: Type.Optional(Type.String()),
  BETTER_AUTH_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  FRONTEND_ORIGIN: Type.String({ default: 'http://localhost:3000' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 100 * 1024 }),
  SIGN_IN_RATE_LIMIT: Type.Integer({ minimum: 1, default: 5 }),
  SIGN_IN_RATE_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  /** Sign-in attempts per account from all addresses together; the window bounds how long an account stays locked. */
  SIGN_IN_ACCOUNT_RATE_LIMIT: Type.Integer({ minimum: 1, default: 20 }),
  SIGN_IN_ACCOUNT_RATE_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 900 }),
  AUTH_RATE_LIMIT: Type.Integer({ minimum: 1, default: 20 }),
  AUTH_RATE_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  SESSION_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 5_000 }),
  /** Reverse proxies in front of the backend that append the client to X-Forwarded-For (never "trust all"). */
  TRUST_PROXY_HOPS: Type.Integer({ minimum: 0, maximum: 10, default: 0 }),
  /** Replaced by TRUST_PROXY_HOPS: kept only to explain the change to whoever still sets it. */
  TRUST_PROXY: Type.Optional(Type.String()),
  /** Unset: the longest request's budget (a chat turn, OPENAI_TIMEOUT_MS) plus a margin for its database writes. */
  SHUTDOWN_GRACE_MS: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Listener timeouts (docs/security.md, "Timeouts"): headers, the whole request, an idle keep-alive connection. */
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 15_000 }),
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 60_000 }),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 65_000 }),
  /** A socket with no traffic either way. Unset: the longest request's budget plus 10 s. */
  HTTP_IDLE_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
  OPENAI_API_KEY: Type.Optional(Type.String()),
  OPENAI_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  OPENAI_MODEL: Type.String({ minLength: 1, default: 'gpt-4o-mini' }),
  OPENAI_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  OPENAI_MAX_STEPS: Type.Integer({ minimum: 1, maximum: 20, default: 6 }),
  CHAT_RATE_LIMIT: Type.Integer({ minimum: 1, default: 20 }),
  CHAT_RATE_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  MCP_RATE_LIMIT: Type.Integer({ minimum: 1, default: 120 }),
  MCP_RATE_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  /** Prometheus metrics on their own listener (HOST:METRICS_PORT/metrics), never on PORT; unset: no metrics. */
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  // OpenTelemetry's standard variables (tracing is off unless an exporter or an OTLP endpoint is named). The OTLP
  // exporter reads its own (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT...) and the resource OTEL_RESOURCE_ATTRIBUTES.
  OTEL_SDK_DISABLED: Type.Optional(Type.Boolean()),
  OTEL_TRACES_EXPORTER: Type.Optional(Type.Enum(['otlp', 'console', 'none'])),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  OTEL_TRACES_SAMPLER: Type.Enum(
    [
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ],
    { default: 'parentbased_always_on' },
  ),
  OTEL_TRACES_SAMPLER_ARG: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
  OTEL_SERVICE_NAME: Type.String({ minLength: 1, default: 'todo-backend' }),
});
type Env = Static<typeof Env>;
/** env-schema sets `additionalProperties: false` on the schema it is given: a copy keeps `Env` as declared. */
const ENV_SCHEMA = { ...Env };

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; poolMax: number }
  /** `dataDir` is a folder, or `memory://` for a throwaway database. */
  | { kind: 'pglite'; dataDir: string };

export interface AppConfig {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  logLevel: Env['LOG_LEVEL'];
  database: DatabaseConfig;
  /** Apply pending migrations when the server starts (default: only for the embedded database). */
  migrateOnStart: boolean;
  auth: { secret: string; baseUrl: string };
  /** Origins allowed by CORS and trusted by Better Auth (the frontend). */
  frontendOrigins: string[];
  bodyLimit: number;
  signInRateLimit: { max: number; windowSeconds: number };
  /** Sign-in attempts per account across every address (a bounded window: an attacker cannot lock it for good). */
  signInAccountRateLimit: { max: number; windowSeconds: number };
  /** Every POST under /api/auth, per client: sign-up's scrypt hash and password spraying cost the server. */
  authRateLimit: { max: number; windowSeconds: number };
  /**
   * Sessions an instance trusts without asking the database again, for `ttlMs` (0: off). A sign-out on this
   * instance takes effect at once; one on another replica within `ttlMs` (see the README).
   */
  sessionCache: { ttlMs: number; max: number };
  /**
   * Proxy hops to trust (Fastify `trustProxy` as a number): the client is the address that many hops back in
   * X-Forwarded-For, so entries a client adds in front of it change nothing. 0: the socket's address.
   */
  trustProxyHops: number;
  shutdownGraceMs: number;
  /** Node's headersTimeout and Fastify's requestTimeout, keepAliveTimeout and connectionTimeout (socket idle). */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; idleTimeoutMs: number };
  chat: ChatConfig;
  mcp: McpConfig;
  /** The Prometheus listener's port (0: any free port); undefined: metrics are off and nothing is measured. */
  metricsPort?: number;
  /** Listen with SO_REUSEPORT (live update's entry, src/live.ts: the next build listens beside this one). */
  reusePort?: boolean;
  /** OpenTelemetry traces; undefined: off, and the SDK is never loaded. */
  tracing?: TracingConfig;
}

export interface TracingConfig {
  exporter: 'otlp' | 'console';
  sampler: { name: Env['OTEL_TRACES_SAMPLER']; ratio: number };
  serviceName: string;
}

interface ChatConfig {
  /** OpenAI (or a compatible server) when `OPENAI_API_KEY` is set; otherwise the built-in offline agent. */
  openai?: { apiKey: string; baseUrl?: string; model: string; timeoutMs: number; maxSteps: number };
  rateLimit: { max: number; windowSeconds: number };
}

interface McpConfig {
  /** /mcp: each client action is a few JSON-RPC posts (initialize, tools/list, tools/call), hence its own budget. */
  rateLimit: { max: number; windowSeconds: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Only for development and tests: production refuses to start without a real secret. */
const DEVELOPMENT_SECRET = 'todo-stack-development-secret-do-not-use-in-production';
const MIN_SECRET_LENGTH = 32;

/** Margin on top of the chat turn's budget for storing its reply after the model answered. */
const SHUTDOWN_MARGIN_MS = 5_000;
/** Margin of the socket idle timeout over the longest request. */
const IDLE_MARGIN_MS = 10_000;
/** Sessions one instance caches at most: about 2 MB, far more than are active within a TTL on one replica. */
const SESSION_CACHE_MAX = 10_000;

/** What env-schema reports per problem (ajv's errors). */
interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: { allowedValues?: unknown[] };
}

/** Variables whose values can hold credentials: a start-up error names them but never prints what they hold. */
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'BETTER_AUTH_SECRET', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']);
/** A URL's scheme, safe to show ("mysql:"): what is usually wrong with a URL variable. */
const SCHEME = /^[a-z][a-z0-9+.-]{0,19}:/i;

/** The value a problem quotes: verbatim for plain settings; for secret ones at most a URL's scheme. */
function quoted(name: string, value: string | undefined): string {
  if (!SECRET_VARIABLES.has(name) || value === undefined) return `got ${JSON.stringify(value ?? null)}`;
  const scheme = SCHEME.exec(value)?.[0];
  return scheme ? `got a "${scheme}" value, the rest not shown` : 'value not shown';
}

const explain = (issue: SchemaError): string =>
  issue.keyword === 'enum' && issue.params.allowedValues
    ? `must be one of ${issue.params.allowedValues.join(', ')}`
    : (issue.message ?? 'is invalid');

/** Defaults and type coercion (`"8000"` -> 8000, `"true"` -> true) by env-schema, from `data` only (not process.env). */
const parse = (data: Record<string, string | undefined>): Env =>
  envSchema<Env>({ schema: ENV_SCHEMA, data, env: false, dotenv: false });

/**
 * One problem per bad variable, all at once (env-schema's error is one line). The bad variables are then dropped
 * and the rest parsed again, so the checks across variables below still run and one start-up reports everything.
 */
function parseEnv(raw: Record<string, string | undefined>): { env: Env; problems: string[] } {
  try {
    return { env: parse(raw), problems: [] };
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!errors) throw error;
    const messages = new Map<string, string[]>();
    for (const issue of errors) {
      const name = issue.instancePath.slice(1);
      messages.set(name, [...(messages.get(name) ?? []), explain(issue)]);
    }
    const problems = [...messages].map(
      ([name, found]) => `${name || 'environment'}: ${found.join(', ')} (${quoted(name, raw[name])})`,
    );
    const valid = Object.fromEntries(Object.entries(raw).filter(([name]) => !messages.has(name)));
    return { env: parse(valid), problems };
  }
}

/**
 * `command`: `migrate` only needs the database, so a migration Job runs without the auth secret (least privilege).
 */
export function loadConfig(
  source: Record<string, string | undefined> = process.env,
  { command = 'serve' }: { command?: 'serve' | 'migrate' } = {},
): AppConfig {
  // Empty strings mean "unset", as in most shells and compose files.
  const raw = Object.fromEntries(
    Object.keys(Env.properties)
      .filter((key) => source[key] !== undefined && source[key] !== '')
      .map((key) => [key, source[key]]),
  );
  const { env, problems } = parseEnv(raw);

  const production = env.NODE_ENV === 'production';
  if (production && !env.BETTER_AUTH_SECRET && command === 'serve') {
    problems.push(
      `BETTER_AUTH_SECRET is required when NODE_ENV=production: set it to a random string of at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 32\`).`,
    );
  } else if (env.BETTER_AUTH_SECRET && env.BETTER_AUTH_SECRET.length < MIN_SECRET_LENGTH) {
    problems.push(
      `BETTER_AUTH_SECRET is too short (${env.BETTER_AUTH_SECRET.length} characters): use at least ${MIN_SECRET_LENGTH} (e.g. \`openssl rand -base64 32\`).`,
    );
  }
  if (production && !env.DATABASE_URL) {
    problems.push(
      'DATABASE_URL is required when NODE_ENV=production (a postgres:// connection URL); the embedded database is for local development only.',
    );
  }
  const frontendOrigins = env.FRONTEND_ORIGIN.split(',')
    .map((origin) => origin.trim().replace(/\/$/, ''))
    .filter(Boolean);
  for (const origin of frontendOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(origin))
      problems.push(`FRONTEND_ORIGIN: "${origin}" is not an origin like http://localhost:3000`);
  }
  const longestRequestMs = env.OPENAI_TIMEOUT_MS + SHUTDOWN_MARGIN_MS;
  if (env.OPENAI_API_KEY && env.SHUTDOWN_GRACE_MS !== undefined && env.SHUTDOWN_GRACE_MS < longestRequestMs) {
    problems.push(
      `SHUTDOWN_GRACE_MS (${env.SHUTDOWN_GRACE_MS}) is shorter than a chat turn may take (OPENAI_TIMEOUT_MS + ${SHUTDOWN_MARGIN_MS} = ${longestRequestMs}): a shutdown would cut replies off. Raise it, or lower OPENAI_TIMEOUT_MS.`,
    );
  }
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_MS (${env.HTTP_HEADERS_TIMEOUT_MS}) is longer than HTTP_REQUEST_TIMEOUT_MS (${env.HTTP_REQUEST_TIMEOUT_MS}), the time for the whole request: lower it.`,
    );
  }
  // A chat turn sends nothing while the model thinks: the socket's idle limit must outlast it.
  const idleTimeoutMs = env.HTTP_IDLE_TIMEOUT_MS ?? longestRequestMs + IDLE_MARGIN_MS;
  if (env.OPENAI_API_KEY && idleTimeoutMs <= longestRequestMs) {
    problems.push(
      `HTTP_IDLE_TIMEOUT_MS (${idleTimeoutMs}) is not longer than a chat turn may take (OPENAI_TIMEOUT_MS + ${SHUTDOWN_MARGIN_MS} = ${longestRequestMs}): replies would be cut off. Raise it, or lower OPENAI_TIMEOUT_MS.`,
    );
  }
  if (raw['TRUST_PROXY'] !== undefined) {
    problems.push(
      'TRUST_PROXY: replaced by TRUST_PROXY_HOPS, the number of proxies in front of the backend (1 behind the frontend or an ingress). Trusting every hop would let any client pick its own address in X-Forwarded-For.',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const database: DatabaseConfig = env.DATABASE_URL
    ? { kind: 'postgres', url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX }
    : { kind: 'pglite', dataDir: env.PGLITE_DATA_DIR };

  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    database,
    migrateOnStart: env.MIGRATE_ON_START ?? database.kind === 'pglite',
    auth: {
      secret: env.BETTER_AUTH_SECRET ?? DEVELOPMENT_SECRET,
      baseUrl: env.BETTER_AUTH_URL ?? `http://localhost:${env.PORT}`,
    },
    frontendOrigins,
    bodyLimit: env.BODY_LIMIT_BYTES,
    signInRateLimit: { max: env.SIGN_IN_RATE_LIMIT, windowSeconds: env.SIGN_IN_RATE_WINDOW_SECONDS },
    signInAccountRateLimit: {
      max: env.SIGN_IN_ACCOUNT_RATE_LIMIT,
      windowSeconds: env.SIGN_IN_ACCOUNT_RATE_WINDOW_SECONDS,
    },
    authRateLimit: { max: env.AUTH_RATE_LIMIT, windowSeconds: env.AUTH_RATE_WINDOW_SECONDS },
    sessionCache: { ttlMs: env.SESSION_CACHE_TTL_MS, max: SESSION_CACHE_MAX },
    trustProxyHops: env.TRUST_PROXY_HOPS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS ?? longestRequestMs,
    http: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs,
    },
    chat: {
      ...(env.OPENAI_API_KEY
        ? {
            openai: {
              apiKey: env.OPENAI_API_KEY,
              ...(env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL.replace(/\/$/, '') } : {}),
              model: env.OPENAI_MODEL,
              timeoutMs: env.OPENAI_TIMEOUT_MS,
              maxSteps: env.OPENAI_MAX_STEPS,
            },
          }
        : {}),
      rateLimit: { max: env.CHAT_RATE_LIMIT, windowSeconds: env.CHAT_RATE_WINDOW_SECONDS },
    },
    mcp: { rateLimit: { max: env.MCP_RATE_LIMIT, windowSeconds: env.MCP_RATE_WINDOW_SECONDS } },
    ...(env.METRICS_PORT !== undefined ? { metricsPort: env.METRICS_PORT } : {}),
    ...tracingConfig(env),
  };
}

/**
 * On when an exporter is named (OTEL_TRACES_EXPORTER) or an OTLP endpoint is given, unless OTEL_SDK_DISABLED is
 * true or the exporter is `none`: the SDK's own default ("otlp" to localhost) would send spans nowhere by surprise.
 */
function tracingConfig(env: Env): { tracing?: TracingConfig } {
  const exporter =
    env.OTEL_TRACES_EXPORTER ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : 'none');
  if (env.OTEL_SDK_DISABLED || exporter === 'none') return {};
  return {
    tracing: {
      exporter,
      sampler: { name: env.OTEL_TRACES_SAMPLER, ratio: env.OTEL_TRACES_SAMPLER_ARG },
      serviceName: env.OTEL_SERVICE_NAME,
    },
  };
}
