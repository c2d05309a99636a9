// @ts-check
// Screenshots and accessibility checks (axe-core through @axe-core/playwright) for the browser suites.
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect } from '@playwright/test';
import { root } from './stack.mjs';

const screenshotDir = join(root, 'dist/e2e-screenshots');

/**
 * @param {import('@playwright/test').Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * Runs axe-core on the page as it is now and fails on serious or critical violations.
 * @param {import('@playwright/test').Page} page
 * @param {string} label
 */
export async function expectAccessible(page, label) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `axe found serious/critical violations on the ${label} page`,
  ).toEqual([]);
  return violations;
}
