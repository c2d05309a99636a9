// @ts-check
// Playwright Test against production builds of both apps (started by the suites themselves, each on its own database:
// src/support/stack.mjs), in Debian's Chromium: no browser is ever downloaded (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
//   TEST_POSTGRES_URL=postgres://… npx nx run frontend-e2e:e2e
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
}

export default defineConfig({
  testDir: './src',
  // The suites start real servers and walk one user journey in order: one file at a time, no retries to hide flakes.
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: '../../dist/frontend-e2e/test-results',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] },
    viewport: { width: 1280, height: 900 },
    actionTimeout: 20_000,
    navigationTimeout: 20_000,
  },
});
