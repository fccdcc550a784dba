/**
 * The renderer end to end: Debian's Chromium → web shell (bin/start.mjs --no-open --demo) →
 * the real IPC handlers → the built-in virtual reader (CPS3 in the CPS slot, Vitale 2 in the
 * other). Each screen is checked with axe-core and photographed into test-results/screens/.
 */
import { test, expect, type Page } from '@playwright/test';
import { open, expectAccessible, shot } from './support/ui';

async function toPreparation(page: Page) {
  await page.getByRole('button', { name: 'Activer avec ma carte' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Préparation' })).toBeFocused();
}

test('home renders in French with the demo banner', async ({ page }) => {
  await open(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1, name: 'Activer votre e-CPS' })).toBeVisible();
  await expect(page.getByText(/version mobile de votre carte CPS/)).toBeVisible();
  for (const name of ['Activer avec ma carte', 'Activer sans ma carte', 'Diagnostiquer mon lecteur']) {
    await expect(page.getByRole('button', { name })).toBeVisible();
  }
  await expect(page.getByTestId('demo-banner')).toContainText('Mode démonstration');
  await expectAccessible(page, 'home');
  await shot(page, '01-accueil');
});

test('Préparation ticks the reader and card lines live; the status panel shows the CPS3 and the Vitale 2', async ({ page }) => {
  await open(page);
  await toPreparation(page);
  await expect(page.getByTestId('check-reader')).toHaveAttribute('data-done', 'true');
  await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true');
  await expect(page.getByTestId('check-card')).toContainText('CPS3');
  await expect(page.getByTestId('check-phone')).toHaveAttribute('data-done', 'false');
  await page.getByLabel("J'ai installé l'application e-CPS sur mon téléphone").check();
  await expect(page.getByTestId('check-phone')).toHaveAttribute('data-done', 'true');

  const panel = page.getByTestId('status-panel');
  await expect(panel.getByTestId('slot-cps')).toContainText('CPS3');
  await expect(panel.getByTestId('slot-cps')).toContainText('Fente CPS');
  await expect(panel.getByTestId('slot-vitale')).toContainText(/Vitale 2/);
  await expect(panel.getByTestId('slot-vitale')).toContainText('Fente Vitale');
  await expectAccessible(page, 'préparation');
  await shot(page, '02-preparation');
});

test('PIN pad: tries shown before typing, wrong PIN → "il reste 2 essais", right PIN → success', async ({ page }) => {
  await open(page);
  await toPreparation(page);
  await page.getByRole('button', { name: 'Continuer' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Code porteur de votre carte CPS' })).toBeVisible();
  // The screen asks to type the PIN: the field has the keyboard (issue 12 item 2).
  await expect(page.getByLabel('Code porteur (4 chiffres)')).toBeFocused();
  await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');
  await expectAccessible(page, 'code porteur');
  await shot(page, '03-code-porteur');

  // Wrong PIN, typed on the keyboard.
  const field = page.getByLabel('Code porteur (4 chiffres)');
  await field.fill('0000');
  await expect(field).toHaveAttribute('type', 'password');
  await field.press('Enter');
  await expect(page.getByTestId('pin-message')).toContainText(/il reste 2 essais/i);
  await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 2 essais sur 3.');
  await expectAccessible(page, 'code porteur faux');
  await shot(page, '04-code-faux');

  // Right PIN, clicked on the pad.
  for (const d of '1234') await page.getByRole('button', { name: `Chiffre ${d}` }).click();
  await page.getByRole('button', { name: 'Valider' }).click();
  // Within the activation, the right PIN leads to the CGU, which says the PIN was verified.
  await expect(page.getByRole('heading', { level: 1, name: "Conditions générales d'utilisation" })).toBeFocused();
  await expect(page.getByTestId('pin-success')).toContainText('Code porteur vérifié');
  await expectAccessible(page, 'code vérifié');
  await shot(page, '05-code-verifie');
});

test('keyboard only: home → Préparation', async ({ page }) => {
  await open(page);
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = ((await page.locator(':focus').textContent()) ?? '').trim() === 'Activer avec ma carte';
  }
  expect(reached, 'Tab reaches "Activer avec ma carte"').toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Préparation' })).toBeFocused();
  // From the heading, Tab reaches the phone checkbox, Space ticks it.
  await page.keyboard.press('Tab');
  await expect(page.getByLabel("J'ai installé l'application e-CPS sur mon téléphone")).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('check-phone')).toHaveAttribute('data-done', 'true');
});

test('the other screens: without the card, diagnostics (accessible, photographed)', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Activer sans ma carte' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Activer sans ma carte' })).toBeFocused();
  await expect(page.getByText(/48 heures/)).toBeVisible();
  await expectAccessible(page, 'sans carte');
  await shot(page, '06-sans-carte');
  await page.getByRole('button', { name: 'Retour' }).click();

  await page.getByRole('button', { name: 'Diagnostiquer mon lecteur' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Diagnostic du lecteur' })).toBeFocused();
  await expect(page.getByTestId('slot-cps')).toContainText('CPS3');
  await page.getByRole('button', { name: 'Lancer le diagnostic complet' }).click();
  await expect(page.getByTestId('diagnose-report')).toBeVisible({ timeout: 40_000 });
  await expectAccessible(page, 'diagnostic');
  await shot(page, '07-diagnostic');
});

test('English is complete and the switch goes both ways', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1, name: 'Activate your e-CPS' })).toBeVisible();
  await expect(page.getByTestId('demo-banner')).toContainText('Demo mode');
  await page.getByRole('button', { name: 'Activate with my card' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Preparation' })).toBeFocused();
  await expect(page.getByTestId('slot-cps')).toContainText('CPS slot');
  await expectAccessible(page, 'preparation (en)');
  await shot(page, '08-preparation-en');
  await page.getByRole('button', { name: 'Français' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Préparation' })).toBeVisible();
});
