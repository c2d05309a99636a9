import { ConfigError, loadConfig } from '../src/config.js';

const SECRET = 's'.repeat(32);

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('runs on the embedded database with development defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 8000,
      database: { kind: 'pglite', dataDir: '.data/pglite' },
      migrateOnStart: true,
      frontendOrigins: ['http://localhost:3000'],
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set, and then migrates only on request', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/todo', DATABASE_POOL_MAX: '4' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/todo', poolMax: 4 });
    expect(config.migrateOnStart).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/todo', MIGRATE_ON_START: 'true' }).migrateOnStart).toBe(true);
  });

  it('refuses to start in production without a secret, saying how to make one', () => {
    const found = problems({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/todo' });
    expect(found).toEqual([expect.stringMatching(/BETTER_AUTH_SECRET is required.*openssl rand -base64 32/)]);
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(problems({ BETTER_AUTH_SECRET: 'short' })).toEqual([expect.stringContaining('too short (5 characters)')]);
  });

  it('refuses the embedded database in production', () => {
    expect(problems({ NODE_ENV: 'production', BETTER_AUTH_SECRET: SECRET })).toEqual([
      expect.stringContaining('DATABASE_URL is required when NODE_ENV=production'),
    ]);
  });

  it('reports every bad value at once, with the value it got', () => {
    const found = problems({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db',
      FRONTEND_ORIGIN: 'localhost:3000',
    });
    expect(found).toHaveLength(4);
    expect(found.join('\n')).toMatch(/PORT.*"eighty"/);
    expect(found.join('\n')).toMatch(/LOG_LEVEL.*"loud"/);
    expect(found.join('\n')).toMatch(
      /DATABASE_URL: must match pattern .* \(got a "mysql:" value, the rest not shown\)/,
    );
    expect(found.join('\n')).toMatch(/FRONTEND_ORIGIN: "localhost:3000" is not an origin/);
  });

  it('names a bad secret variable without echoing its value', () => {
    const found = problems({
      DATABASE_URL: 'mysql://admin:hunter2-db-password@db/todo',
      OPENAI_BASE_URL: 'ftp://user:hunter2-api-password@llm.local',
      BETTER_AUTH_SECRET: 'hunter2',
      PORT: 'eighty',
    });
    const text = found.join('\n');
    expect(found).toHaveLength(4);
    for (const name of ['DATABASE_URL', 'OPENAI_BASE_URL', 'BETTER_AUTH_SECRET', 'PORT']) expect(text).toContain(name);
    expect(text).not.toMatch(/hunter2|admin|user:/);
    expect(text).toContain('"eighty"'); // plain settings are still quoted
  });

  it('accepts several frontend origins and treats empty variables as unset', () => {
    const config = loadConfig({ FRONTEND_ORIGIN: 'http://todo.local, http://localhost:30080/', PORT: '' });
    expect(config.frontendOrigins).toEqual(['http://todo.local', 'http://localhost:30080']);
    expect(config.port).toBe(8000);
  });

  it('never keeps the development secret in production', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      BETTER_AUTH_SECRET: SECRET,
      DATABASE_URL: 'postgres://db/todo',
    });
    expect(config.auth.secret).toBe(SECRET);
  });

  it('trusts a number of proxy hops, never every hop', () => {
    expect(loadConfig({}).trustProxyHops).toBe(0);
    expect(loadConfig({ TRUST_PROXY_HOPS: '1' }).trustProxyHops).toBe(1);
    expect(() => loadConfig({ TRUST_PROXY_HOPS: '-1' })).toThrow(/TRUST_PROXY_HOPS/);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/replaced by TRUST_PROXY_HOPS/);
  });

  it('migrates without the auth secret: the migration Job gets only the database URL', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/todo' };
    expect(problems(production)).toEqual([expect.stringContaining('BETTER_AUTH_SECRET is required')]);
    expect(() => loadConfig(production, { command: 'migrate' })).not.toThrow();
  });

  it('gives SIGTERM at least as long as the longest request (a chat turn with a model)', () => {
    expect(loadConfig({}).shutdownGraceMs).toBe(35_000);
    expect(loadConfig({ OPENAI_TIMEOUT_MS: '60000' }).shutdownGraceMs).toBe(65_000);
    expect(problems({ OPENAI_API_KEY: 'sk-x', OPENAI_TIMEOUT_MS: '30000', SHUTDOWN_GRACE_MS: '10000' })).toEqual([
      expect.stringContaining('shorter than a chat turn may take'),
    ]);
  });

  it('turns metrics on with METRICS_PORT only', () => {
    expect(loadConfig({}).metricsPort).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(problems({ METRICS_PORT: '70000' })).toEqual([expect.stringMatching(/METRICS_PORT.*"70000"/)]);
  });

  it('turns tracing on with the standard OTEL_* variables, off by default', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({
      exporter: 'otlp',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      serviceName: 'todo-backend',
    });
    expect(
      loadConfig({
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      }).tracing,
    ).toMatchObject({ exporter: 'console', sampler: { name: 'traceidratio', ratio: 0.1 } });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).tracing).toBe(
      undefined,
    );
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).tracing).toBe(
      undefined,
    );
    expect(problems({ OTEL_TRACES_EXPORTER: 'jaeger' })).toEqual([expect.stringMatching(/OTEL_TRACES_EXPORTER/)]);
  });

  it('sets listener timeouts a browser never meets, with an idle limit longer than a chat turn', () => {
    expect(loadConfig({}).http).toEqual({
      headersTimeoutMs: 15_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 65_000,
      idleTimeoutMs: 45_000,
    });
    expect(loadConfig({ OPENAI_TIMEOUT_MS: '120000' }).http.idleTimeoutMs).toBe(135_000);
    expect(problems({ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '20000' })).toEqual([
      expect.stringContaining('HTTP_HEADERS_TIMEOUT_MS (30000) is longer than HTTP_REQUEST_TIMEOUT_MS'),
    ]);
    expect(problems({ OPENAI_API_KEY: 'sk-x', HTTP_IDLE_TIMEOUT_MS: '20000' })).toEqual([
      expect.stringContaining('HTTP_IDLE_TIMEOUT_MS (20000) is not longer than a chat turn'),
    ]);
    expect(problems({ HTTP_HEADERS_TIMEOUT_MS: '0' })).toEqual([expect.stringMatching(/^HTTP_HEADERS_TIMEOUT_MS: /)]);
  });
});
