/**
 * The activation's edges in Debian's Chromium against the demo web shell (global setup):
 * - the QR expires after its real 90 s and is renewed by itself: the old payload is refused by
 *   reference phone (its listener is gone: unreachable), the new one pairs;
 * - the authority down: the error says so, with what to do, a retry and a way back — never a
 *   dead end — and the sandbox comes back through the settings.
 * Every screen: axe (no serious/critical violation) and a screenshot (50-…).
 */
import { test, expect } from '@playwright/test';
import { open, expectAccessible, shot } from './support/ui';
import { spawnCli, type CliChild } from '../support/cli';

const children: CliChild[] = [];
test.afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function phone(payload: string): CliChild {
  const child = spawnCli(['phone', payload, '--json', '--stdin']);
  children.push(child);
  return child;
}

test('the QR expires after 90 s and is renewed by itself: the old one is refused, the new one pairs', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page);
  await page.getByRole('button', { name: 'Activer avec ma carte' }).click();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');
  await page.getByLabel('Code porteur (4 chiffres)').fill('1234');
  await page.getByRole('button', { name: 'Valider' }).click();
  const region = page.getByRole('region', { name: /Texte des conditions générales/ });
  await region.focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: "J'accepte" }).click();
  await page.getByRole('button', { name: "Commencer l'activation" }).click();

  const countdown = page.getByTestId('qr-countdown');
  await expect(countdown).toHaveAttribute('data-generation', /\d+/, { timeout: 20_000 });
  const firstGeneration = Number(await countdown.getAttribute('data-generation'));
  const oldPayload = (await page.getByTestId('qr-payload').textContent())?.trim() ?? '';
  expect(oldPayload).toMatch(/^ecps1:/);

  // The 30 s and 10 s warnings are announced (not every second), then the renewal.
  const announce = page.getByTestId('qr-announce');
  await expect(announce).toHaveText(/expire dans 30 secondes/, { timeout: 75_000 });
  await expect(announce).toHaveText(/expire dans 10 secondes/, { timeout: 25_000 });
  await expect(countdown).not.toHaveAttribute('data-generation', String(firstGeneration), { timeout: 20_000 });
  await expect(announce).toHaveText("Nouveau QR code affiché : l'ancien ne fonctionne plus.");
  await expect(page.getByTestId('qr-renewals')).toHaveText('QR code renouvelé 1 fois.');
  await expect(countdown).toHaveText(/Valable encore (8\d|9\d) s/);
  const newPayload = (await page.getByTestId('qr-payload').textContent())?.trim() ?? '';
  expect(newPayload).toMatch(/^ecps1:/);
  expect(newPayload).not.toBe(oldPayload);
  await expectAccessible(page, 'qr renouvelé');
  await shot(page, '50-qr-renouvele');

  // The old QR: its endpoint, token and key are gone — the phone gets no code, only an error.
  const stale = phone(oldPayload);
  const staleEnd = await stale.exited(30_000);
  expect(staleEnd.code).not.toBe(0);
  expect(stale.lines().some((l) => l.event === 'code')).toBe(false);
  // The old QR's listener is closed (a new QR = a new port, token and key): nothing answers there.
  expect(stale.lines().map((l) => (l.error as { code?: string } | undefined)?.code), staleEnd.stdout + staleEnd.stderr).toContain('PairingUnreachable');
  await expect(page.getByRole('heading', { level: 1, name: 'Scannez le QR code avec votre téléphone' })).toBeVisible();

  // The new one pairs: the app moves on to the code screen.
  const fresh = phone(newPayload);
  await fresh.waitForLine((l) => l.event === 'code', 20_000);
  await expect(page.getByRole('heading', { level: 1, name: 'Saisissez le code affiché sur le téléphone' })).toBeFocused({ timeout: 15_000 });
  await page.getByRole('button', { name: "Annuler l'activation" }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Activer votre e-CPS' })).toBeVisible();
});

test('the authority down: a clear error with what to do, a retry, a way back; the sandbox restored', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page);
  // A local authority where nothing listens (the settings accept http only on this computer).
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('authority-url').check();
  await page.getByLabel("Adresse de l'autorité").fill('http://127.0.0.1:9');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toHaveText('Réglages enregistrés.');

  try {
    await open(page);
    await page.getByRole('button', { name: 'Activer sans ma carte' }).click();
    const id = page.getByLabel('Votre numéro RPPS (11 chiffres)');
    await id.fill('99700000054');
    await id.press('Enter');
    const error = page.getByTestId('activation-error');
    await expect(error).toContainText('Impossible de joindre l’autorité d’activation (http://127.0.0.1:9)', { timeout: 30_000 });
    await expect(error).toContainText('Que faire');
    await expectAccessible(page, 'autorité injoignable');
    await shot(page, '51-autorite-injoignable');
    // Never a dead end: a retry (still down: the same clear error) and a way home.
    const retry = page.getByRole('button', { name: 'Réessayer' });
    await expect(retry).toBeVisible();
    await retry.click();
    await expect(error).toContainText('Impossible de joindre l’autorité d’activation (http://127.0.0.1:9)', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Retour', exact: true }).click({ timeout: 10_000 });
    await expect(page.getByRole('heading', { level: 1, name: 'Activer votre e-CPS' })).toBeVisible();
  } finally {
    await open(page);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('authority-sandbox').check();
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-saved')).toHaveText('Réglages enregistrés.');
    await open(page);
    await expect(page.getByTestId('demo-banner')).toContainText('Autorité bac à sable');
  }
});
