// @ts-check
// One standalone build, started twice with different BACKEND_URLs, talks to each: nothing about the backend is
// baked in at build time. Each backend has its own database, so an account made through one frontend exists only
// behind that frontend.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort, startBackend, startFrontend } from './support/stack.mjs';

/** @type {{ stop: () => Promise<void>, url: string }[]} */
const started = [];
/** @type {{ url: string }[]} */
let frontends = [];

before(async () => {
  const ports = [await freePort(), await freePort()];
  const origins = ports.map((port) => `http://127.0.0.1:${port}`);
  for (const port of ports) {
    const backend = await startBackend({ frontendOrigins: origins });
    started.push(backend);
    const frontend = await startFrontend({ port, backendUrl: backend.url });
    started.push(frontend);
  }
  frontends = [started[1], started[3]].filter((s) => s !== undefined);
});

after(async () => {
  for (const s of started.reverse()) await s.stop();
});

/** @param {string} origin @param {string} path @param {unknown} body */
const post = (origin, path, body) =>
  fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify(body),
  });

test('the same build talks to whichever backend BACKEND_URL names', { timeout: 240_000 }, async () => {
  const [one, two] = frontends;
  assert.ok(one && two);
  const account = { email: `runtime-${Date.now()}@example.com`, password: 'correct-horse-battery', name: 'Runtime' };

  const signUp = await post(one.url, '/api/auth/sign-up/email', account);
  assert.equal(signUp.status, 200, await signUp.clone().text());
  assert.ok(
    signUp.headers.getSetCookie().some((c) => c.includes('session_token')),
    'the session cookie comes back',
  );

  const sameBackend = await post(one.url, '/api/auth/sign-in/email', {
    email: account.email,
    password: account.password,
  });
  assert.equal(sameBackend.status, 200);
  const otherBackend = await post(two.url, '/api/auth/sign-in/email', {
    email: account.email,
    password: account.password,
  });
  assert.equal(otherBackend.status, 401, 'the second frontend reaches a different backend, which has no such user');

  const signUpTwo = await post(two.url, '/api/auth/sign-up/email', account);
  assert.equal(signUpTwo.status, 200, 'the same email is free on the second backend');
});
