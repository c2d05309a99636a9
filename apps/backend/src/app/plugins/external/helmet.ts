import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/** The API serves JSON; only the docs page needs scripts and styles. */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      frameAncestors: ["'none'"],
      // Deployments may be plain HTTP (Minikube's todo.local): don't make browsers rewrite to https.
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * The headers helmet sets with `options`, worked out once: with static options (no nonces, no per-request
 * functions) its middleware sets the same names and values on every response.
 */
export function securityHeaders(options: HelmetOptions): [string, string][] {
  const headers: [string, string][] = [];
  const response = {
    setHeader: (name: string, value: string) => void headers.push([name, value]),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/**
 * Security headers on every response, helmet's, set before any route runs (so early answers carry them too; a
 * hijacked reply copies them to the raw response, as `/mcp` does). `@fastify/helmet` ran helmet's middleware
 * factory, CSP parsing included, in two hooks per request; the headers are the same every time, so they are
 * computed at start-up. Set on the reply, not with `reply.raw.setHeader`: a raw header makes Node's `writeHead` take
 * its slow path, which copies every other header of the answer through `setHeader` too (an array and a lower-cased
 * name each).
 */
export default fp(
  async (app) => {
    const headers = securityHeaders(HELMET_OPTIONS).map(([name, value]) => [name.toLowerCase(), value] as const);
    app.addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of headers) reply.header(name, value);
      done();
    });
  },
  { name: 'helmet', dependencies: ['config'] },
);
