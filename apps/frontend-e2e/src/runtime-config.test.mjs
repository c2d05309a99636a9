// @ts-check
// One standalone build, started twice with different BACKEND_URLs, talks to each: nothing about the backend is
// baked in at build time. Each backend has its own database, so an account made through one frontend exists only
// behind that frontend.
import { expect, test } from '@playwright/test';
import { freePort } from '@todo-stack/testing';
import { startBackend, startFrontend } from './support/stack.mjs';

/** @type {{ stop: () => Promise<void>, url: string }[]} */
const started = [];
/** @type {{ url: string }[]} */
let frontends = [];

test.beforeAll(async () => {
  test.setTimeout(300_000); // two backends (each migrating its database) and two frontends
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

test.afterAll(async () => {
  for (const s of started.reverse()) await s.stop();
});

/** @param {string} origin @param {string} path @param {unknown} body */
const post = (origin, path, body) =>
  fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify(body),
  });

test('the same build talks to whichever backend BACKEND_URL names', async () => {
  const [one, two] = frontends;
  if (!one || !two) throw new Error('both frontends should have started');
  const account = { email: `runtime-${Date.now()}@example.com`, password: 'correct-horse-battery', name: 'Runtime' };

  const signUp = await post(one.url, '/api/auth/sign-up/email', account);
  expect(signUp.status, await signUp.clone().text()).toBe(200);
  expect(
    signUp.headers.getSetCookie().some((c) => c.includes('session_token')),
    'the session cookie comes back',
  ).toBe(true);

  const sameBackend = await post(one.url, '/api/auth/sign-in/email', {
    email: account.email,
    password: account.password,
  });
  expect(sameBackend.status).toBe(200);
  const otherBackend = await post(two.url, '/api/auth/sign-in/email', {
    email: account.email,
    password: account.password,
  });
  expect(otherBackend.status, 'the second frontend reaches a different backend, which has no such user').toBe(401);

  const signUpTwo = await post(two.url, '/api/auth/sign-up/email', account);
  expect(signUpTwo.status, 'the same email is free on the second backend').toBe(200);
});
