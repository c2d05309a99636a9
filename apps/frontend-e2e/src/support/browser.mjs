// @ts-check
// Chromium driven by playwright-core (no browser download: the system's Chromium), axe-core checks, screenshots.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { root } from './stack.mjs';

const require = createRequire(import.meta.url);
export const screenshotDir = join(root, 'dist/e2e-screenshots');

export async function launch() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * Runs axe-core on the page as it is now and fails on serious or critical violations.
 * @param {import('playwright-core').Page} page
 * @param {string} label
 */
export async function expectAccessible(page, label) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  /** @type {{ id: string, impact: string, help: string, nodes: { target: string[] }[] }[]} */
  const violations = await page.evaluate(async () => {
    // @ts-expect-error axe is the global the script tag defines
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((/** @type {any} */ v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((/** @type {any} */ n) => ({ target: n.target })),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe found serious/critical violations on the ${label} page`,
  );
  return violations;
}
