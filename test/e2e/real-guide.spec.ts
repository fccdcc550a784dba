/**
 * The guided real activation end to end, over a real pcscd (support/real-app.ts): both paths
 * step by step in the official order, the portal link opening OUTSIDE the app (a new browser
 * page; the portal itself is answered by a stub: this machine has no Internet), the live card
 * status and the alert when the CPS is pulled during a portal step, the problems of each step,
 * and the attempt record the technician then finds in `ecps diagnose`. No PIN try is spent
 * (counted at the card).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { createVirtualCard, createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import { CPS_SLOT, VITALE_SLOT } from './support/pcscd-app';
import { expect, test, type RealApp } from './support/real-app';
import { checkScreen } from './support/ui';
import { WatchedCard } from './support/watched-card';
import { REPO_ROOT } from './support/web-shell';

const PORTAL = 'https://wallet.esw.esante.gouv.fr/';
const RUN = { timeout: 25_000 };

async function openReal(page: Page, app: RealApp) {
  await page.goto('about:blank');
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Activer ma e-CPS (portail officiel)' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Activer ma e-CPS sur le portail officiel' })).toBeFocused();
}

async function expectStep(page: Page, id: string, title: string) {
  await expect(page.getByTestId('view-guide')).toHaveAttribute('data-step', id);
  await expect(page.locator('[aria-current="step"]')).toHaveAttribute('data-step', id);
  await expect(page.getByRole('heading', { level: 2, name: title })).toBeVisible();
}

async function next(page: Page) {
  await page.getByRole('button', { name: "C'est fait, étape suivante" }).click();
}

function attempts(app: RealApp): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (JSON.parse(readFileSync(`${app.stateDir}/real-attempts.json`, 'utf8')) as { attempts: Record<string, any>[] }).attempts; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** `ecps diagnose --demo --json --state-dir DIR`: the technician's report, with the real attempts of that folder. */
function diagnose(app: RealApp): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/ecps.mjs', 'diagnose', '--demo', '--json', '--state-dir', app.stateDir], { cwd: REPO_ROOT, env: { ...process.env, HOME: app.browserHome.home } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch (error) {
        reject(new Error(`ecps diagnose printed no JSON: ${out}\n${String(error)}`));
      }
    });
  });
}

test.describe('the guide beside the official portal', () => {
  test.beforeEach(async ({ page }) => {
    // No Internet here: the official portal answers from a stub, so the new page can be checked.
    await page.context().route(/^https:\/\/wallet\.esw\.esante\.gouv\.fr\//, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><html lang="fr"><title>Portail e-CPS (bouchon de test)</title><h1>Portail</h1></html>' }),
    );
  });

  test('with the card: readiness, then each step in the official order; the portal opens outside the app; the card pulled at "Carte CPS" raises the alert; recorded for the technician', async ({ page, realApp }) => {
    const card = new WatchedCard(await createVirtualCardWithCredentials('cps3'));
    await realApp.setCard(CPS_SLOT, card);
    await realApp.setCard(VITALE_SLOT, createVirtualCard('vitale2'));
    await openReal(page, realApp);
    await expect(page.getByTestId('real-banner')).toContainText('Activation réelle');
    await expect(page.getByTestId('demo-banner')).toHaveCount(0);
    await page.getByRole('button', { name: 'Avec ma carte CPS' }).click();
    await expect(page.getByTestId('readiness-summary')).toHaveText('Tout est prêt : vous pouvez passer au portail officiel.', RUN);
    await page.getByRole('button', { name: 'Continuer vers le portail' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Activation sur le portail officiel — avec votre carte' })).toBeFocused();

    const steps = page.getByTestId('real-steps').locator('li');
    await expect(steps).toHaveCount(9);
    await expect(steps).toHaveText([/application e-CPS/, /Ouvrez le portail officiel/, /Choisissez « Carte CPS »/, /Votre carte et votre code porteur/, /conditions d'utilisation/, /Commencez l'activation/, /Scannez le QR code/, /Tapez le code du téléphone/, /Choisissez votre code e-CPS/]);
    await expect(page.getByTestId('real-card-status')).toHaveAttribute('data-state', 'present');
    await expect(page.getByTestId('real-card-status')).toContainText(`CPS dans « ${realApp.readerNames[CPS_SLOT]} »`);

    // 1. The app: the stores' QR codes, drawn, with their addresses.
    await expectStep(page, 'app-installed', "L'application e-CPS est sur votre téléphone");
    await expect(page.getByTestId('qr-app-store')).toHaveAttribute('data-drawn', 'true');
    await expect(page.getByTestId('qr-google-play')).toHaveAttribute('data-drawn', 'true');
    await expect(page.getByTestId('store-qr-codes')).toContainText('https://apps.apple.com/fr/app/e-cps/id1469033607');
    await expect(page.getByTestId('store-qr-codes')).toContainText('https://play.google.com/store/apps/details?id=fr.asipsante.esante.wallet.prod');
    await checkScreen(page, '86-guide-application');

    // 2. The portal: a link that opens a NEW page (outside the app), the guide stays.
    await next(page);
    await expectStep(page, 'portal-opened', 'Ouvrez le portail officiel');
    const link = page.getByTestId('portal-link');
    await expect(link).toHaveAttribute('href', PORTAL);
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    await checkScreen(page, '87-guide-portail');
    const popup = page.context().waitForEvent('page');
    await link.click();
    const portal = await popup;
    await portal.waitForLoadState();
    expect(portal.url()).toBe(PORTAL);
    await expect(portal.locator('h1')).toHaveText('Portail');
    await portal.close();
    await expect(page.getByTestId('view-guide')).toBeVisible();
    await expectStep(page, 'card-tab', 'Choisissez « Carte CPS »');
    await expect(page.getByTestId('guide-problems')).toContainText('Le portail ne trouve pas ma carte, ou le navigateur ne propose aucun certificat');
    await expect(page.getByTestId('guide-problems')).toContainText('Refaites la vérification du poste');
    await expect(page.getByTestId('guide-check-again')).toBeVisible();

    // The card pulled during the portal step: alert, live status.
    await realApp.pull(CPS_SLOT);
    await expect(page.getByTestId('card-alert')).toContainText('Votre carte CPS a été retirée du lecteur', RUN);
    await expect(page.getByTestId('real-card-status')).toHaveAttribute('data-state', 'absent');
    await checkScreen(page, '88-guide-carte-retiree');
    await realApp.setCard(CPS_SLOT, card);
    await expect(page.getByTestId('real-card-status')).toHaveAttribute('data-state', 'present', RUN);
    await page.getByRole('button', { name: "J'ai réinséré ma carte" }).click();
    await expect(page.getByTestId('card-alert')).toHaveCount(0);

    // 3. → 9.: each step with its problems.
    await next(page);
    await expectStep(page, 'card-pin', 'Votre carte et votre code porteur');
    await expect(page.getByTestId('guide-pin-tries')).toHaveText('Dernière lecture de votre carte : 3 essais restants sur 3 pour le code porteur.');
    await expect(page.getByTestId('guide-problems')).toContainText('Mon code porteur est refusé');
    await expect(page.getByTestId('guide-problems')).toContainText('au 3e code faux la carte se bloque');
    await next(page);
    await expectStep(page, 'cgu', "Acceptez les conditions d'utilisation");
    await next(page);
    await expectStep(page, 'start-activation', "Commencez l'activation");
    await next(page);
    await expectStep(page, 'scan-qr', "Scannez le QR code avec l'application");
    await expect(page.getByTestId('guide-step')).toContainText("Il n'est valable que 90 secondes.");
    await expect(page.getByTestId('guide-problems')).toContainText('Le QR code a expiré');
    await expect(page.getByTestId('guide-problems')).toContainText('Il ne vit que 90 secondes : recommencez');
    await expect(page.getByTestId('guide-step')).toContainText('support CPS de l\'ANS au 0 825 852 000');
    await checkScreen(page, '89-guide-qr');
    await next(page);
    await expectStep(page, 'phone-code', 'Tapez le code du téléphone');
    await next(page);
    await expectStep(page, 'ecps-password', 'Choisissez votre code e-CPS');
    await page.getByRole('button', { name: 'Ma e-CPS est activée' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Votre e-CPS est activée' })).toBeFocused();
    await checkScreen(page, '90-guide-fin');

    // The record: steps reached, the portal opened, the card pulled at "Carte CPS", the card masked.
    const [attempt] = attempts(realApp);
    expect(attempt).toMatchObject({
      flow: 'with-card',
      outcome: 'activated',
      stepsReached: ['app-installed', 'portal-opened', 'card-tab', 'card-pin', 'cgu', 'start-activation', 'scan-qr', 'phone-code', 'ecps-password'],
      failedChecks: [],
      card: { type: 'cps3', serialMasked: '000**345', holderMasked: 'D*** M***', pinTriesLeft: 3 },
      demo: false,
    });
    expect(attempt!.events.filter((e: { type: string }) => e.type !== 'readiness')).toEqual([
      expect.objectContaining({ type: 'portal-opened', step: 'portal-opened' }),
      expect.objectContaining({ type: 'card-removed', step: 'card-tab' }),
    ]);
    expect(readFileSync(`${realApp.stateDir}/real-attempts.json`, 'utf8')).not.toMatch(/DUPONT|Marie|00012345/);
    const report = await diagnose(realApp);
    expect(report.realAttempts[0]).toMatchObject({ flow: 'with-card', outcome: 'activated' });
    expect(report.checks.some((c: { id: string }) => c.id === 'browser.registered')).toBe(true);
    expect(card.pinCommands, 'PIN commands that reached the card').toBe(0);

    // Training stays one click away, labelled.
    await page.getByRole('button', { name: "Retour à l'accueil" }).click();
    const training = page.getByTestId('path-training');
    await expect(training.getByRole('heading', { name: /M'entraîner \(démonstration\)/ })).toContainText('Entraînement');
    await expect(training.getByRole('button', { name: 'Activer avec ma carte' })).toBeVisible();
  });

  test('without the card: national id → e-mail with QR → SMS → code, e-POP and its 48 h under the steps; a problem reported ends the attempt for the technician', async ({ page, realApp }) => {
    await openReal(page, realApp);
    await page.getByRole('button', { name: 'Sans ma carte (e-mail et SMS)' }).click();
    await expect(page.getByRole('heading', { level: 1, name: "Activation sans carte — dans l'application e-CPS" })).toBeFocused();
    await expect(page.getByTestId('real-steps').locator('li')).toHaveText([/application e-CPS/, /courriel d'activation/, /identifiant national/, /QR code reçu par e-mail/, /code reçu par SMS/, /code e-CPS/]);
    await expect(page.getByTestId('real-card-status')).toHaveCount(0);
    await expectStep(page, 'app-installed', "L'application e-CPS est sur votre téléphone");
    await next(page);
    await expectStep(page, 'request-email', "Demandez le courriel d'activation");
    await next(page);
    await expectStep(page, 'national-id', 'Votre identifiant national');
    await expect(page.getByTestId('guide-problems')).toContainText('espace E-POP) : elles arrivent dans l\'annuaire santé sous 48 heures');
    await expect(page.getByTestId('guide-problems')).toContainText('Je suis inscrit à l\'ADELI');
    await checkScreen(page, '91-guide-sans-carte-identifiant');
    await next(page);
    await expectStep(page, 'email-qr', 'Scannez le QR code reçu par e-mail');
    await expect(page.getByTestId('guide-problems')).toContainText("Je n'ai pas reçu le courriel");
    await next(page);
    await expectStep(page, 'sms-code', 'Le code reçu par SMS');
    await expect(page.getByTestId('guide-problems')).toContainText('sous 48 heures');
    await page.getByRole('button', { name: 'Signaler mon problème' }).click();
    await page.getByLabel('Quel problème avez-vous rencontré ?').selectOption({ label: "Je n'ai pas reçu le SMS" });
    await page.getByRole('button', { name: 'Terminer et noter ce problème' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Activation non terminée' })).toBeFocused();
    await expect(page.getByTestId('view-real-finish')).toContainText("Je n'ai pas reçu le SMS");
    await expect(page.getByTestId('view-real-finish')).toContainText('0 825 852 000');
    await checkScreen(page, '92-guide-sans-carte-probleme');
    const [attempt] = attempts(realApp);
    expect(attempt).toMatchObject({ flow: 'without-card', outcome: 'problem', problem: 'no-sms', stepsReached: ['app-installed', 'request-email', 'national-id', 'email-qr'] });
  });
});
