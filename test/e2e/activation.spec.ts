/**
 * Both activations end to end in Debian's Chromium: the web shell (demo: the built-in virtual
 * CPS3, the in-process sandbox authority) and the reference phone (`ecps phone --json --stdin`)
 * spawned here, talking to the companion's pairing server over a real websocket.
 *
 * With the card: PIN → CGU (scrolled to the end with the keyboard) → QR (its payload read from
 * the technicians' panel) → a wrong phone code, then the right one → password refusals (too
 * simple, entries differ) → the phone types the same password → done.
 * Without the card: ADELI told to use the card, missing contact details → e-POP guidance, then
 * a pharmacist on file: request → the e-mailed QR from the sandbox outbox shown to trainees →
 * the phone's code typed here → the SMS code (outbox) typed on the phone → password → done.
 *
 * Every screen: axe-core (no serious/critical violation) and a screenshot (20-… onwards).
 * The demo card's PIN counter is shared by the whole companion: only the right PIN is typed.
 */
import { test, expect, type Page } from '@playwright/test';
import { open, expectAccessible, shot, SCREENS } from './support/ui';
import { spawnCli, type CliChild } from '../support/cli';

const PIN = '1234';
const PASSWORD = '5829';
const children: CliChild[] = [];

test.afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Each screen: its h1 has the focus, axe is happy, a picture is kept. */
async function screen(page: Page, title: string | RegExp, name: string) {
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeFocused();
  await expectAccessible(page, name);
  await shot(page, name);
}

function phone(payload: string): CliChild {
  const child = spawnCli(['phone', payload, '--json', '--stdin']);
  children.push(child);
  return child;
}

const write = (child: CliChild, line: string) => child.process.stdin!.write(`${line}\n`);

/** A 6-digit code that is not the phone's (same length, last digit changed). */
const wrongCode = (code: string) => code.slice(0, -1) + String((Number(code.slice(-1)) + 1) % 10);

async function choosePassword(page: Page, first: string, second: string) {
  await page.getByLabel('Mot de passe e-CPS (4 chiffres)').fill(first);
  await page.getByLabel('Saisissez-le à nouveau').fill(second);
  await page.getByRole('button', { name: 'Valider le mot de passe' }).click();
}

test('with the card: PIN → CGU → QR → the phone’s code (one wrong first) → password refusals → done', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page);
  await page.getByRole('button', { name: 'Activer avec ma carte' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Préparation' })).toBeFocused();
  await page.getByRole('button', { name: 'Continuer' }).click();

  // The PIN screen, inside the activation: the card's counter read first (left at 3/3 by every test).
  await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');
  await expect(page.getByLabel('Code porteur (4 chiffres)')).toBeFocused();
  await expectAccessible(page, '20-activation-code-porteur');
  await shot(page, '20-activation-code-porteur');
  await page.getByLabel('Code porteur (4 chiffres)').fill(PIN);
  await page.getByRole('button', { name: 'Valider' }).click();

  // CGU: "J'accepte" refuses until the text was scrolled to its end — with the keyboard here.
  await expect(page.getByRole('heading', { level: 1, name: "Conditions générales d'utilisation" })).toBeFocused();
  await expect(page.getByTestId('cgu-text')).toContainText(/Version : sandbox-/);
  const region = page.getByRole('region', { name: /Texte des conditions générales/ });
  await expect(region).toContainText('TEXTE DE DÉMONSTRATION');
  const accept = page.getByRole('button', { name: "J'accepte" });
  const scrolls = await region.evaluate((el) => el.scrollHeight > el.clientHeight + 4);
  expect(scrolls, 'the CGU text is long enough to scroll in its box').toBe(true);
  await expect(accept).toHaveAttribute('aria-disabled', 'true');
  await screen(page, "Conditions générales d'utilisation", '21-cgu');
  // aria-disabled (still focusable, still explains itself): Enter on it says what is missing.
  await accept.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cgu-hint')).toContainText("Lisez d'abord le texte jusqu'à la fin");
  await expect(region).toBeFocused();
  await page.keyboard.press('End');
  await expect(accept).toHaveAttribute('aria-disabled', 'false');
  await shot(page, '22-cgu-lue');
  await accept.click();
  await expect(page.getByRole('heading', { level: 1, name: "Commencer l'activation" })).toBeFocused();
  await page.getByRole('button', { name: "Commencer l'activation" }).click();

  // QR: drawn, counting down from 90 s, its payload in the technicians' panel.
  await expect(page.getByTestId('qr-canvas')).toHaveAttribute('data-drawn', 'true', { timeout: 20_000 });
  await expect(page.getByTestId('qr-countdown')).toHaveText(/Valable encore (\d|[1-8]\d|90) s/);
  await expect(page.getByTestId('qr-connection')).toHaveText(/En attente du téléphone/);
  await screen(page, 'Scannez le QR code avec votre téléphone', '23-qr');
  await page.getByText('Le téléphone n’arrive pas à se connecter').click();
  await expect(page.getByTestId('help-phone-connectivity')).toContainText('même réseau Wi-Fi');
  const payload = (await page.getByTestId('qr-payload').textContent())?.trim() ?? '';
  expect(payload).toMatch(/^ecps/);

  // The phone scans it and shows its code; the app moves to the code screen.
  const p = phone(payload);
  const shown = String((await p.waitForLine((l) => l.event === 'code', 20_000)).code);
  expect(shown).toMatch(/^\d{6}$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Saisissez le code affiché sur le téléphone' })).toBeFocused({ timeout: 15_000 });
  await expect(page.getByTestId('phone-connection')).toContainText('réseau local');
  await expect(page.getByTestId('code-attempts')).toHaveText('Il reste 3 essais.');
  await screen(page, 'Saisissez le code affiché sur le téléphone', '24-code-telephone');

  // A wrong code: refused, 2 attempts left, still on the code screen.
  const field = page.getByLabel('Code affiché sur le téléphone');
  await field.fill(wrongCode(shown));
  await field.press('Enter');
  await expect(page.getByTestId('activation-error')).toContainText('Code incorrect : il reste 2 essais.');
  await expect(page.getByTestId('code-attempts')).toHaveText('Il reste 2 essais.');
  await expectAccessible(page, 'code faux');
  await shot(page, '25-code-faux');
  await field.fill(shown);
  await field.press('Enter');

  // The password: refusals with their reasons, then a good one typed twice.
  await screen(page, 'Choisissez votre mot de passe e-CPS', '26-mot-de-passe');
  for (const [first, second, reason] of [
    ['1111', '1111', 'le même chiffre répété'],
    ['1234', '1234', 'une suite de chiffres'],
    [PASSWORD, '5830', 'Les deux saisies du mot de passe sont différentes'],
  ] as const) {
    await choosePassword(page, first, second);
    await expect(page.getByTestId('activation-error')).toContainText(reason);
    await expect(page.getByRole('heading', { level: 1, name: 'Choisissez votre mot de passe e-CPS' })).toBeVisible();
    await expect(page.getByLabel('Mot de passe e-CPS (4 chiffres)')).toHaveValue('');
    if (first === '1111') {
      await expectAccessible(page, 'mot de passe refusé');
      await shot(page, '27-mot-de-passe-refuse');
    }
  }
  await shot(page, '28-mot-de-passe-differents');
  await choosePassword(page, PASSWORD, PASSWORD);

  // The phone asks for the same password; the companion only gets its proof.
  await screen(page, 'Saisissez ce mot de passe sur votre téléphone', '29-saisie-telephone');
  await p.waitForLine((l) => l.event === 'password-required', 20_000);
  write(p, PASSWORD);
  await expect(page.getByRole('heading', { level: 1, name: 'Votre e-CPS est active' })).toBeFocused({ timeout: 30_000 });
  await expect(page.getByTestId('activation-reference')).toContainText('Référence');
  await expectAccessible(page, 'activation terminée');
  await shot(page, '30-activation-terminee');
  const result = await p.exited(20_000);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(p.lines().some((l) => l.event === 'done')).toBe(true);
  expect(await page.content()).not.toContain(PASSWORD);

  await page.getByRole('button', { name: "Retour à l'accueil" }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Activer votre e-CPS' })).toBeFocused();
});

test('without the card: ADELI told to use the card, e-POP guidance, then request → e-mailed QR → code → SMS on the phone → done', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page);
  await page.getByRole('button', { name: 'Activer sans ma carte' }).click();
  await expect(page.getByText(/48 heures/).first()).toBeVisible();
  await screen(page, 'Activer sans ma carte', '31-sans-carte-identifiant');
  const id = page.getByLabel('Votre numéro RPPS (11 chiffres)');

  // ADELI (9 digits): the physical card is needed — a way on, not a dead end.
  await id.fill('990000010');
  await id.press('Enter');
  await expect(page.getByTestId('activation-error')).toContainText('ADELI');
  await screen(page, 'Activation avec la carte nécessaire', '32-sans-carte-adeli');
  await expect(page.getByRole('button', { name: 'Activer avec ma carte' })).toBeVisible();
  await page.getByRole('button', { name: "Retour à l'accueil" }).click();
  await page.getByRole('button', { name: 'Activer sans ma carte' }).click();

  // A wrong check digit: refused in place.
  await id.fill('99700000012');
  await id.press('Enter');
  await expect(page.getByTestId('activation-error')).toContainText('faute de frappe');

  // No contact details on file: the E-POP steps and the 48 h delay.
  await id.fill('99700000039');
  await id.press('Enter');
  await expect(page.getByTestId('epop-steps')).toContainText('crayon sur fond orange');
  await expect(page.getByTestId('epop-delay')).toContainText('48 heures');
  await screen(page, 'Mettez à jour vos coordonnées sur E-POP', '33-sans-carte-epop');
  await page.getByRole('button', { name: 'Saisir un autre numéro' }).click();

  // A pharmacist with contact details: "Envoyer ma demande d'activation".
  await expect(page.getByRole('heading', { level: 1, name: 'Activer sans ma carte' })).toBeFocused();
  await id.fill('997 0000 0054');
  await id.press('Enter');
  await screen(page, 'Vos coordonnées sont connues', '34-sans-carte-demande');
  await page.getByRole('button', { name: "Envoyer ma demande d'activation" }).click();

  // Sent to the masked address; the sandbox outbox shows the trainee the e-mail and its QR.
  await expect(page.getByTestId('request-sent-to')).toContainText('•');
  const outbox = page.getByTestId('sandbox-outbox');
  await expect(outbox.getByTestId('outbox-email')).toContainText('yves.garnier');
  await expect(outbox.getByTestId('qr-canvas')).toHaveAttribute('data-drawn', 'true');
  await screen(page, "Demande envoyée : ouvrez l'e-mail reçu", '35-sans-carte-envoyee');
  const payload = (await outbox.getByTestId('outbox-qr-payload').textContent())?.trim() ?? '';
  expect(payload).toMatch(/^ecps/);

  // The phone scans the e-mailed QR; its code is typed here.
  const p = phone(payload);
  const shown = String((await p.waitForLine((l) => l.event === 'code', 20_000)).code);
  await screen(page, 'Saisissez le code affiché sur le téléphone', '36-sans-carte-code-telephone');
  await page.getByLabel('Code affiché sur le téléphone').fill(shown);
  await page.getByRole('button', { name: 'Valider le code' }).click();

  // The SMS code goes to the phone, not here: the trainee reads it in the outbox.
  await expect(page.getByRole('heading', { level: 1, name: 'Saisissez sur le téléphone le code reçu par SMS' })).toBeFocused({ timeout: 15_000 });
  await expect(page.getByTestId('sms-sent-to')).toContainText('•');
  const smsCode = page.getByTestId('outbox-sms-code');
  await expect(smsCode).toHaveText(/^\d{6}$/);
  await expectAccessible(page, 'sans carte SMS');
  await shot(page, '37-sans-carte-sms');
  await p.waitForLine((l) => l.event === 'sms-required', 20_000);
  write(p, (await smsCode.textContent())!.trim());

  await expect(page.getByRole('heading', { level: 1, name: 'Choisissez votre mot de passe e-CPS' })).toBeFocused({ timeout: 15_000 });
  await choosePassword(page, PASSWORD, PASSWORD);
  await p.waitForLine((l) => l.event === 'password-required', 20_000);
  write(p, PASSWORD);
  await expect(page.getByRole('heading', { level: 1, name: 'Votre e-CPS est active' })).toBeFocused({ timeout: 30_000 });
  await screen(page, 'Votre e-CPS est active', '38-sans-carte-terminee');
  const result = await p.exited(20_000);
  expect(result.code, result.stdout + result.stderr).toBe(0);
});

test('a newcomer’s demo: the app’s second QR opens the reference phone page, which completes the activation', async ({ page, context }) => {
  test.setTimeout(120_000);
  await open(page);
  await page.getByRole('button', { name: 'Activer avec ma carte' }).click();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');
  await page.getByLabel('Code porteur (4 chiffres)').fill(PIN);
  await page.getByRole('button', { name: 'Valider' }).click();
  const region = page.getByRole('region', { name: /Texte des conditions générales/ });
  await region.focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: "J'accepte" }).click();
  await page.getByRole('button', { name: "Commencer l'activation" }).click();

  // Demo mode with the sandbox: the QR screen offers the reference phone page, clearly labelled.
  const demo = page.getByTestId('demo-phone-link');
  await expect(demo).toBeVisible({ timeout: 20_000 });
  await expect(demo).toContainText('Démonstration');
  await expect(demo).toContainText('Ce n’est pas l’application e-CPS officielle.');
  await expectAccessible(page, 'qr avec téléphone de démonstration');
  await shot(page, '39-qr-telephone-demonstration');
  const url = (await page.getByTestId('demo-phone-url').textContent())?.trim() ?? '';
  const payload = (await page.getByTestId('qr-payload').textContent())?.trim() ?? '';
  expect(url).toMatch(/^http:\/\/[^/]+\/#ecps1:/);
  expect(url.endsWith(payload), 'the page link carries the QR shown').toBe(true);

  // "The phone": the page in another tab, as a trainer's phone camera would open it. The page is
  // served on the pairing interface (a LAN address here, not localhost): no secure context, no
  // WebCrypto — the page runs the plain-JS suite (simulators/phone/noble-crypto.ts).
  const phonePage = await context.newPage();
  await phonePage.goto(url);
  const code = phonePage.getByTestId('code');
  await expect(code).toHaveText(/^\d{3} \d{3}$/, { timeout: 20_000 });
  const digits = ((await code.textContent()) ?? '').replace(/\s/g, '');
  await expect(page.getByRole('heading', { level: 1, name: 'Saisissez le code affiché sur le téléphone' })).toBeFocused({ timeout: 15_000 });
  const field = page.getByLabel('Code affiché sur le téléphone');
  await field.fill(digits);
  await field.press('Enter');

  await choosePassword(page, PASSWORD, PASSWORD);
  await expect(page.getByRole('heading', { level: 1, name: 'Saisissez ce mot de passe sur votre téléphone' })).toBeFocused({ timeout: 15_000 });
  await phonePage.getByTestId('password').fill(PASSWORD);
  await phonePage.getByTestId('password-submit').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Votre e-CPS est active' })).toBeFocused({ timeout: 30_000 });
  await expect(phonePage.getByTestId('done')).toBeVisible({ timeout: 15_000 });
  await phonePage.screenshot({ path: `${SCREENS}/39b-page-telephone-terminee.png`, fullPage: true });
  await page.getByRole('button', { name: "Retour à l'accueil" }).click();
  await phonePage.close();
});
