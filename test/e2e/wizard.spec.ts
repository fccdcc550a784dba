/**
 * Issue 12: the wizard as a pharmacist lives it, against the demo web shell (global setup) in
 * Debian's Chromium. Each test names the points it covers; item 1 (the last PIN try)
 * and the pulled-card half of item 8 need a real card counter and a card that can be pulled:
 * they are in pcscd.spec.ts. Screenshots of every screen at every size: screens.spec.ts.
 *
 * The phone is the reference phone page (simulators/phone/web), opened from the companion's
 * demonstration link as a trainer's phone camera would.
 */
import { readFileSync } from 'node:fs';
import { test, expect, type Page, type Locator } from '@playwright/test';
import { open, expectAccessible, SIZES } from './support/ui';
import { DEMO_PIN, acceptCgu, cancelActivation, choosePassword, h1, startActivation, toPin, toPreparation, toQr, typePin, wrongCode } from './support/flows';

const PASSWORD = '5829';

/** The screen's own row of buttons: the way out first, the primary action last. */
async function expectActionRow(page: Page, wayOut: string, primary?: string) {
  const buttons = page.getByTestId('screen-actions').getByRole('button');
  await expect(buttons.first()).toHaveText(wayOut);
  if (primary !== undefined) {
    await expect(buttons.last()).toHaveText(primary);
    await expect(buttons.last()).toHaveClass(/\bprimary\b/);
  }
}

async function phoneCode(phone: Page): Promise<string> {
  const code = phone.getByTestId('code');
  await expect(code).toHaveText(/^\d{3} \d{3}$/, { timeout: 20_000 });
  return ((await code.textContent()) ?? '').replace(/\s/g, '');
}

const clipboardText = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());

async function inView(locator: Locator) {
  await expect(locator).toBeVisible();
  await expect(locator).toBeInViewport({ ratio: 1 });
}

test('items 2 and 12: the PIN screen takes the keyboard at once; a wrong PIN is told in view, with plural rules', async ({ page }) => {
  test.setTimeout(90_000);
  for (const size of ['1280x800', '800x600'] as const) {
    await page.setViewportSize(SIZES[size].viewport);
    await open(page);
    await toPreparation(page);
    await toPin(page);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');
    // Nothing clicked: the digits typed go to the PIN field.
    await expect(page.getByLabel('Code porteur (4 chiffres)'), `${size}: the PIN field has the focus`).toBeFocused();
    await page.keyboard.type('0000');
    await page.keyboard.press('Enter');
    const message = page.getByTestId('pin-message').getByText('Code incorrect. Il reste 2 essais.');
    await inView(message);
    await inView(page.getByTestId('pin-tries'));
    await expect(page.getByLabel('Code porteur (4 chiffres)')).toBeFocused();
    // The right PIN, typed straight away (the demo card's counter is full again after it).
    await page.keyboard.type(DEMO_PIN);
    await page.keyboard.press('Enter');
    await expect(h1(page, "Conditions générales d'utilisation")).toBeFocused({ timeout: 15_000 });
    await cancelActivation(page);
  }
});

test('items 3, 4, 5, 9, 10, 12 with the card: steps shown, CGU → « Commencer l’activation » → QR, one instruction for a wrong phone password, the done screen', async ({ page, context }) => {
  test.setTimeout(150_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  // window.print() opens the system's dialog: counted instead (the page's own print CSS is checked below).
  await page.addInitScript(() => {
    const w = globalThis as unknown as { printed: number; print: () => void };
    w.printed = 0;
    w.print = () => void w.printed++;
  });
  await page.setViewportSize(SIZES['1280x800'].viewport);
  await open(page);
  const stepNow = page.getByTestId('step-now');
  const screens: string[] = [];
  const seen = async (title: string, step: string) => {
    await expect(h1(page, title)).toBeVisible({ timeout: 20_000 });
    await expect(stepNow).toHaveText(step);
    screens.push(title);
  };

  await expect(page.getByTestId('step-indicator')).toHaveCount(0);
  await toPreparation(page);
  await seen('Préparation', 'Étape 1 sur 8 : Préparation');
  await expectActionRow(page, 'Retour', 'Continuer');

  await toPin(page);
  await seen('Code porteur de votre carte CPS', 'Étape 2 sur 8 : Code porteur');
  await expectActionRow(page, "Annuler l'activation");
  await typePin(page, DEMO_PIN);

  await seen("Conditions générales d'utilisation", "Étape 3 sur 8 : Conditions d'utilisation");
  await expectActionRow(page, "Annuler l'activation", "J'accepte");
  await expect(page.getByText(/sandbox-2025-01/), 'the CGU version is told once').toHaveCount(1);
  await acceptCgu(page);

  // Item 4: accepting the CGU does not jump to the QR code.
  await seen("Commencer l'activation", "Étape 4 sur 8 : Lancement de l'activation");
  await expect(page.getByTestId('qr-canvas')).toHaveCount(0);
  await expectActionRow(page, "Annuler l'activation", "Commencer l'activation");
  await startActivation(page);

  await seen('Scannez le QR code avec votre téléphone', 'Étape 5 sur 8 : QR code');
  await expectActionRow(page, "Annuler l'activation");
  await page.getByText('Le téléphone n’arrive pas à se connecter').click();
  await expect(page.getByTestId('help-phone-connectivity')).not.toContainText('relais');
  const url = ((await page.getByTestId('demo-phone-url').textContent()) ?? '').trim();
  const phone = await context.newPage();
  await phone.goto(url);
  const shown = await phoneCode(phone);
  await expect(phone.getByText(/Liaison/)).toHaveCount(0);

  await seen('Saisissez le code affiché sur le téléphone', 'Étape 6 sur 8 : Code du téléphone');
  await expectActionRow(page, "Annuler l'activation", 'Valider le code');
  const field = page.getByLabel('Code affiché sur le téléphone');
  await field.fill(wrongCode(shown));
  await field.press('Enter');
  await expect(page.getByTestId('activation-error')).toContainText('Code incorrect : il reste 2 essais.');
  await field.fill(shown);
  await field.press('Enter');

  await seen('Choisissez votre mot de passe e-CPS', 'Étape 7 sur 8 : Mot de passe e-CPS');
  await expectActionRow(page, "Annuler l'activation", 'Valider le mot de passe');
  await choosePassword(page, PASSWORD);
  await seen('Saisissez ce mot de passe sur votre téléphone', 'Étape 7 sur 8 : Mot de passe e-CPS');

  // Item 5: a wrong password on the phone — the phone and the computer say the same thing.
  await phone.getByTestId('password').fill('7391');
  await phone.getByTestId('password-submit').click();
  await expect(phone.getByRole('alert')).toContainText('à nouveau');
  await expect(phone.getByRole('alert')).toContainText('il reste 2 essais');
  await expect(page.getByTestId('activation-error')).toContainText('sur le téléphone');
  await expect(page.getByTestId('activation-error')).toContainText('il reste 2 essais');
  await expect(h1(page, 'Saisissez ce mot de passe sur votre téléphone'), 'the computer does not send the user elsewhere').toBeVisible();
  await expect(h1(page, 'Choisissez votre mot de passe e-CPS')).toHaveCount(0);
  await phone.getByTestId('password').fill(PASSWORD);
  await phone.getByTestId('password-submit').click();

  await seen('Votre e-CPS est active', 'Étape 8 sur 8 : Terminé');
  await expect(phone.getByTestId('done')).toBeVisible({ timeout: 15_000 });
  expect(screens).toEqual([
    'Préparation',
    'Code porteur de votre carte CPS',
    "Conditions générales d'utilisation",
    "Commencer l'activation",
    'Scannez le QR code avec votre téléphone',
    'Saisissez le code affiché sur le téléphone',
    'Choisissez votre mot de passe e-CPS',
    'Saisissez ce mot de passe sur votre téléphone',
    'Votre e-CPS est active',
  ]);

  // Item 9: the reference copied and printed; how and where to suspend; the sandbox said once.
  const reference = ((await page.getByTestId('activation-reference-id').textContent()) ?? '').trim();
  expect(reference.length).toBeGreaterThan(8);
  await page.getByRole('button', { name: 'Copier la référence' }).click();
  await expect(page.getByTestId('copy-status')).toContainText('copiée');
  expect(await clipboardText(page)).toContain(reference);
  await page.getByRole('button', { name: 'Imprimer' }).click();
  expect(await page.evaluate(() => (globalThis as unknown as { printed: number }).printed)).toBe(1);
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByTestId('activation-reference-id')).toBeVisible();
  await expect(page.getByTestId('nav-help')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Imprimer' })).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await expect(page.getByTestId('view-activation-done')).toContainText('0 825 852 000');
  await expect(page.getByTestId('help-lost-phone')).toContainText('Téléphone perdu ou volé');
  await expect(page.getByText(/aucune e-CPS réelle/), 'the sandbox notice once (the banner)').toHaveCount(1);
  await expectActionRow(page, 'Copier la référence', "Retour à l'accueil");
  await expectAccessible(page, 'activation terminée (issue 12)');
  await page.getByRole('button', { name: "Retour à l'accueil" }).click();
  await phone.close();
});

test('items 3, 6, 12 without the card: where it starts, which number to try, the contact details before sending, one validity, « renvoyer », tries left, no card to remove', async ({ page, context }) => {
  test.setTimeout(150_000);
  await open(page);
  const stepNow = page.getByTestId('step-now');
  await page.getByRole('button', { name: 'Activer sans ma carte' }).click();
  await expect(h1(page, 'Activer sans ma carte')).toBeFocused();
  await expect(stepNow).toHaveText('Étape 1 sur 7 : Numéro RPPS');
  // The official guide starts in the phone app.
  await expect(page.getByTestId('view-without-card')).toContainText('« Demander l’activation »');
  // Demo: the numbers a trainee can try, and what each one shows.
  const training = page.getByTestId('training-ids');
  await expect(training).toContainText('997 0000 0054');
  await expect(training).toContainText('997 0000 0039');
  await training.getByRole('button', { name: 'Utiliser le numéro 997 0000 0054' }).click();
  await expect(page.getByLabel('Votre numéro RPPS (11 chiffres)')).toHaveValue('997 0000 0054');
  await expectActionRow(page, 'Retour', 'Continuer');
  await page.getByRole('button', { name: 'Continuer' }).click();

  // The masked contact details, before anything is sent.
  await expect(h1(page, 'Vos coordonnées sont connues')).toBeFocused();
  await expect(stepNow).toHaveText('Étape 2 sur 7 : Vos coordonnées');
  await expect(page.getByTestId('contact-email')).toHaveText('yv•••@exemple.test');
  await expect(page.getByTestId('contact-mobile')).toHaveText('06 •• •• •• 54');
  await expectActionRow(page, "Annuler l'activation", "Envoyer ma demande d'activation");
  await page.getByRole('button', { name: "Envoyer ma demande d'activation" }).click();

  // One statement of the e-mailed QR's validity, the same in the e-mail.
  await expect(h1(page, "Demande envoyée : ouvrez l'e-mail reçu")).toBeFocused();
  await expect(stepNow).toHaveText('Étape 3 sur 7 : E-mail et QR code');
  const validity = page.getByTestId('email-validity');
  // Past midnight both say the day too (« jusqu’au 5 décembre à 00:01 »): the run may cross it.
  const clause = /valable 30 minutes, jusqu’(?:à|au \d+(?:er)? \p{L}+ à) \d\d:\d\d/u;
  await expect(validity).toHaveText(clause);
  const said = clause.exec((await validity.textContent()) ?? '')![0];
  const mails = page.getByTestId('outbox-email');
  await expect(mails).toHaveCount(1);
  await expect(mails.first()).toContainText(said);
  await expect(mails.first()).not.toContainText(/\d{4}-\d\d-\d\dT\d\d/);
  await expect(page.getByText(/90 secondes/)).toHaveCount(0);

  // « Renvoyer l'e-mail »: a new e-mail, a new QR; the old one no longer works.
  await page.getByRole('button', { name: 'Renvoyer l’e-mail' }).click();
  await expect(mails).toHaveCount(2);
  await expect(page.getByTestId('request-sent-to')).toContainText('nouvel e-mail');
  await expect(mails.nth(1)).toContainText('remplacé');
  const phoneUrl = ((await mails.first().getByTestId('outbox-phone-url').textContent()) ?? '').trim();
  expect(phoneUrl).toMatch(/^http:\/\/[^/]+\/#ecps1:/);
  const phone = await context.newPage();
  await phone.goto(phoneUrl);
  const shown = await phoneCode(phone);
  await expect(h1(page, 'Saisissez le code affiché sur le téléphone')).toBeFocused({ timeout: 15_000 });
  await expect(stepNow).toHaveText('Étape 4 sur 7 : Code du téléphone');
  await page.getByLabel('Code affiché sur le téléphone').fill(shown);
  await page.getByRole('button', { name: 'Valider le code' }).click();

  // The SMS code on the phone: the tries left follow a wrong code, on both screens.
  await expect(h1(page, 'Saisissez sur le téléphone le code reçu par SMS')).toBeFocused({ timeout: 15_000 });
  await expect(stepNow).toHaveText('Étape 5 sur 7 : Code SMS');
  await expect(page.getByTestId('sms-attempts')).toHaveText(/3 essais/);
  const smsCodes = page.getByTestId('outbox-sms-code');
  await expect(smsCodes).toHaveCount(1);
  const first = ((await smsCodes.first().textContent()) ?? '').trim();
  await phone.getByTestId('sms').fill(wrongCode(first));
  await phone.getByTestId('sms-submit').click();
  await expect(phone.getByRole('alert')).toHaveText('Code SMS incorrect : il reste 2 essais.');
  await expect(page.getByTestId('sms-attempts')).toHaveText(/Il reste 2 essais/);
  await expect(page.getByText(/3 essais/)).toHaveCount(0);
  // « Renvoyer le SMS »: a new code, the tries counted afresh.
  await page.getByRole('button', { name: 'Renvoyer le SMS' }).click();
  await expect(smsCodes).toHaveCount(2);
  await expect(page.getByTestId('sms-attempts')).toHaveText(/3 essais/);
  const second = ((await smsCodes.first().textContent()) ?? '').trim();
  await phone.getByTestId('sms').fill(second);
  await phone.getByTestId('sms-submit').click();

  await expect(h1(page, 'Choisissez votre mot de passe e-CPS')).toBeFocused({ timeout: 15_000 });
  await expect(stepNow).toHaveText('Étape 6 sur 7 : Mot de passe e-CPS');
  await choosePassword(page, PASSWORD);
  await phone.getByTestId('password').fill(PASSWORD);
  await phone.getByTestId('password-submit').click();
  await expect(h1(page, 'Votre e-CPS est active')).toBeFocused({ timeout: 30_000 });
  await expect(stepNow).toHaveText('Étape 7 sur 7 : Terminé');
  await expect(page.getByTestId('view-activation-done')).not.toContainText(/carte CPS du lecteur|retirer votre carte/i);
  await expectAccessible(page, 'sans carte terminée (issue 12)');
  await page.getByRole('button', { name: "Retour à l'accueil" }).click();
  await phone.close();
});

test('item 7: Préparation tells what is missing, keeps its buttons in view, links the CPS pages', async ({ page }) => {
  for (const size of ['1280x800', '800x600'] as const) {
    await page.setViewportSize(SIZES[size].viewport);
    await open(page);
    await toPreparation(page);
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', { timeout: 8_000 });
    await expect(page.getByTestId('check-phone')).toHaveAttribute('data-done', 'false');
    const ready = page.getByTestId('prep-ready');
    await expect(ready).not.toContainText('Tout est prêt');
    await expect(ready).toContainText('application e-CPS');
    await inView(page.getByRole('button', { name: 'Continuer' }));
    await inView(page.getByRole('button', { name: 'Diagnostiquer mon lecteur' }));
    await page.getByLabel("J'ai installé l'application e-CPS sur mon téléphone").check();
    await expect(ready).toContainText('Tout est prêt');
    await page.getByLabel("J'ai installé l'application e-CPS sur mon téléphone").uncheck();
  }
  await page.getByRole('button', { name: 'Diagnostiquer mon lecteur' }).click();
  await expect(h1(page, 'Diagnostic du lecteur')).toBeFocused();
  await page.getByTestId('nav-help').click();
  for (const topic of ['no-card', 'lost-card']) {
    const disclosure = page.getByTestId(`help-${topic}`);
    await disclosure.locator('summary').click();
    await expect(disclosure.locator('a[href="https://esante.gouv.fr/assistance"]')).toHaveCount(1);
  }
  await expect(page.getByTestId('help-no-card').getByRole('link', { name: /carte CPS/ })).toHaveCount(1);
});

test('item 8: the reader status is on the home screen and on the PIN screen', async ({ page }) => {
  await open(page);
  const strip = page.getByTestId('reader-strip');
  await expect(strip).toBeVisible();
  await expect(strip).toContainText('CPS3');
  await expect(strip).toHaveAttribute('data-state', 'ready');
  await toPreparation(page);
  // Préparation shows the full panel: no strip saying the same twice.
  await expect(strip).toHaveCount(0);
  await toPin(page);
  await expect(strip).toBeVisible();
  await expect(strip).toContainText('CPS3');
  await cancelActivation(page);
});

test('items 10 and 12: Diagnostic copies the summary and saves the report, in plain words; English without French leftovers', async ({ page, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page);
  await page.getByRole('button', { name: 'Diagnostiquer mon lecteur' }).click();
  await page.getByRole('button', { name: 'Lancer le diagnostic complet' }).click();
  const report = page.getByTestId('diagnose-report');
  await expect(report).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Copier le résumé' }).click();
  await expect(page.getByTestId('copy-status')).toContainText('copié');
  const summary = ((await page.getByTestId('diagnose-summary').textContent()) ?? '').trim();
  expect((await clipboardText(page)).trim()).toBe(summary);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Enregistrer le rapport' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^diagnostic-compagnon-ecps-.*\.html$/);
  const html = readFileSync((await download.path())!, 'utf8');
  expect(html).toMatch(/<html/i);
  expect(html).toContain('Diagnostic');
  if (process.platform === 'linux') await expect(report).not.toContainText('Linux seulement');
  await expect(report).not.toContainText('autorité de confiance');
  await expect(report).not.toContainText('in-process');

  // English: no French left in the report's texts nor the help's, except marked as French.
  await page.getByRole('button', { name: 'English' }).click();
  try {
    await expect(page.getByRole('heading', { level: 1, name: 'Reader diagnostics' })).toBeVisible();
    await expect(report).not.toContainText('Lecteur virtuel intégré');
    await page.getByTestId('nav-help').click();
    await page.getByTestId('help-who-to-call').locator('summary').click();
    await expect(page.getByTestId('help-who-to-call')).not.toContainText('Agence du Numérique en Santé');
  } finally {
    await page.getByRole('button', { name: 'Français' }).click();
  }
});

test('item 12 in English: the E-POP labels marked as French, the QR countdown in words', async ({ page }) => {
  test.setTimeout(90_000);
  await open(page);
  await page.getByRole('button', { name: 'English' }).click();
  try {
    await inEnglish(page);
  } finally {
    await open(page);
    await page.getByRole('button', { name: 'Français' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  }
});

async function inEnglish(page: Page) {
  await page.getByRole('button', { name: 'Activate without my card' }).click();
  const id = page.getByLabel('Your RPPS number (11 digits)');
  await id.fill('99700000039');
  await id.press('Enter');
  const steps = page.getByTestId('epop-steps');
  await expect(steps).toContainText('Données professionnelles');
  await expect(steps.locator('[lang="fr"]', { hasText: 'Données professionnelles' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Back to the start' }).click();
  await page.getByRole('button', { name: 'Activate with my card' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('PIN (4 digits)').fill(DEMO_PIN);
  await page.getByLabel('PIN (4 digits)').press('Enter');
  const region = page.getByRole('region', { name: /terms of use/i });
  await region.focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: 'I accept' }).click();
  await page.getByRole('button', { name: 'Start the activation' }).click();
  await expect(page.getByTestId('qr-countdown')).toHaveText(/^Valid for another \d+ seconds$/, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Cancel the activation' }).click();
}

test('item 11: small windows — a compact header and banner at 200 % zoom, a CGU box worth reading, the QR whole at 800×600', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const zoomed = await browser.newContext({ ...SIZES.zoom200, locale: 'fr-FR' });
  const z = await zoomed.newPage();
  try {
    await open(z);
    const header = (await z.locator('.app-header').boundingBox())!;
    const banner = (await z.getByTestId('demo-banner').boundingBox())!;
    expect(header.height, 'header height at 200 %').toBeLessThanOrEqual(56);
    expect(banner.height, 'demo banner height at 200 %').toBeLessThanOrEqual(44);
    await toPreparation(z);
    await toPin(z);
    await typePin(z, DEMO_PIN);
    await expect(h1(z, "Conditions générales d'utilisation")).toBeFocused({ timeout: 15_000 });
    const lines = await z.getByTestId('cgu-text').evaluate((el) => el.clientHeight / parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { lineHeight: string } }).getComputedStyle(el).lineHeight));
    expect(lines, 'lines of the CGU visible at once at 200 %').toBeGreaterThanOrEqual(8);
    await acceptCgu(z);
    await expect(h1(z, "Commencer l'activation")).toBeFocused();
    await cancelActivation(z);
  } finally {
    await zoomed.close();
  }

  for (const size of ['1280x800', '800x600'] as const) {
    await page.setViewportSize(SIZES[size].viewport);
    await open(page);
    await toQr(page);
    await inView(page.getByTestId('qr-canvas').first());
    await inView(page.getByTestId('qr-countdown'));
    await cancelActivation(page);
  }
});
