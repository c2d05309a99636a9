import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { fromNodeHeaders } from 'better-auth/node';
import { budgetHook, clientOf } from '../../../client-budget.js';
import { signedIn } from '../../openapi.js';
import {
  AuthResponse,
  ErrorBody,
  Session,
  SignInBody,
  SignUpBody,
  type ErrorBody as ErrorBodyType,
} from '@todo-stack/shared';

/** Better Auth error codes whose status FastAPI's contract spells differently. */
const STATUS_BY_CODE: Record<string, number> = {
  USER_ALREADY_EXISTS: 409,
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: 409,
  VALIDATION_ERROR: 422,
};

const PASSED_HEADERS = ['content-type', 'location', 'set-auth-token', 'cache-control'];

/** Sends Better Auth's answer through Fastify: cookies and token headers as they are, errors as `{detail}`. */
async function relay(response: Response, reply: FastifyReply): Promise<FastifyReply> {
  for (const name of PASSED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) reply.header(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header('set-cookie', cookies);

  const text = await response.text();
  if (response.ok) return reply.status(response.status).send(text === '' ? undefined : text);

  let error: { code?: string; message?: string } = {};
  try {
    error = JSON.parse(text) as typeof error;
  } catch {
    // Non-JSON error bodies keep their status with a generic message.
  }
  const status = (error.code && STATUS_BY_CODE[error.code]) || response.status;
  const body: ErrorBodyType = { detail: error.message || response.statusText || 'Authentication request failed' };
  return reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

/** The account a sign-in is for, as Better Auth matches it (emails are stored lower-case). */
const accountOf = (body: SignInBody): string => String(body.email).trim().toLowerCase();

/**
 * /api/auth/*: Better Auth's handler behind Fastify. The routes clients use most are declared with the
 * shared schemas (validated, documented, sign-in rate limited); everything else is passed through.
 */
const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app;

  // Every write (sign-up's scrypt hash, sign-in, password and session changes) spends the client's budget, before
  // the body is even parsed; sign-in also has tighter ones per client and account and per account (below). Sign-out
  // spends none: it only lowers privilege, and a refused sign-out would leave a session alive that its owner wanted
  // ended. Only the declared route is exempt; any other spelling that reaches Better Auth pays like every write.
  const signOutUrl = `${app.prefix}/sign-out`;
  const authWrites = budgetHook(app, { name: 'auth-writes', ...config.authRateLimit });
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    if (request.routeOptions.url === signOutUrl) return;
    return authWrites(request, reply);
  });
  // Guesses at one account from many addresses (a botnet) share one budget. Its window is bounded: once the
  // guessing stops, the owner can sign in again after at most SIGN_IN_ACCOUNT_RATE_WINDOW_SECONDS.
  const accountBudget = budgetHook(app, {
    name: 'sign-in-account',
    ...config.signInAccountRateLimit,
    key: (request) => accountOf(request.body as SignInBody),
  });

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const headers = fromNodeHeaders(request.headers);
    headers.delete('content-length'); // the body is re-serialised below
    const hasBody = request.body !== undefined && request.method !== 'GET';
    // The path Fastify routed (the router ignores one trailing slash; Better Auth's does not), already canonical
    // (app/canonical-path.ts), so `new URL` has no dot segment left to resolve into another endpoint.
    const url = new URL(request.url, config.auth.baseUrl);
    url.pathname = url.pathname.replace(/(.)\/$/, '$1');
    const response = await app.auth.handler(
      new Request(url, {
        method: request.method,
        headers,
        body: hasBody ? JSON.stringify(request.body) : undefined,
      }),
    );
    return relay(response, reply);
  };

  app.post(
    '/sign-up/email',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an account and sign in',
        body: SignUpBody,
        response: { 200: AuthResponse, 409: ErrorBody, 422: ErrorBody, 429: ErrorBody },
      },
    },
    forward,
  );

  app.post(
    '/sign-in/email',
    {
      config: {
        rateLimit: {
          max: config.signInRateLimit.max,
          timeWindow: config.signInRateLimit.windowSeconds * 1000,
          // After body parsing, so the key is per client *and* account: guessing one account's password
          // from one address is throttled without letting one noisy client lock everyone out.
          hook: 'preHandler',
          keyGenerator: (request) => `sign-in|${clientOf(request)}|${accountOf(request.body as SignInBody)}`,
        },
      },
      preHandler: accountBudget,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        body: SignInBody,
        response: { 200: AuthResponse, 401: ErrorBody, 422: ErrorBody, 429: ErrorBody },
      },
    },
    forward,
  );

  app.get(
    '/get-session',
    {
      schema: {
        tags: ['auth'],
        summary: 'The current session and user, or null',
        security: signedIn,
        response: { 200: Type.Union([Session, Type.Null()]) },
      },
    },
    forward,
  );

  app.post(
    '/sign-out',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        security: signedIn,
        response: { 200: Type.Object({ success: Type.Boolean() }) },
      },
    },
    forward,
  );

  app.route({ method: ['GET', 'POST'], url: '/*', schema: { hide: true }, handler: forward });
};

export default authRoutes;
