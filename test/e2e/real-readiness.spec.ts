/**
 * The real path's "Prêt pour l'activation ?" end to end: Debian's Chromium → web shell (not
 * demo) → the real IPC handlers → pcsc-mini → a private pcscd + vpcd with virtual cards, and the
 * machine's real OpenSC / p11-kit / NSS tools over a HOME of the test's own (support/real-app.ts).
 * Every check is on screen; each failure case has its own test with its remedy on screen. The
 * card's side of the wire proves no PIN try is ever spent (WatchedCard: no VERIFY with data,
 * CHANGE or RESET RETRY COUNTER reached the card).
 */
import type { Page } from '@playwright/test';
import { createVirtualCard, createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import { issueCardCredentials, TEST_HOLDERS } from '../../simulators/pki/index';
import { holdCard } from '../support/card-holder';
import { CPS_SLOT, VITALE_SLOT } from './support/pcscd-app';
import { expect, test, type RealApp } from './support/real-app';
import { checkScreen } from './support/ui';
import { WatchedCard } from './support/watched-card';

/** A readiness run (pcscd poll, card reading, pkcs11-tool through OpenSC) on a loaded 2-core machine. */
const RUN = { timeout: 25_000 };

async function toReadiness(page: Page, app: RealApp) {
  await page.goto('about:blank');
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Activer ma e-CPS (portail officiel)' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Activer ma e-CPS sur le portail officiel' })).toBeFocused();
  await page.getByRole('button', { name: 'Avec ma carte CPS' }).click();
  await expect(page.getByRole('heading', { level: 1, name: "Prêt pour l'activation ?" })).toBeFocused();
}

const line = (page: Page, id: string, subject?: string) => page.locator(`[data-check="${id}"]${subject ? `[data-subject="${subject}"]` : ''}`);

/** Waits for a run finished after now (data-checking false and the line in the expected state). */
async function expectLine(page: Page, id: string, status: string, subject?: string) {
  await expect(line(page, id, subject)).toHaveAttribute('data-status', status, RUN);
}

test.describe('Prêt pour l’activation ? over a real pcscd', () => {
  test.beforeEach(async ({ realApp }) => {
    expect(realApp.rig.running, `pcscd:\n${realApp.rig.log()}`).toBe(true);
  });
  test.afterEach(async ({ realApp }) => {
    expect(realApp.slotErrors, 'vpcd bridge errors').toEqual([]);
  });

  test('a CPS3 in the CPS slot and OpenSC registered: every check is on screen and OK, the card masked, no PIN try spent', async ({ page, realApp }) => {
    const card = new WatchedCard(await createVirtualCardWithCredentials('cps3'));
    await realApp.setCard(CPS_SLOT, card);
    await realApp.setCard(VITALE_SLOT, createVirtualCard('vitale2'));
    await toReadiness(page, realApp);
    await expect(page.getByTestId('readiness-summary')).toHaveText('Tout est prêt : vous pouvez passer au portail officiel.', RUN);
    const expected: [string, string?][] = [
      ['pcsc.service'],
      ['pcsc.readers'],
      ['card.cps-slot'],
      ['card.responsive'],
      ['card.free'],
      ['card.pin'],
      ['card.certificate'],
      ['browser.middleware'],
      ['browser.registered', 'Chromium'],
      ['browser.certificate'],
    ];
    for (const [id, subject] of expected) await expect(line(page, id, subject), id).toHaveAttribute('data-status', 'ok');
    await expect(page.getByTestId('readiness-group-machine').getByRole('heading', { name: 'Cet ordinateur' })).toBeVisible();
    await expect(line(page, 'browser.middleware')).toContainText(/Installé : OpenSC \d/);
    await expect(line(page, 'browser.certificate')).toContainText('visible par le module du navigateur (opensc-pkcs11.so)');
    await expect(page.getByTestId('readiness-card')).toHaveText(/^Carte : CPS3 n° 00012345 — D\*\*\* M\*\*\*$/);
    await expect(page.getByTestId('readiness-pin')).toHaveText('Code porteur : 3 essais restants sur 3 (lu sans consommer d\'essai).');
    await expect(page.getByText('DUPONT')).toHaveCount(0);
    await checkScreen(page, '80-pret-activation');
    expect(card.pinCommands, 'PIN commands that reached the card').toBe(0);
  });

  test('no middleware registered: Chromium has no card module — its line fails with the remedy; "Enregistrer OpenSC" after confirmation fixes it', async ({ page, realApp }) => {
    await realApp.setCard(CPS_SLOT, await createVirtualCardWithCredentials('cps3'));
    await realApp.setCard(VITALE_SLOT, null);
    await realApp.browserHome.setOpensc(realApp.browserHome.chromiumDb, false);
    try {
      await toReadiness(page, realApp);
      const chromium = line(page, 'browser.registered', 'Chromium');
      await expect(chromium).toHaveAttribute('data-status', 'fail', RUN);
      await expect(chromium).toContainText('Chromium ne connaît aucun module de carte : il ne verra pas votre CPS sur le portail.');
      await expect(chromium).toContainText(`Que faire : Enregistrez OpenSC dans Chromium`);
      await expect(chromium).toContainText(`modutil -dbdir sql:${realApp.browserHome.chromiumDb} -add OpenSC`);
      await expect(line(page, 'browser.certificate')).toHaveAttribute('data-status', 'skipped');
      await checkScreen(page, '81-pret-module-absent');

      await chromium.getByRole('button', { name: 'Enregistrer OpenSC dans Chromium' }).click();
      await expect(page.getByTestId('fix-confirm')).toContainText(`base de certificats de Chromium (${realApp.browserHome.chromiumDb})`);
      await page.getByTestId('fix-confirm-button').click();
      await expect(page.getByTestId('fix-result')).toHaveText('OpenSC est enregistré dans Chromium. Redémarrez ce navigateur pour qu’il le charge.', RUN);
      await expectLine(page, 'browser.registered', 'ok', 'Chromium');
      await expectLine(page, 'browser.certificate', 'ok');
    } finally {
      await realApp.browserHome.setOpensc(realApp.browserHome.chromiumDb, true).catch(() => undefined);
    }
  });

  test('certificate not visible: OpenSC without the IAS-ECC driver (as before 0.22) sees the token unrecognised — fail, with why and what to do', async ({ page, realApp }) => {
    const conf = `${realApp.stateDir}/opensc-without-iasecc.conf`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(conf, 'app default {\n  card_drivers = openpgp;\n}\n');
    await realApp.setCard(CPS_SLOT, await createVirtualCardWithCredentials('cps3'));
    await realApp.restartShell({ OPENSC_CONF: conf });
    try {
      await toReadiness(page, realApp);
      const visible = line(page, 'browser.certificate');
      await expect(visible).toHaveAttribute('data-status', 'fail', RUN);
      await expect(visible).toContainText('Le navigateur ne verra pas votre certificat à travers opensc-pkcs11.so : le module ne reconnaît pas la carte (« token not recognized »).');
      await expect(visible).toContainText('Que faire : Retirez et réinsérez la carte');
      await expect(line(page, 'browser.registered', 'Chromium')).toHaveAttribute('data-status', 'ok');
      await checkScreen(page, '82-pret-certificat-invisible');
    } finally {
      await realApp.restartShell();
    }
  });

  test('a Vitale card in the CPS slot: the line turns red live, with "Retirez la carte Vitale…"; the CPS back: green again', async ({ page, realApp }) => {
    await realApp.setCard(CPS_SLOT, await createVirtualCardWithCredentials('cps3'));
    await realApp.setCard(VITALE_SLOT, null);
    await toReadiness(page, realApp);
    await expectLine(page, 'card.cps-slot', 'ok');
    await realApp.setCard(CPS_SLOT, createVirtualCard('vitale2'));
    const slot = line(page, 'card.cps-slot');
    await expect(slot).toHaveAttribute('data-status', 'fail', RUN);
    await expect(slot).toContainText('Une carte Vitale est dans la fente CPS.');
    await expect(slot).toContainText('Que faire : Retirez la carte Vitale et insérez votre carte CPS (carte verte) dans la fente CPS, puce vers le haut.');
    await expect(page.getByTestId('readiness-summary')).toContainText('Un point à corriger');
    await checkScreen(page, '83-pret-vitale-fente-cps');
    await realApp.setCard(CPS_SLOT, await createVirtualCardWithCredentials('cps3'));
    await expectLine(page, 'card.cps-slot', 'ok');
  });

  test('the card held exclusively by another program: "Carte libre pour le navigateur" fails with what to close; released, it passes', async ({ page, realApp }) => {
    await realApp.setCard(CPS_SLOT, await createVirtualCardWithCredentials('cps3'));
    await realApp.setCard(VITALE_SLOT, null);
    const holder = await holdCard(realApp.rig.socketPath, realApp.readerNames[CPS_SLOT]);
    try {
      await toReadiness(page, realApp);
      const free = line(page, 'card.free');
      await expect(free).toHaveAttribute('data-status', 'fail', RUN);
      await expect(free).toContainText('Un autre programme garde la carte pour lui seul (accès exclusif) : le navigateur ne pourra pas s’en servir pour le portail.');
      await expect(free).toContainText('Que faire : Fermez le logiciel de pharmacie ou l’outil qui utilise la carte (GALSS, CPS-Gestion…) ou mettez-le en pause');
      await expect(line(page, 'card.pin')).toHaveAttribute('data-status', 'skipped');
      await checkScreen(page, '84-pret-carte-tenue');
    } finally {
      await holder.release();
    }
    await page.getByTestId('readiness-rerun').click();
    await expectLine(page, 'card.free', 'ok');
  });

  test('a certificate expiring in 10 days: warn under 30 days, with the renewal remedy; the portal is still allowed', async ({ page, realApp }) => {
    const issued = await issueCardCredentials(TEST_HOLDERS.pharmacist, { notAfter: new Date(Date.now() + 10.5 * 86_400_000) });
    await realApp.setCard(CPS_SLOT, await createVirtualCardWithCredentials('cps3', { credentials: { authentication: issued.authentication, signature: issued.signature } }));
    await toReadiness(page, realApp);
    const cert = line(page, 'card.certificate');
    await expect(cert).toHaveAttribute('data-status', 'warn', RUN);
    await expect(cert).toContainText(/La CPS expire dans 10 jours \(le /);
    await expect(cert).toContainText('Que faire : Pensez à demander le renouvellement de la carte.');
    await expect(page.getByTestId('readiness-summary')).toContainText('Tout est prêt, avec un point d\'attention');
    await checkScreen(page, '85-pret-certificat-expire-bientot');
  });
});
