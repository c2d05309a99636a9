// @ts-check
// The whole product through a real browser: sign up, tasks by form and by chat, sign out and in again (data kept),
// a second user who sees none of it, an expired session, the backend going down; axe on each page; screenshots.
// The tests run in order on one page (a serial describe), as one user would: each starts where the last one left off.
//   eval "$(tools/ci/postgres.sh start)" && npx nx run frontend-e2e:e2e      (or bash tools/ci/e2e.sh)
import { expect, test } from '@playwright/test';
import { freePort } from '@todo-stack/testing';
import { expectAccessible, screenshot } from './support/browser.mjs';
import { startBackend, startFrontend } from './support/stack.mjs';

const password = 'correct-horse-battery';
const ada = { name: 'Ada Lovelace', email: `ada-${Date.now()}@example.com` };
const grace = { name: 'Grace Hopper', email: `grace-${Date.now()}@example.com` };

/** @type {Awaited<ReturnType<typeof startBackend>>} */
let backend;
/** @type {Awaited<ReturnType<typeof startFrontend>>} */
let frontend;
/** @type {import('@playwright/test').BrowserContext} */
let context;
/** @type {import('@playwright/test').Page} */
let page;
/** Content-Security-Policy violations the browser reported, on any page of the journey. @type {string[]} */
const cspViolations = [];

/** Collects what the browser says about the page's Content-Security-Policy. @param {import('@playwright/test').Page} p */
function watchCsp(p) {
  p.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(`${p.url()}: ${message.text()}`);
  });
  // What a console message might not carry: the violation event itself, from every document the page loads.
  p.on('pageerror', (error) => {
    if (/Content[- ]Security[- ]Policy/i.test(error.message)) cspViolations.push(`${p.url()}: ${error.message}`);
  });
  return p.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`Content-Security-Policy violation: ${event.violatedDirective} (${event.blockedURI})`),
    ),
  );
}

/** @param {import('@playwright/test').Page} p @param {{ name: string, email: string }} who */
async function signUp(p, who) {
  await p.goto(`${frontend.url}/sign-up`);
  await p.getByLabel('Name').fill(who.name);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign up' }).click();
  await p.waitForURL(`${frontend.url}/tasks`);
}

/** @param {string} title */
const taskCheckbox = (title) => page.getByRole('checkbox', { name: new RegExp(`^${title}`) });

/** Sends one chat message and waits for the answer that follows it. @param {string} text */
async function chat(text) {
  const answers = page.getByRole('article', { name: 'Assistant said' });
  const before = await answers.count();
  await page.getByLabel('Message').fill(text);
  await page.keyboard.press('Enter');
  // Inside <main>: Next's route announcer (role=alert, outside main) reads out page titles.
  const failed = page.locator('main').getByRole('alert').first();
  await Promise.race([
    answers.nth(before).waitFor({ timeout: 30_000 }),
    failed.waitFor({ timeout: 30_000 }).then(async () => {
      throw new Error(`the chat answered with an error: ${await failed.innerText()}`);
    }),
  ]);
  return answers.nth(before);
}

test.describe('Todo Stack in a browser', () => {
  test.describe.configure({ mode: 'serial' });

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(300_000); // migrations, then two production servers starting on a busy machine
    const port = await freePort();
    backend = await startBackend({ frontendOrigins: [`http://127.0.0.1:${port}`] });
    frontend = await startFrontend({ port, backendUrl: backend.url });
    context = await browser.newContext();
    page = await context.newPage();
    await watchCsp(page);
  });

  test.afterAll(async () => {
    await context?.close();
    await frontend?.stop();
    await backend?.stop();
  });

  test('the sign-in page is accessible and links to sign-up', async () => {
    await page.goto(`${frontend.url}/tasks`);
    // Not signed in: the app sends the visitor to sign in.
    await page.waitForURL(/\/sign-in\?next=%2Ftasks$/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, '01-sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  });

  test('sign up lands on an empty task list', async () => {
    await signUp(page, ada);
    await page.getByText('No tasks yet').waitFor();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  });

  test('add tasks with the form', async () => {
    for (const title of ['Buy milk', 'Pay rent']) {
      const form = page.getByRole('form', { name: 'Add a task' });
      await form.getByLabel('Title').fill(title);
      await form.getByRole('button', { name: 'Add task' }).click();
      await taskCheckbox(title).waitFor();
    }
    await expect(page.getByRole('list', { name: 'All tasks' }).getByRole('listitem')).toHaveCount(2);
    await expectAccessible(page, 'tasks');
    await screenshot(page, '02-tasks');
    // Responsive: the same page on a phone-sized viewport, without horizontal scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'no horizontal scroll at 390 px',
    ).toBe(true);
    await screenshot(page, '02-tasks-mobile');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('the signed-in pages are rendered on the server: the task list comes with the HTML', async () => {
    // The browser context's cookies, without running any script: what the server sent is what is checked.
    const response = await context.request.get(`${frontend.url}/tasks`, { maxRedirects: 0 });
    expect(response.status()).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/Buy milk/);
    expect(html).toMatch(/1–2 of 2/);
    // Without a session cookie, the proxy answers before anything renders.
    const anonymous = await fetch(`${frontend.url}/chat`, { redirect: 'manual' });
    expect(anonymous.status).toBe(307);
    expect(new URL(anonymous.headers.get('location') ?? '', frontend.url).search).toBe('?next=%2Fchat');
  });

  test('pages send their security headers, and Next stamps the policy’s nonce on its scripts', async () => {
    const response = await context.request.get(`${frontend.url}/tasks`, { maxRedirects: 0 });
    expect(response.status()).toBe(200);
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain(`frame-ancestors 'none'`);
    expect(csp).toContain(`object-src 'none'`);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce, csp).toBeTruthy();
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    // Plain http here: HSTS is for production over https only (browsers ignore it over http anyway).
    expect(headers['strict-transport-security']).toBeUndefined();
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
    // Another request, another nonce.
    const again = (await context.request.get(`${frontend.url}/tasks`)).headers()['content-security-policy'];
    expect(again).not.toContain(`'nonce-${nonce}'`);
  });

  test('the /api forwarder refuses a body over its limit with its own 413, never passing it on', async () => {
    const response = await fetch(`${frontend.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: frontend.url },
      body: JSON.stringify({ email: ada.email, password: 'x'.repeat(200 * 1024) }),
    });
    expect(response.status).toBe(413);
    // The forwarder's own answer (the backend's 413 says "Request body is too large."), so this fails if the body
    // ever reaches the backend, as it would without the forwarder's limit.
    expect(await response.json()).toEqual({ detail: 'The request is too large: at most 100 KB can be sent.' });
  });

  test('add a task and complete one through the chat, with the tools shown', async () => {
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('heading', { name: 'Chat' }).waitFor();
    await expectAccessible(page, 'chat');

    const added = await chat('Add a task to call mom');
    await expect(added.getByRole('list', { name: 'Tools used' })).toContainText('add_task');
    // The new conversation is open, and the URL names it.
    await page.waitForURL(/\/chat\?conversation=\d+$/);

    const completed = await chat('Mark buy milk as done');
    await expect(completed.getByRole('list', { name: 'Tools used' })).toContainText('complete_task');

    // The conversation is in the history list.
    await page
      .getByRole('complementary')
      .getByRole('link', { name: /^Add a task to call mom/i })
      .waitFor();
    await screenshot(page, '03-chat');
  });

  test('delete a task', async () => {
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: 'Delete Pay rent' }).click();
    await taskCheckbox('Pay rent').waitFor({ state: 'detached' });
    await taskCheckbox('Buy milk').waitFor();
  });

  test('the task list shows what the chat did', async () => {
    await taskCheckbox('Call mom').waitFor();
    await expect(taskCheckbox('Buy milk'), 'completed through the chat').toBeChecked();
    await expect(taskCheckbox('Call mom')).not.toBeChecked();

    await page.getByRole('link', { name: 'Completed', exact: true }).click();
    // The view is in the URL (read on the server), so it can be reloaded, shared and gone back to.
    await page.waitForURL(`${frontend.url}/tasks?status=completed`);
    const completed = page.getByRole('list', { name: 'Completed tasks' });
    await completed.waitFor();
    await expect(completed.getByRole('listitem')).toHaveCount(1);
    await expect(completed).toContainText('Buy milk');
    await page.getByRole('link', { name: 'All', exact: true }).click();
    await screenshot(page, '04-tasks-after-chat');
  });

  test('sign out, then sign in again: the data is still there', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in\?signed-out=1$/);
    await page.getByText('You have been signed out.').waitFor();

    await page.goto(`${frontend.url}/tasks`);
    await page.waitForURL(/\/sign-in/);

    await page.getByLabel('Email').fill(ada.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${frontend.url}/tasks`);
    await taskCheckbox('Buy milk').waitFor();
    await expect(taskCheckbox('Pay rent'), 'deleted before signing out').toHaveCount(0);
  });

  test('after signing in again, the chat’s tasks and the conversation are still there', async () => {
    await taskCheckbox('Call mom').waitFor();
    await expect(taskCheckbox('Buy milk')).toBeChecked();
    await page.getByRole('link', { name: 'Chat' }).click();
    await page
      .getByRole('complementary')
      .getByRole('link', { name: /^Add a task to call mom/i })
      .click();
    await page.getByRole('log', { name: 'Conversation' }).getByText('Mark buy milk as done').waitFor();
  });

  test('a second user sees none of the first user’s tasks or conversations', async ({ browser }) => {
    const other = await browser.newContext();
    try {
      const p = await other.newPage();
      await watchCsp(p);
      await signUp(p, grace);
      await p.getByText('No tasks yet').waitFor();
      await p.getByRole('link', { name: 'Chat' }).click();
      await p.getByText('No conversations yet.').waitFor();
      // Not even by asking for the first user's URL directly.
      const adaId = await page.evaluate(async () => (await (await fetch('/api/auth/get-session')).json()).user.id);
      const status = await p.evaluate(async (id) => (await fetch(`/api/${id}/tasks`)).status, adaId);
      expect(status).toBe(403);
      await screenshot(p, '05-second-user');
    } finally {
      await other.close();
    }
  });

  test('an expired session sends the user to sign in with a message', async () => {
    await page.getByRole('link', { name: 'Tasks' }).click();
    await taskCheckbox('Buy milk').waitFor();
    await context.clearCookies();
    const form = page.getByRole('form', { name: 'Add a task' });
    await form.getByLabel('Title').fill('Never saved');
    await form.getByRole('button', { name: 'Add task' }).click();
    await page.waitForURL(/\/sign-in\?expired=1/);
    await page.getByText('Your session has expired. Please sign in again.').waitFor();
    await screenshot(page, '06-session-expired');
  });

  test('the backend going down shows an error, not a broken page', async () => {
    await page.getByLabel('Email').fill(ada.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${frontend.url}/tasks`);
    await taskCheckbox('Buy milk').waitFor();

    await backend.stop();
    await page.getByRole('link', { name: 'Pending', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/server is unavailable/i)
      .waitFor();
    // The frontend's own health does not depend on the backend.
    expect((await fetch(`${frontend.url}/api/health`)).status).toBe(200);
    await screenshot(page, '07-backend-down');
  });

  test('no page of the journey broke its Content-Security-Policy (hydration, Server Actions, the chat)', async () => {
    expect(cspViolations).toEqual([]);
  });
});
