/**
 * The renderer end to end over REAL PC/SC: Debian's Chromium → web shell (`bin/start.mjs
 * --no-open`, not --demo) → the real IPC handlers → pcsc-mini → a private pcscd → vsmartcard
 * vpcd → virtual cards plugged in and pulled out by the test (support/pcscd-app.ts). Each
 * screen is checked with axe-core and photographed into test-results/screens/ (60-…).
 *
 * PIN safety is asserted on the card's side of the wire (support/watched-card.ts: the PIN
 * commands that reached the card; test/support/pin-faults.ts: its real counters read with
 * raw APDUs on the virtual card object), never through the UI alone.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import type { Page } from '@playwright/test';
import { createVirtualCard, createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import { createCps3 } from '../../simulators/cards/cps3';
import { withSandboxCredentials } from '../../simulators/cards/cps-catalog';
import { readCountersDirectly } from '../support/pin-faults';
import { CPS_SLOT, PCSCD_POLL_MS, VITALE_SLOT, expect, test, type PcscApp } from './support/pcscd-app';
import { checkScreen } from './support/ui';
import { WatchedCard } from './support/watched-card';
import { REPO_ROOT } from './support/web-shell';

const PIN = '1234';
const WRONG_PIN = '0000';
/** pcscd's poll plus the companion's identification, on a loaded 2-core machine. */
const LIVE = { timeout: 8_000 };

async function open(page: Page, app: PcscApp) {
  await page.goto(app.url);
  await expect(page.locator('main h1')).toBeVisible();
}

async function toPreparation(page: Page) {
  await page.getByRole('button', { name: 'Activer avec ma carte' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Préparation' })).toBeFocused();
}

/** From Préparation (card ready) to the PIN screen, tries shown. */
async function toPin(page: Page) {
  await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', LIVE);
  await page.getByRole('button', { name: 'Continuer' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Code porteur de votre carte CPS' })).toBeVisible();
}

async function typePin(page: Page, pin: string) {
  const field = page.getByLabel('Code porteur (4 chiffres)');
  await field.fill(pin);
  await field.press('Enter');
}

/** A CPS3 with its sandbox certificates, watched (PIN commands counted, holdable). */
async function watchedCps3(options: { pinTriesLeft?: number } = {}): Promise<WatchedCard> {
  if (options.pinTriesLeft === undefined) return new WatchedCard(await createVirtualCardWithCredentials('cps3'));
  const { credentials } = await withSandboxCredentials();
  return new WatchedCard(createCps3({ ...(credentials ? { credentials } : {}), pinTriesLeft: options.pinTriesLeft }));
}

/** The card's real counters, out of the reader (pulls it; the caller puts it back if needed). */
async function countersOf(app: PcscApp, card: WatchedCard) {
  await app.pull(CPS_SLOT);
  return readCountersDirectly(card.inner, 'cps3');
}

test.describe('real pcscd: reader and card states', () => {
  test.beforeEach(async ({ pcscApp }) => {
    expect(pcscApp.rig.running, `pcscd:\n${pcscApp.rig.log()}`).toBe(true);
  });

  test.afterEach(async ({ pcscApp }) => {
    expect(pcscApp.slotErrors, 'vpcd bridge errors').toEqual([]);
  });

  test('status panel and Préparation follow a CPS3 inserted and pulled live, with the real reader names; no demo banner', async ({ page, pcscApp }) => {
    const [cpsReader, vitaleReader] = pcscApp.readerNames;
    await pcscApp.setCard(CPS_SLOT, null);
    await pcscApp.setCard(VITALE_SLOT, null);
    await open(page, pcscApp);
    // Real reader: no "Mode démonstration"; the sandbox authority is still labelled.
    await expect(page.getByTestId('demo-banner')).toContainText('Autorité bac à sable');
    await expect(page.getByText('Mode démonstration')).toHaveCount(0);
    await toPreparation(page);

    const panel = page.getByTestId('status-panel');
    await expect(page.getByTestId('check-reader')).toHaveAttribute('data-done', 'true', LIVE);
    await expect(page.getByTestId('check-reader')).toContainText(cpsReader);
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'false');
    await expect(panel.getByTestId('slot-cps')).toContainText(cpsReader);
    await expect(panel.getByTestId('slot-cps')).toContainText('Pas de carte');
    await expect(panel.getByTestId('slot-vitale')).toContainText(vitaleReader);
    await expect(panel.getByTestId('slot-vitale')).toContainText('Pas de carte');
    await checkScreen(page, '60-pcscd-preparation-sans-carte');

    await pcscApp.setCard(CPS_SLOT, createVirtualCard('cps3'));
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', LIVE);
    await expect(page.getByTestId('check-card')).toContainText('CPS3');
    await expect(page.getByTestId('check-reader')).toContainText(cpsReader);
    await expect(panel.getByTestId('slot-cps')).toContainText('CPS3');
    await pcscApp.setCard(VITALE_SLOT, createVirtualCard('vitale2'));
    await expect(panel.getByTestId('slot-vitale')).toContainText('Vitale 2', LIVE);
    await expect(page.getByTestId('prep-continue')).toHaveAttribute('aria-disabled', 'false');
    await checkScreen(page, '61-pcscd-preparation-cps3');

    await pcscApp.pull(CPS_SLOT);
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'false', LIVE);
    await expect(panel.getByTestId('slot-cps')).toContainText('Pas de carte');
    await expect(panel.getByTestId('slot-vitale')).toContainText('Vitale 2');
    await expect(page.getByTestId('prep-continue')).toHaveAttribute('aria-disabled', 'true');
    await expect(page.getByText('Mode démonstration')).toHaveCount(0);
  });
});

test.describe('real pcscd: reader and card states (2)', () => {
  test.afterEach(async ({ pcscApp }) => {
    expect(pcscApp.slotErrors, 'vpcd bridge errors').toEqual([]);
  });

  test('a Vitale 2 card in the CPS slot: "this is a Vitale card, put your CPS in this slot"', async ({ page, pcscApp }) => {
    await pcscApp.setCard(VITALE_SLOT, null);
    await pcscApp.setCard(CPS_SLOT, createVirtualCard('vitale2'));
    await open(page, pcscApp);
    await toPreparation(page);
    const cpsSlot = page.getByTestId('status-panel').getByTestId('slot-cps');
    await expect(cpsSlot.getByTestId('vitale-in-cps-slot')).toContainText('Ceci est une carte Vitale', LIVE);
    await expect(cpsSlot.getByTestId('vitale-in-cps-slot')).toContainText('Insérez votre carte CPS dans cette fente');
    await expect(cpsSlot).toContainText(pcscApp.readerNames[0]);
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'false');
    await expect(page.getByTestId('check-card')).toContainText('Ceci est une carte Vitale');
    await expect(page.getByTestId('prep-continue')).toHaveAttribute('aria-disabled', 'true');
    await checkScreen(page, '62-pcscd-vitale-dans-fente-cps');

    // The user swaps the cards: the CPS goes in, the warning goes away.
    await pcscApp.setCard(CPS_SLOT, createVirtualCard('cps3'));
    await pcscApp.setCard(VITALE_SLOT, createVirtualCard('vitale2'));
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', LIVE);
    await expect(cpsSlot.getByTestId('vitale-in-cps-slot')).toHaveCount(0);
    await expect(page.getByTestId('status-panel').getByTestId('slot-vitale')).toContainText('Vitale 2', LIVE);
  });

  test('pcscd stopped: "service down" with its remedy, and the app recovers by itself when pcscd is back', async ({ page, pcscApp }) => {
    await pcscApp.setCard(CPS_SLOT, createVirtualCard('cps3'));
    await open(page, pcscApp);
    await toPreparation(page);
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', LIVE);

    await pcscApp.stopPcscd();
    const down = page.getByTestId('status-panel').getByTestId('service-down');
    await expect(down).toContainText('Le service des cartes à puce (PC/SC) ne répond pas.', LIVE);
    await expect(down).toContainText('pcscd sous Linux');
    await expect(page.getByTestId('check-reader')).toHaveAttribute('data-done', 'false');
    await expect(page.getByTestId('check-reader')).toContainText('Le service des cartes à puce ne répond pas.');
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'false');
    await expect(page.getByTestId('prep-continue')).toHaveAttribute('aria-disabled', 'true');
    await checkScreen(page, '63-pcscd-service-arrete');

    // Back by itself: no reload, no click (the card stayed in its slot).
    await pcscApp.startPcscd();
    await expect(down).toHaveCount(0, LIVE);
    await expect(page.getByTestId('check-reader')).toHaveAttribute('data-done', 'true', LIVE);
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', LIVE);
    await expect(page.getByTestId('status-panel').getByTestId('slot-cps')).toContainText('CPS3');
    await expect(page.getByText('Mode démonstration')).toHaveCount(0);
  });

  test('no reader (pcscd runs, no reader plugged): the remedy, then the reader appears live', async ({ page, pcscApp }) => {
    await pcscApp.setCard(CPS_SLOT, createVirtualCard('cps3'));
    await open(page, pcscApp);
    await toPreparation(page);
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', LIVE);

    await pcscApp.restartWithoutReaders();
    try {
      const none = page.getByTestId('status-panel').getByTestId('no-reader');
      await expect(none).toContainText('Aucun lecteur de cartes détecté.', LIVE);
      await expect(none).toContainText('Branchez le lecteur sur un port USB');
      await expect(page.getByTestId('check-reader')).toHaveAttribute('data-done', 'false');
      await expect(page.getByTestId('check-reader')).toContainText('Aucun lecteur détecté');
      await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'false');
      await checkScreen(page, '64-pcscd-aucun-lecteur');
    } finally {
      await pcscApp.restartWithReaders();
    }
    await expect(page.getByTestId('check-reader')).toHaveAttribute('data-done', 'true', LIVE);
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'true', LIVE);
  });
});

test.describe('real pcscd: the PIN, counted on the card', () => {
  test.afterEach(async ({ pcscApp }) => {
    expect(pcscApp.slotErrors, 'vpcd bridge errors').toEqual([]);
  });

  test('wrong PIN twice (tries shown before typing, decreasing), then the last try: the card is untouched until the user confirms', async ({ page, pcscApp }) => {
    const card = await watchedCps3();
    await pcscApp.setCard(CPS_SLOT, card);
    await open(page, pcscApp);
    await toPreparation(page);
    await toPin(page);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');
    expect(card.pinCommands, 'reading the counter spends nothing').toBe(0);
    await checkScreen(page, '65-pcscd-code-porteur');

    await typePin(page, WRONG_PIN);
    await expect(page.getByTestId('pin-message')).toContainText(/il reste 2 essais/i);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 2 essais sur 3.');
    expect(card.pinCommands).toBe(1);
    await checkScreen(page, '66-pcscd-code-faux');

    await typePin(page, WRONG_PIN);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 1 essai sur 3.');
    await expect(page.getByText("il ne vous reste qu'un seul essai")).toBeVisible();
    expect(card.pinCommands).toBe(2);

    // Last try: the app asks first; nothing reaches the card. The safe answer has the focus
    // (issue 12 item 1): an Enter typed twice by habit cancels, it does not spend the last try.
    await typePin(page, PIN);
    const dialog = page.getByTestId('last-try');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Non, annuler' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await page.waitForTimeout(300);
    expect(card.pinCommands, 'a double Enter spends nothing').toBe(2);
    await expect(page.getByLabel('Code porteur (4 chiffres)')).toBeFocused();

    // The risky answer needs a deliberate act: the box ticked first; a click alone sends nothing.
    await typePin(page, PIN);
    await expect(dialog).toBeVisible();
    const yes = dialog.getByRole('button', { name: 'Oui, utiliser mon dernier essai' });
    // aria-disabled (still focusable, still explains itself): a click or Enter on it says what is missing.
    await yes.focus();
    await page.keyboard.press('Enter');
    await expect(dialog.getByTestId('last-try-nudge')).toContainText('Cochez');
    await expect(dialog.getByLabel(/J’ai vérifié mon code/)).toBeFocused();
    await expect(dialog).toBeVisible();
    await page.waitForTimeout(300);
    expect(card.pinCommands, 'no PIN command before the confirmation').toBe(2);
    await checkScreen(page, '67-pcscd-dernier-essai');
    await page.setViewportSize({ width: 800, height: 600 });
    await checkScreen(page, '67-pcscd-dernier-essai-800x600');
    await page.setViewportSize({ width: 1280, height: 800 });
    await dialog.getByRole('button', { name: 'Non, annuler' }).click();
    await expect(dialog).toHaveCount(0);
    expect(card.pinCommands, 'no PIN command after "no"').toBe(2);
    expect((await countersOf(pcscApp, card)).pin, "the card's own counter").toBe(1);

    // Back in the reader, the user confirms: one VERIFY, the right PIN, the counter is full again.
    await pcscApp.setCard(CPS_SLOT, card);
    await page.getByRole('button', { name: "Annuler l'activation" }).click();
    await toPreparation(page);
    await toPin(page);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 1 essai sur 3.');
    await typePin(page, PIN);
    await expect(dialog).toBeVisible();
    expect(card.pinCommands).toBe(2);
    await dialog.getByLabel(/J’ai vérifié mon code/).check();
    await dialog.getByRole('button', { name: 'Oui, utiliser mon dernier essai' }).click();
    // Verified: the PIN screen gives way (to the CGU within an activation, else "Code porteur vérifié").
    await expect(page.locator('[data-testid="view-cgu"], [data-testid="pin-success"]').first()).toBeVisible(LIVE);
    await expect(page.getByTestId('view-pin')).toHaveCount(0);
    expect(card.pinCommands).toBe(3);
    expect((await countersOf(pcscApp, card)).pin).toBe(3);
  });

  test('a blocked card: the PUK guidance, no PIN pad, nothing sent to the card', async ({ page, pcscApp }) => {
    const card = new WatchedCard(await createVirtualCardWithCredentials('cps3', { variant: 'blocked' }));
    await pcscApp.setCard(CPS_SLOT, card);
    await open(page, pcscApp);
    await toPreparation(page);
    await toPin(page);
    const blocked = page.getByTestId('pin-blocked');
    await expect(blocked).toContainText('Votre carte CPS est bloquée');
    await expect(blocked).toContainText('code de déblocage (8 chiffres)');
    await expect(blocked).toContainText('0 825 852 000');
    await expect(page.getByLabel('Code porteur (4 chiffres)')).toHaveCount(0);
    await expect(page.getByRole('button', { name: "Annuler l'activation" })).toBeVisible();
    await checkScreen(page, '68-pcscd-carte-bloquee');
    expect(card.pinCommands).toBe(0);
    expect(await countersOf(pcscApp, card)).toMatchObject({ pin: 0, puk: 10 });
  });

  test('the card pulled on the PIN screen: a clear message, a way back, no try spent', async ({ page, pcscApp }) => {
    const card = await watchedCps3();
    await pcscApp.setCard(CPS_SLOT, card);
    await open(page, pcscApp);
    await toPreparation(page);
    await toPin(page);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');

    // The reader status stays in view on the PIN screen (issue 12 item 8).
    const strip = page.getByTestId('reader-strip');
    await expect(strip).toHaveAttribute('data-state', 'ready');
    await expect(strip).toContainText('CPS3');
    await pcscApp.pull(CPS_SLOT);
    await expect(page.getByText("Aucune carte CPS n'est prête : revenez à la préparation.")).toBeVisible(LIVE);
    await expect(strip).toHaveAttribute('data-state', 'no-card');
    await expect(strip).toContainText('Aucune carte CPS');
    await expect(page.getByLabel('Code porteur (4 chiffres)')).toHaveCount(0);
    await checkScreen(page, '69-pcscd-carte-retiree');
    await page.getByRole('button', { name: 'Retour à la préparation' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Préparation' })).toBeFocused();
    await expect(page.getByTestId('check-card')).toHaveAttribute('data-done', 'false');

    await pcscApp.setCard(CPS_SLOT, card);
    await toPin(page);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');
    expect(card.pinCommands).toBe(0);
    expect((await countersOf(pcscApp, card)).pin).toBe(3);
  });

  test('the card pulled while a PIN verify waits on it: a clear message, a way back, no try lost, nothing re-sent', async ({ page, pcscApp }) => {
    const card = await watchedCps3();
    await pcscApp.setCard(CPS_SLOT, card);
    await open(page, pcscApp);
    await toPreparation(page);
    await toPin(page);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');

    // A slow card: the VERIFY waits in the card's hands, and the user pulls it out meanwhile.
    card.holdNextPinCommand();
    await typePin(page, WRONG_PIN);
    await card.pinCommandHeld();
    await expect(page.getByTestId('pin-message')).toContainText('Vérification du code…');
    await pcscApp.pull(CPS_SLOT);
    await card.releaseHeld(false);

    // The PIN screen says the card is gone (not "wrong code") and leads back.
    await expect(page.getByText("Aucune carte CPS n'est prête : revenez à la préparation.")).toBeVisible(LIVE);
    await expect(page.getByText('Vérification du code…')).toHaveCount(0, LIVE);
    await expect(page.getByText(/Code incorrect/i)).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Retour à la préparation' })).toBeVisible();
    await checkScreen(page, '70-pcscd-carte-retiree-pendant-verification');
    expect(card.pinCommands, 'the VERIFY never reached the card').toBe(0);
    expect((await countersOf(pcscApp, card)).pin, 'no try lost').toBe(3);

    // Back in: the app re-reads the counter and sends nothing by itself.
    await pcscApp.setCard(CPS_SLOT, card);
    await page.getByRole('button', { name: 'Retour à la préparation' }).click();
    await toPin(page);
    await expect(page.getByTestId('pin-tries')).toHaveText('Il vous reste 3 essais sur 3.');
    await page.waitForTimeout(2 * PCSCD_POLL_MS);
    expect(card.pinCommands, 'nothing re-sent after the card came back').toBe(0);
  });
});

/**
 * The full with-card activation over real pcscd with the reference phone (`ecps phone`) over a
 * real websocket. Written against the activation screens' contract (CGU, QR with
 * data-testid="qr-payload", the phone's code, the password chosen twice, done) being landed
 * by the activation screens' work; kept apart so it can be adjusted on its own.
 */
test.describe('real pcscd: the full activation with the card and the reference phone', () => {
  const PASSWORD = '4826';

  test('PIN → CGU → QR → the phone\'s code → password twice → the phone proves it → done', async ({ page, pcscApp }) => {
    test.setTimeout(120_000);
    const card = await watchedCps3();
    await pcscApp.setCard(CPS_SLOT, card);
    await open(page, pcscApp);
    await toPreparation(page);
    await page.getByLabel("J'ai installé l'application e-CPS sur mon téléphone").check();
    await toPin(page);
    await typePin(page, PIN);

    // CGU: accept only once read to the end.
    await expect(page.getByTestId('view-cgu')).toBeVisible(LIVE);
    expect(card.pinCommands).toBe(1);
    const cgu = page.getByTestId('cgu-text');
    await expect(cgu).toBeVisible(LIVE);
    await checkScreen(page, '71-pcscd-activation-cgu');
    await cgu.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.dispatchEvent(new Event('scroll'));
    });
    await expect(page.getByTestId('cgu-accept')).toHaveAttribute('aria-disabled', 'false');
    await page.getByTestId('cgu-accept').click();
    // « Commencer l'activation » (the official order: CGU, then start, then the QR code).
    await expect(page.getByTestId('view-start')).toBeVisible(LIVE);
    await page.getByTestId('start-activation').click();

    // QR: the payload goes to the reference phone.
    await expect(page.getByTestId('view-qr')).toBeVisible(LIVE);
    const payloadNode = page.getByTestId('qr-payload');
    await expect(payloadNode).toHaveText(/\S/, { timeout: 20_000 });
    const payload = ((await payloadNode.textContent()) ?? '').trim();
    await checkScreen(page, '72-pcscd-activation-qr');

    const phone = spawn(process.execPath, ['bin/ecps.mjs', 'phone', payload, '--json', '--stdin'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ECPS_LANG: 'fr' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const events: Record<string, unknown>[] = [];
    let stderr = '';
    phone.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    readline.createInterface({ input: phone.stdout }).on('line', (line) => {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        events.push({ event: 'unparsed', line });
      }
    });
    const phoneEvent = async (name: string, timeout = 20_000) => {
      await expect
        .poll(() => events.some((e) => e.event === name), { message: `phone event "${name}"; events ${JSON.stringify(events)}; stderr ${stderr}`, timeout })
        .toBe(true);
      return events.find((e) => e.event === name)!;
    };
    try {
      const { code } = await phoneEvent('code');
      expect(String(code)).toMatch(/^\d{4,12}$/);

      // The code the phone shows, typed in the app.
      await expect(page.getByTestId('view-code')).toBeVisible(LIVE);
      await checkScreen(page, '73-pcscd-activation-code');
      await page.getByTestId('code-input').fill(String(code));
      await page.getByTestId('code-submit').click();

      // The e-CPS password, chosen twice.
      await expect(page.getByTestId('view-password')).toBeVisible(LIVE);
      await checkScreen(page, '74-pcscd-activation-mot-de-passe');
      await page.getByTestId('password-first').fill(PASSWORD);
      await page.getByTestId('password-second').fill(PASSWORD);
      await page.getByTestId('password-submit').click();

      // The phone types the same; it proves it without sending it.
      await phoneEvent('password-required');
      await expect(page.getByTestId('view-phone-password')).toBeVisible(LIVE);
      await checkScreen(page, '75-pcscd-activation-mot-de-passe-telephone');
      phone.stdin.write(`${PASSWORD}\n`);

      await expect(page.getByTestId('view-activation-done')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('activation-success')).toBeVisible();
      await checkScreen(page, '76-pcscd-activation-terminee');
      await phoneEvent('done', 30_000);
      expect(events.find((e) => e.event === 'password-result')).toMatchObject({ ok: true });
      expect(card.pinCommands, 'one VERIFY for the whole activation').toBe(1);
    } finally {
      phone.kill('SIGKILL');
    }
  });
});
