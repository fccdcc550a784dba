/**
 * The wizard's paths, walked the way a pharmacist does, shared by the e2e specs: home →
 * Préparation → PIN → CGU (read with the keyboard) → "Commencer l'activation" → QR; and the
 * first screen without the card. Each helper waits for the screen it leads to (its h1 focused
 * or its main field), so a spec reads as the user's sequence of acts.
 */
import { expect, type Page } from '@playwright/test';

export const DEMO_PIN = '1234';

export const h1 = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

export async function toPreparation(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Activer avec ma carte' }).click();
  await expect(h1(page, 'Préparation')).toBeFocused();
}

/** From Préparation: "Continuer" opens the activation; the PIN screen reads the counter first. */
export async function toPin(page: Page): Promise<void> {
  await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', { timeout: 8_000 });
  await page.getByRole('button', { name: 'Continuer' }).click();
  await expect(h1(page, 'Code porteur de votre carte CPS')).toBeVisible();
  await expect(page.getByTestId('pin-tries')).toHaveText(/Il vous reste \d essais? sur 3\./);
}

export async function typePin(page: Page, pin: string): Promise<void> {
  const field = page.getByLabel('Code porteur (4 chiffres)');
  await field.fill(pin);
  await field.press('Enter');
}

/** The CGU, scrolled to their end with the keyboard, then "J'accepte". */
export async function acceptCgu(page: Page): Promise<void> {
  await expect(h1(page, "Conditions générales d'utilisation")).toBeFocused({ timeout: 15_000 });
  const region = page.getByRole('region', { name: /Texte des conditions générales/ });
  await expect(region).toContainText('TEXTE DE DÉMONSTRATION');
  await region.focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: "J'accepte" }).click();
}

/** The official order: CGU accepted, then "Commencer l'activation", then the QR code. */
export async function startActivation(page: Page): Promise<void> {
  await expect(h1(page, "Commencer l'activation")).toBeFocused();
  await page.getByRole('button', { name: "Commencer l'activation" }).click();
  await expect(page.getByTestId('qr-canvas').first()).toHaveAttribute('data-drawn', 'true', { timeout: 20_000 });
}

/** Home → … → the QR code shown (demo card, right PIN). */
export async function toQr(page: Page): Promise<void> {
  await toPreparation(page);
  await toPin(page);
  await typePin(page, DEMO_PIN);
  await acceptCgu(page);
  await startActivation(page);
}

/** The technicians' panel holds the payload the QR code carries. */
export async function qrPayload(page: Page): Promise<string> {
  const payload = ((await page.getByTestId('qr-payload').textContent()) ?? '').trim();
  expect(payload).toMatch(/^ecps1:/);
  return payload;
}

export async function choosePassword(page: Page, first: string, second: string = first): Promise<void> {
  await page.getByLabel('Mot de passe e-CPS (4 chiffres)').fill(first);
  await page.getByLabel('Saisissez-le à nouveau').fill(second);
  await page.getByRole('button', { name: 'Valider le mot de passe' }).click();
}

/** "Annuler l'activation" from any activation screen: back home, nothing left running. */
export async function cancelActivation(page: Page): Promise<void> {
  await page.getByRole('button', { name: "Annuler l'activation" }).first().click();
  await expect(h1(page, 'Activer votre e-CPS')).toBeFocused();
}

/** A 6-digit code that is not the phone's (same length, last digit changed). */
export const wrongCode = (code: string) => code.slice(0, -1) + String((Number(code.slice(-1)) + 1) % 10);
