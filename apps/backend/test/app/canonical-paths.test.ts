import { request as httpRequest } from 'node:http';
import { setupTestApp, signUp, type TestUser } from '../helper.js';

/**
 * One route, one set of checks: a path that differs from a declared route only in spelling (dot segments, encoded
 * dots or separators, `//`, backslashes, trailing dots, double encoding) gets the canonical path's answer or the
 * 400 "Bad request path" refusal, never another route's checks. Sent over a real socket: `inject()` would parse the
 * URL with WHATWG rules and normalise the very dot segments under test.
 */

interface Answer {
  status: number;
  body: unknown;
}

function send(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      `${base}/`,
      {
        method,
        agent: false,
        // `path` as written: node:http sends it unparsed.
        path,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString()));
        res.on('end', () => {
          let parsed: unknown = data;
          try {
            parsed = JSON.parse(data);
          } catch {
            // kept as text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Respellings of a canonical path `/s1/s2/.../last` that a normalising URL parser or file server reads as it. */
function respellings(path: string): [string, string][] {
  const cut = path.lastIndexOf('/');
  const head = path.slice(0, cut);
  const last = path.slice(cut + 1);
  return [
    ['dot-dot segment', `${head}/x/../${last}`],
    ['dot segment', `${head}/./${last}`],
    ['encoded dot-dot (%2e%2e)', `${head}/x/%2e%2e/${last}`],
    ['encoded dot-dot (%2E%2E)', `${head}/x/%2E%2E/${last}`],
    ['half-encoded dot-dot (.%2e)', `${head}/x/.%2e/${last}`],
    ['encoded dot (%2E)', `${head}/%2E/${last}`],
    ['double-encoded dot-dot (%252e%252e)', `${head}/x/%252e%252e/${last}`],
    ['encoded slash (%2f)', `${head}/x%2f..%2f${last}`],
    ['encoded slash (%2F) with dot-dot', `${head}/x%2F..%2F${last}`],
    ['encoded backslash (%5c)', `${head}/x%5c..%5c${last}`],
    ['backslash', `${head}\\${last}`],
    ['backslash dot-dot', `${head}/x\\..\\${last}`],
    ['duplicate slash', `${head}//${last}`],
    ['leading duplicate slash', `/${path}`],
    ['trailing dot', `${path}.`],
    ['trailing dot segment', `${path}/.`],
    ['trailing dot-dot segment', `${path}/x/..`],
    // The one respelling that is the same route: the router ignores a trailing slash.
    ['trailing slash', `${path}/`],
  ];
}

const REFUSED = { status: 400, body: { detail: expect.stringMatching(/^Bad request path: /) } };

describe('non-canonical paths', () => {
  // A high sign-in limit: every request of the table that reaches sign-in counts, and this file tests paths.
  const ctx = setupTestApp({ SIGN_IN_RATE_LIMIT: '1000' });
  let base: string;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    alice = await signUp(ctx.app, { name: 'Alice' });
    bob = await signUp(ctx.app, { name: 'Bob' });
    base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });

  /** [label, method, canonical path, headers, body]: each answered by a check that a respelling must not skip. */
  const routes = (): [string, string, string, Record<string, string>, unknown][] => [
    // Better Auth's catch-all would take the respellings; the declared route's schema refuses the unknown field.
    ['sign-in (schema: 422)', 'POST', '/api/auth/sign-in/email', {}, { email: alice.email, password: 'x', admin: 1 }],
    ['sign-up (schema: 422)', 'POST', '/api/auth/sign-up/email', {}, { email: 'new@example.test', password: 'p' }],
    ['get-session (200)', 'GET', '/api/auth/get-session', alice.headers, undefined],
    ['own tasks (schema: 422)', 'POST', `/api/${alice.id}/tasks`, alice.headers, { title: '' }],
    ["another user's tasks (403)", 'GET', `/api/${bob.id}/tasks`, alice.headers, undefined],
    ['tasks without a session (401)', 'GET', `/api/${alice.id}/tasks`, {}, undefined],
    ['conversations (200)', 'GET', `/api/${alice.id}/conversations`, alice.headers, undefined],
    ['mcp batch (400)', 'POST', '/mcp', alice.headers, [{ jsonrpc: '2.0', id: 1, method: 'ping' }]],
    ['health (200)', 'GET', '/health', {}, undefined],
    ['unknown route (404)', 'GET', '/api/auth-nothing/here', {}, undefined],
  ];

  it('each respelling of a route gets its canonical answer or a 400, never another check', async () => {
    const mismatches: string[] = [];
    let refused = 0;
    let identical = 0;
    for (const [label, method, path, headers, body] of routes()) {
      const canonical = await send(base, method, path, headers, body);
      expect(isRefusal(canonical)).toBe(false);
      for (const [spelling, variant] of respellings(path)) {
        const answer = await send(base, method, variant, headers, body).catch((error: Error) => {
          throw new Error(`${label}, ${spelling} ${method} ${variant}: ${error.message}`);
        });
        if (isRefusal(answer)) refused += 1;
        else if (JSON.stringify(answer) === JSON.stringify(canonical)) identical += 1;
        else
          mismatches.push(
            `${label}, ${spelling} ${method} ${variant}: ${answer.status} ${JSON.stringify(answer.body)}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
    // Every route answered its trailing-slash spelling as itself; everything else was refused.
    expect({ refused, identical }).toEqual({
      refused: routes().length * (respellings('/a/b').length - 1),
      identical: routes().length,
    });
  });

  it("Better Auth's catch-all refuses a path climbing out of /api/auth, encoded or not", async () => {
    for (const path of [
      `/api/auth/..%2f${alice.id}/tasks`,
      `/api/auth/%2e%2e/${alice.id}/tasks`,
      `/api/auth/..%5c${alice.id}/tasks`,
      '/api/auth/x/..%2f..%2fhealth',
      '/api/auth/sign-in%2femail',
    ]) {
      expect(await send(base, 'POST', path, alice.headers, { title: 'x' })).toEqual(REFUSED);
    }
  });

  it('keeps the canonical spellings working: a trailing slash, a query with dots and encoded separators', async () => {
    expect((await send(base, 'GET', `/api/${alice.id}/tasks/`, alice.headers)).status).toBe(200);
    expect((await send(base, 'GET', '/health?x=/../..%2F%2e%2e%5c', {})).status).toBe(200);
  });
});

/** The canonical-path hook's 400, or Node's HTTP parser's (a request line it cannot parse, such as `\\health`). */
function isRefusal(answer: Answer): boolean {
  const { detail } = (answer.body ?? {}) as { detail?: unknown };
  return answer.status === 400 && typeof detail === 'string' && /^Bad request( path)?: /.test(detail);
}
