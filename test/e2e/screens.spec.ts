/**
 * Every screen of the wizard at the three window sizes of issue 12 item 11 — 1280×800, 800×600
 * and a 1280×800 window at 200 % zoom (support/ui.ts SIZES says how that is emulated and why) —
 * checked with axe-core and photographed into test-results/screens/<size>/, in the order a
 * pharmacist meets them: home, help, settings, diagnostics, both activations to the end (the
 * reference phone page plays the phone), with the refusals along the way.
 *
 * One test per size, each in a browser context of that size. The demo card's PIN counter is
 * shared by the whole companion: each wrong PIN is followed by the right one.
 */
import { mkdirSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { SCREENS, SIZES, SIZE_NAMES, expectAccessible, open, type SizeName } from './support/ui';
import { DEMO_PIN, acceptCgu, choosePassword, h1, startActivation, toPin, toPreparation, typePin, wrongCode } from './support/flows';

const PASSWORD = '5829';

for (const size of SIZE_NAMES) {
  test.describe(`every screen at ${size}`, () => {
    test.use({ viewport: SIZES[size].viewport, deviceScaleFactor: SIZES[size].deviceScaleFactor });

    test(`both activations, diagnostics, help and settings — ${size}`, async ({ page, context }) => {
      test.setTimeout(240_000);
      const shoot = camera(size);
      await open(page);
      await shoot(page, '01-accueil');

      await page.getByTestId('nav-help').click();
      await expect(h1(page, 'Aide')).toBeFocused();
      await page.getByTestId('help-lost-phone').locator('summary').click();
      await shoot(page, '02-aide');
      await page.getByRole('button', { name: 'Retour' }).click();
      await page.getByTestId('nav-settings').click();
      await expect(h1(page, 'Réglages')).toBeFocused();
      await shoot(page, '03-reglages');
      await page.getByRole('button', { name: 'Retour' }).click();

      await page.getByRole('button', { name: 'Diagnostiquer mon lecteur' }).click();
      await expect(h1(page, 'Diagnostic du lecteur')).toBeFocused();
      await shoot(page, '04-diagnostic');
      await page.getByRole('button', { name: 'Lancer le diagnostic complet' }).click();
      await expect(page.getByTestId('diagnose-report')).toBeVisible({ timeout: 60_000 });
      await shoot(page, '05-diagnostic-resultat');
      await page.getByRole('button', { name: 'Retour' }).click();

      // With the card.
      await toPreparation(page);
      await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', { timeout: 8_000 });
      await shoot(page, '10-preparation');
      await toPin(page);
      await shoot(page, '11-code-porteur');
      await typePin(page, '0000');
      await expect(page.getByTestId('pin-message')).toContainText('Code incorrect');
      await shoot(page, '12-code-porteur-faux');
      await typePin(page, DEMO_PIN);
      await expect(h1(page, "Conditions générales d'utilisation")).toBeFocused({ timeout: 15_000 });
      await shoot(page, '13-cgu');
      await acceptCgu(page);
      await expect(h1(page, "Commencer l'activation")).toBeFocused();
      await shoot(page, '14-commencer');
      await startActivation(page);
      await shoot(page, '15-qr');
      const phone = await context.newPage();
      await phone.goto(((await page.getByTestId('demo-phone-url').textContent()) ?? '').trim());
      const code = phone.getByTestId('code');
      await expect(code).toHaveText(/^\d{3} \d{3}$/, { timeout: 20_000 });
      await shoot(phone, '16-telephone-code');
      const shown = ((await code.textContent()) ?? '').replace(/\s/g, '');
      await expect(h1(page, 'Saisissez le code affiché sur le téléphone')).toBeFocused({ timeout: 15_000 });
      await shoot(page, '17-code-telephone');
      const field = page.getByLabel('Code affiché sur le téléphone');
      await field.fill(wrongCode(shown));
      await field.press('Enter');
      await expect(page.getByTestId('activation-error')).toBeVisible();
      await shoot(page, '18-code-telephone-faux');
      await field.fill(shown);
      await field.press('Enter');
      await expect(h1(page, 'Choisissez votre mot de passe e-CPS')).toBeFocused({ timeout: 15_000 });
      await shoot(page, '19-mot-de-passe');
      await choosePassword(page, '1111');
      await expect(page.getByTestId('activation-error')).toBeVisible();
      await shoot(page, '20-mot-de-passe-refuse');
      await choosePassword(page, PASSWORD);
      await expect(h1(page, 'Saisissez ce mot de passe sur votre téléphone')).toBeFocused({ timeout: 15_000 });
      await shoot(page, '21-saisie-telephone');
      await phone.getByTestId('password').fill('7391');
      await phone.getByTestId('password-submit').click();
      await expect(page.getByTestId('activation-error')).toBeVisible();
      await shoot(page, '22-saisie-telephone-refusee');
      await shoot(phone, '23-telephone-mot-de-passe-refuse');
      await phone.getByTestId('password').fill(PASSWORD);
      await phone.getByTestId('password-submit').click();
      await expect(h1(page, 'Votre e-CPS est active')).toBeFocused({ timeout: 30_000 });
      await shoot(page, '24-activation-terminee');
      await page.getByRole('button', { name: "Retour à l'accueil" }).click();

      // Without the card.
      await page.getByRole('button', { name: 'Activer sans ma carte' }).click();
      await expect(h1(page, 'Activer sans ma carte')).toBeFocused();
      await shoot(page, '30-sans-carte');
      const id = page.getByLabel('Votre numéro RPPS (11 chiffres)');
      await id.fill('990000010');
      await id.press('Enter');
      await expect(h1(page, 'Activation avec la carte nécessaire')).toBeFocused();
      await shoot(page, '31-sans-carte-adeli');
      await page.getByRole('button', { name: "Retour à l'accueil" }).click();
      await page.getByRole('button', { name: 'Activer sans ma carte' }).click();
      await id.fill('99700000039');
      await id.press('Enter');
      await expect(h1(page, 'Mettez à jour vos coordonnées sur E-POP')).toBeFocused();
      await shoot(page, '32-sans-carte-epop');
      await page.getByRole('button', { name: 'Saisir un autre numéro' }).click();
      await id.fill('99700000054');
      await id.press('Enter');
      await expect(h1(page, 'Vos coordonnées sont connues')).toBeFocused();
      await shoot(page, '33-sans-carte-coordonnees');
      await page.getByRole('button', { name: "Envoyer ma demande d'activation" }).click();
      await expect(h1(page, "Demande envoyée : ouvrez l'e-mail reçu")).toBeFocused();
      await expect(page.getByTestId('outbox-email').first().getByTestId('qr-canvas')).toHaveAttribute('data-drawn', 'true');
      await shoot(page, '34-sans-carte-envoyee');
      // Another document first: a URL differing only by its fragment would not reload the page.
      await phone.goto('about:blank');
      await phone.goto(((await page.getByTestId('outbox-phone-url').first().textContent()) ?? '').trim());
      await expect(phone.getByTestId('code')).toHaveText(/^\d{3} \d{3}$/, { timeout: 20_000 });
      const shown2 = ((await phone.getByTestId('code').textContent()) ?? '').replace(/\s/g, '');
      await expect(h1(page, 'Saisissez le code affiché sur le téléphone')).toBeFocused({ timeout: 15_000 });
      await shoot(page, '35-sans-carte-code-telephone');
      await page.getByLabel('Code affiché sur le téléphone').fill(shown2);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      await expect(h1(page, 'Saisissez sur le téléphone le code reçu par SMS')).toBeFocused({ timeout: 15_000 });
      const sms = page.getByTestId('outbox-sms-code').first();
      await expect(sms).toHaveText(/^\d{6}$/);
      await shoot(page, '36-sans-carte-sms');
      await phone.getByTestId('sms').fill(wrongCode(((await sms.textContent()) ?? '').trim()));
      await phone.getByTestId('sms-submit').click();
      await expect(page.getByTestId('sms-attempts')).toContainText('2');
      await shoot(page, '37-sans-carte-sms-faux');
      await shoot(phone, '38-telephone-sms-faux');
      await phone.getByTestId('sms').fill(((await sms.textContent()) ?? '').trim());
      await phone.getByTestId('sms-submit').click();
      await expect(h1(page, 'Choisissez votre mot de passe e-CPS')).toBeFocused({ timeout: 15_000 });
      await choosePassword(page, PASSWORD);
      await phone.getByTestId('password').fill(PASSWORD);
      await phone.getByTestId('password-submit').click();
      await expect(h1(page, 'Votre e-CPS est active')).toBeFocused({ timeout: 30_000 });
      await shoot(page, '39-sans-carte-terminee');
      await page.getByRole('button', { name: "Retour à l'accueil" }).click();
      await phone.close();
    });
  });
}

/** axe-core on the screen, then a full-page picture in test-results/screens/<size>/. */
function camera(size: SizeName) {
  const folder = `${SCREENS}/${size}`;
  mkdirSync(folder, { recursive: true });
  return async (page: Page, name: string) => {
    await expectAccessible(page, `${name} (${size})`);
    await page.screenshot({ path: `${folder}/${name}.png`, fullPage: true });
  };
}
