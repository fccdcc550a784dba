/**
 * Screen helpers for every e2e spec: the demo web shell's URL (global setup), opening the app,
 * axe-core on the screen as it is now (no serious or critical violation), and a full-page
 * screenshot kept in test-results/screens/.
 */
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const SCREENS = 'test-results/screens';
mkdirSync(SCREENS, { recursive: true });

/** The demo web shell started by global-setup.ts (its URL carries the session token). */
export function appUrl(): string {
  const url = process.env.E2E_URL;
  if (!url) throw new Error('E2E_URL is not set: the global setup did not start the web shell.');
  return url;
}

/** Opens the app afresh (from another document: a URL differing only by its fragment would not reload). */
export async function open(page: Page, url: string = appUrl()): Promise<void> {
  await page.goto('about:blank');
  await page.goto(url);
  await expect(page.locator('main h1')).toBeVisible();
}

export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `axe on ${screen}`,
  ).toEqual([]);
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}

/** Every screen: accessible, then photographed. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await shot(page, name);
}
