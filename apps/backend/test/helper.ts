import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AuthResponse } from '@todo-stack/shared';
import { buildApp, type BuildOptions } from '../src/app/app.js';
import { loadConfig, type AppConfig } from '../src/config.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
// The decorators' types (app.database, app.tasksRepository...) are declared by their plugins.
import type {} from '../src/app/plugins/app/database.js';
import type {} from '../src/app/plugins/app/tasks.js';
import type {} from '../src/app/plugins/app/authentication.js';

export { ENGINE } from './support/test-database.js';

/** Config as `loadConfig` builds it from `env`, pointed at the test database, without start-up migrations. */
export function testConfig(db: TestDatabase, env: Record<string, string> = {}): AppConfig {
  return {
    // Test files sign many users up from one address: the auth budget gets its own tests (rate-limits.test.ts).
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_RATE_LIMIT: '100000', ...env }),
    database: db.config,
    migrateOnStart: false,
  };
}

/** An app over the test database `db` (the caller's: closing the app leaves it open), silent unless given a logger. */
export function buildTestApp(
  db: TestDatabase,
  env: Record<string, string> = {},
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  return buildApp(testConfig(db, env), { logger: false, ...options, database: db.database });
}

export interface LogCapture {
  /** Every line written so far, as the app wrote it (JSON). */
  lines: string[];
  /** The lines parsed. */
  records(): Record<string, unknown>[];
  /** For `buildTestApp`'s `logger` option. */
  logger: { level: string; stream: Writable };
}

/** Collects an app's log lines in memory, for tests of what is (and is never) logged. */
export function captureLogs(level = 'info'): LogCapture {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return {
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    logger: { level, stream },
  };
}

export interface TestContext {
  app: FastifyInstance;
  db: TestDatabase;
}

/**
 * The fastify/demo `build()` shape for Jest: one app on one fresh database per test file,
 * closed after the file. Access `ctx.app` / `ctx.db` inside tests.
 */
export function setupTestApp(env: Record<string, string> = {}, options: BuildOptions = {}): TestContext {
  const ctx = {} as TestContext;
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.app = await buildTestApp(ctx.db, env, options);
    await ctx.app.ready();
    // Starting PGlite (initdb + migrations) takes seconds on an idle machine and much longer on a busy one.
  }, 120_000);
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.db?.dispose();
  });
  return ctx;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  /** `Authorization: Bearer` header for `inject`. */
  headers: { authorization: string };
}

export const uniqueEmail = (label = 'user') => `${label}-${randomBytes(5).toString('hex')}@example.test`;

/** Signs a new user up through the real auth route. */
export async function signUp(
  app: FastifyInstance,
  fields: Partial<{ email: string; password: string; name: string }> = {},
): Promise<TestUser> {
  const body = { email: uniqueEmail(), password: 'correct-horse-battery', name: 'Test User', ...fields };
  const res = await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: body });
  if (res.statusCode !== 200) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  const { token, user } = res.json<AuthResponse>();
  return {
    id: user.id,
    email: body.email,
    password: body.password,
    token,
    headers: { authorization: `Bearer ${token}` },
  };
}

/** `inject` as `user`, with URLs relative to `/api/{user.id}`. */
export function asUser(app: FastifyInstance, user: TestUser) {
  return (options: Omit<InjectOptions, 'url'> & { url: string }): Promise<LightMyRequestResponse> =>
    app.inject({ ...options, url: `/api/${user.id}${options.url}`, headers: { ...user.headers, ...options.headers } });
}

/** Asserts a FastAPI-style 422 whose issues include one at `loc` (e.g. ['body', 'title']). */
export function expectValidationError(res: LightMyRequestResponse, loc?: (string | number)[]): void {
  expect(res.statusCode).toBe(422);
  const { detail } = res.json<{ detail: { loc: (string | number)[]; msg: string; type: string }[] }>();
  expect(Array.isArray(detail)).toBe(true);
  if (loc) expect(detail.map((issue) => issue.loc)).toContainEqual(loc);
}
