/** The real-attempt record (masked, capped, never fatal) and the portal address setting (esante.gouv.fr https only). */
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AttemptLog, MAX_ATTEMPTS } from '../../../src-main/readiness/attempts';
import { DEFAULT_PORTAL_URL, isOfficialEsanteUrl } from '../../../src-main/readiness/official-links';
import { PortalSetting, PORTAL_SETTING_FILE } from '../../../src-main/readiness/portal-setting';
import { runReadiness } from '../../../src-main/readiness/run';
import { isEcpsError } from '../../../src-shared/errors';
import { demoReader } from '../diagnostics/helpers';

const temp = () => mkdtempSync(path.join(tmpdir(), 'ecps-real-'));

describe('AttemptLog', () => {
  it('records the path, the steps reached, the failed checks and the card MASKED (serial and holder), nothing else', async () => {
    const port = await demoReader('vitale2', 'cps3');
    const readiness = await runReadiness({ port, demo: true, browser: false });
    await port.stop();
    const dir = temp();
    const log = new AttemptLog({ directory: dir, now: () => new Date('2026-02-03T09:30:00Z') });
    const attempt = log.start('with-card', { platform: 'linux', demo: true, readiness });
    log.update(attempt.id, { step: 'app-installed' });
    log.update(attempt.id, { step: 'portal-opened', event: 'portal-opened' });
    log.update(attempt.id, { event: 'card-removed' });
    log.finish(attempt.id, 'problem', 'portal-no-card');
    const [saved] = log.list();
    expect(saved).toMatchObject({
      flow: 'with-card',
      startedAt: '2026-02-03T09:30:00.000Z',
      outcome: 'problem',
      problem: 'portal-no-card',
      stepsReached: ['app-installed', 'portal-opened'],
      lastStep: 'portal-opened',
      failedChecks: ['card.cps-slot (Lecteur virtuel Compagnon e-CPS 00 00)'],
      card: { type: 'cps3', serialMasked: '000**345', holderMasked: 'D*** M***' },
    });
    expect(saved!.events.map((e) => [e.type, e.step ?? null])).toEqual([['readiness', null], ['portal-opened', 'portal-opened'], ['card-removed', 'portal-opened']]);
    const file = readFileSync(path.join(dir, 'real-attempts.json'), 'utf8');
    expect(file).not.toMatch(/DUPONT|Marie|00012345|899700000013/);
  });

  it('keeps the last 20 attempts, newest first; a corrupt file is set aside, not fatal', () => {
    const dir = temp();
    const log = new AttemptLog({ directory: dir });
    for (let i = 0; i < MAX_ATTEMPTS + 3; i++) log.start(i % 2 ? 'with-card' : 'without-card', { platform: 'linux', demo: false });
    expect(log.list()).toHaveLength(MAX_ATTEMPTS);
    writeFileSync(log.file, '{ not json');
    expect(log.list()).toEqual([]);
    expect(readdirSync(dir).some((f) => f.startsWith('real-attempts.json.corrupt-'))).toBe(true);
    expect(() => log.update('nope', { step: 'cgu' })).toThrow(/inconnue/);
  });
});

describe('portal address setting', () => {
  it('default from esante.gouv.fr’s pages; only https esante.gouv.fr addresses are accepted, saved and read back', () => {
    const dir = temp();
    const setting = new PortalSetting({ directory: dir });
    expect(setting.url).toBe(DEFAULT_PORTAL_URL);
    expect(setting.set('https://activation.esante.gouv.fr/e-cps')).toBe('https://activation.esante.gouv.fr/e-cps');
    expect(new PortalSetting({ directory: dir }).url).toBe('https://activation.esante.gouv.fr/e-cps');
    for (const bad of ['http://wallet.esw.esante.gouv.fr/', 'https://esante.gouv.fr.example.com/', 'https://user:pw@wallet.esw.esante.gouv.fr/', 'https://wallet.esw.esante.gouv.fr:8443/', 'javascript:alert(1)', 'https://evil.fr/?esante.gouv.fr']) {
      const error = (() => {
        try {
          setting.set(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(isEcpsError(error, 'PortalUrlRefused'), bad).toBe(true);
      expect(isOfficialEsanteUrl(bad), bad).toBe(false);
    }
    expect(setting.set('default')).toBe(DEFAULT_PORTAL_URL);
  });

  it('a file edited by hand with a foreign address gives the default', () => {
    const dir = temp();
    writeFileSync(path.join(dir, PORTAL_SETTING_FILE), JSON.stringify({ version: 1, portalUrl: 'https://phishing.example/' }));
    expect(new PortalSetting({ directory: dir }).url).toBe(DEFAULT_PORTAL_URL);
  });
});
