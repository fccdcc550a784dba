/**
 * Help and settings end to end: Debian's Chromium → web shell (demo) → the real handlers.
 * Screens 40-… are checked with axe-core and photographed into test-results/screens/.
 *
 * The companion process is shared with the other spec files: every setting changed here is
 * put back (sandbox authority, French, automatic interface) before the test ends, even when it fails.
 */
import { test, expect, type Page } from '@playwright/test';
import { open, expectAccessible, shot } from './support/ui';

/** Back to the defaults, through the app itself (a fresh page: whatever state the test left). */
async function restoreDefaults(page: Page) {
  await open(page);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('view-settings')).toBeVisible();
  await page.getByTestId('authority-sandbox').check();
  await page.getByTestId('language-fr').check();
  await page.getByTestId('pairing-address').selectOption('auto');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect(page.getByTestId('demo-banner')).toContainText('Autorité bac à sable');
}

test('Aide: every topic as a disclosure, reachable from the header; phone numbers and safe links', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Aide', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Aide' })).toBeFocused();
  const topics = page.locator('details.help-topic');
  await expect(topics).toHaveCount(7);
  await expect(page.locator('summary')).toContainText([
    'Mon lecteur est ancien ou ne fonctionne pas',
    'Le téléphone n’arrive pas à se connecter',
    'Qui appeler ?',
    'Je n’ai pas encore de carte CPS',
    'Carte perdue, volée ou qui ne fonctionne plus',
    'Téléphone perdu ou volé (e-CPS)',
    'Mettre à jour mon e-mail et mon mobile (E-POP)',
  ]);
  await expectAccessible(page, 'aide (fermée)');
  await shot(page, '40-aide');

  // Keyboard: focus the summary, Enter opens it.
  const who = page.getByTestId('help-who-to-call');
  await who.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(who).toHaveAttribute('open', '');
  await expect(who).toContainText('0 825 852 000');
  await expect(who).toContainText('CIS');
  const link = who.getByRole('link');
  await expect(link).toHaveAttribute('href', /^https:\/\//);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', /noopener/);

  const epop = page.getByTestId('help-epop');
  await epop.locator('summary').click();
  await expect(epop.locator('ol li')).toHaveCount(5);
  await expect(epop).toContainText('crayon sur fond orange');
  await expect(epop).toContainText('48 heures');
  await expectAccessible(page, 'aide (ouverte)');
  await shot(page, '41-aide-ouverte');

  await page.getByRole('button', { name: 'Retour' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Activer votre e-CPS' })).toBeVisible();
});

test('Réglages: a URL authority removes the sandbox banner, http off this computer is refused, the language follows; all restored', async ({ page }) => {
  try {
    await open(page);
    await expect(page.getByTestId('demo-banner')).toContainText('Autorité bac à sable');
    await page.getByRole('button', { name: 'Réglages', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Réglages' })).toBeFocused();
    await expect(page.getByTestId('authority-sandbox')).toBeChecked();
    await expect(page.getByTestId('language-fr')).toBeChecked();
    // "Automatique" first, loopback last; the machine's addresses between.
    const options = page.getByTestId('pairing-address').locator('option');
    await expect(options.first()).toHaveText(/^Automatique \(/);
    await expect(options.last()).toHaveText('Boucle locale, pour les tests (127.0.0.1)');
    await expect(page.getByText(/Fichier des réglages : .*settings\.json/)).toBeVisible();
    await expectAccessible(page, 'réglages');
    await shot(page, '42-reglages');

    // http:// to another computer: refused with the reason and the remedy, nothing saved.
    await page.getByTestId('authority-url').check();
    await page.getByLabel("Adresse de l'autorité").fill('http://authority.example');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-error')).toContainText('n’est acceptée que sur cet ordinateur');
    await expect(page.getByTestId('settings-error')).toContainText('Que faire');
    await expectAccessible(page, 'réglages (refus)');
    await shot(page, '43-reglages-refus');

    // A local test authority (nothing listens there): saved, and the sandbox banner goes.
    await page.getByLabel("Adresse de l'autorité").fill('http://127.0.0.1:9');
    await page.getByTestId('pairing-address').selectOption('loopback');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-saved')).toHaveText('Réglages enregistrés.');
    await expect(page.getByTestId('demo-banner')).not.toContainText('Autorité bac à sable');
    await expect(page.getByTestId('demo-banner')).toContainText('Mode démonstration');
    await shot(page, '44-reglages-autorite-url');

    // Still there after a reload: the companion kept it.
    await open(page);
    await expect(page.getByTestId('demo-banner')).not.toContainText('Autorité bac à sable');

    // The language: saved, and the whole app switches.
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('authority-url-input')).toHaveValue('http://127.0.0.1:9');
    await expect(page.getByTestId('pairing-address')).toHaveValue('loopback');
    await page.getByTestId('language-en').check();
    await page.getByTestId('settings-save').click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('settings-saved')).toHaveText('Settings saved.');
    await expectAccessible(page, 'settings (en)');
    await shot(page, '45-settings-en');
  } finally {
    await restoreDefaults(page);
  }
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByTestId('authority-sandbox')).toBeChecked();
});
