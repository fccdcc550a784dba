/**
 * Issue 13 #9 in the interface, over REAL PC/SC: pcscd stops while the QR is shown. Before,
 * nothing happened. Now the activation says at once that the smart card service stopped (with
 * its remedy), goes back to the PIN, and the live reader status shows the service down; when
 * pcscd is back, the status recovers by itself.
 */
import type { Page } from '@playwright/test';
import { createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import { CPS_SLOT, expect, test } from './support/pcscd-app';
import { checkScreen } from './support/ui';

const LIVE = { timeout: 8_000 };

async function toQr(page: Page) {
  await page.getByRole('button', { name: 'Activer avec ma carte' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Préparation' })).toBeFocused();
  await page.getByLabel("J'ai installé l'application e-CPS sur mon téléphone").check();
  await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', LIVE);
  await page.getByRole('button', { name: 'Continuer' }).click();
  const pin = page.getByLabel('Code porteur (4 chiffres)');
  await pin.fill('1234');
  await pin.press('Enter');
  const cgu = page.getByTestId('cgu-text');
  await expect(cgu).toBeVisible(LIVE);
  await cgu.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
    el.dispatchEvent(new Event('scroll'));
  });
  await page.getByTestId('cgu-accept').click();
  // « Commencer l'activation », as the official order has it (CGU, start, then the QR code).
  await page.getByTestId('start-activation').click();
  await expect(page.getByTestId('qr-payload')).toHaveText(/\S/, { timeout: 20_000 });
}

test('pcscd stopped while the QR is shown: a clear error at once, back at the PIN, the reader status says the service is down', async ({ page, pcscApp }) => {
  test.setTimeout(90_000);
  await pcscApp.setCard(CPS_SLOT, await createVirtualCardWithCredentials('cps3'));
  await page.goto(pcscApp.url);
  await toQr(page);
  try {
    await pcscApp.stopPcscd();
    const problem = page.getByTestId('activation-error');
    await expect(problem).toHaveAttribute('data-code', 'ReaderServiceStopped', LIVE);
    await expect(problem).toContainText('Le service des cartes à puce (PC/SC) s’est arrêté');
    await expect(problem).toContainText('sudo systemctl restart pcscd');
    await expect(page.getByTestId('view-pin')).toBeVisible();
    await expect(problem.getByTestId('service-down')).toContainText('Le service des cartes à puce (PC/SC) ne répond pas.', LIVE);
    await checkScreen(page, '77-pcscd-arrete-pendant-le-qr');
  } finally {
    await pcscApp.startPcscd();
  }
  await expect(page.getByTestId('activation-error').getByTestId('service-down')).toHaveCount(0, LIVE);
});
