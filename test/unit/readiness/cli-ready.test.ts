/** `ecps ready` over the built-in virtual reader, with a HOME of its own (real NSS databases). */
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { jsonLines, runMain } from '../../support/cli';
import { createBrowserHome, firefoxOnPath, type BrowserHome } from '../../support/nss-home';

const realHome = process.env.HOME;
let home: BrowserHome | undefined;

function useHome(chromium: 'opensc' | 'empty'): void {
  home = createBrowserHome({ chromium, firefox: firefoxOnPath() ? chromium : 'none' });
  process.env.HOME = home.home;
}

afterEach(() => {
  process.env.HOME = realHome;
  home?.dispose();
  home = undefined;
});

describe('ecps ready', () => {
  it('--json: the readiness report, card masked, PIN tries read without spending one; exit 0 when nothing fails', async () => {
    useHome('opensc');
    const run = await runMain(['ready', '--demo', '--json']);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const [report] = jsonLines(run.stdout) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(report).toMatchObject({ demo: true, card: { type: 'cps3', holderMasked: 'D*** M***', pinTriesLeft: 3 } });
    expect(report!.checks.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['pcsc.service', 'card.cps-slot', 'card.pin', 'card.certificate', 'browser.middleware', 'browser.registered', 'browser.certificate']));
    expect(run.stdout).not.toContain('DUPONT');
  }, 30_000);

  it('a browser without a card module: NON, the remedy printed, exit 15; English with --lang en', async () => {
    useHome('empty');
    const run = await runMain(['ready', '--demo']);
    expect(run.code).toBe(EXIT.diagnosticsFailed);
    expect(run.stdout).toMatch(/^Prêt pour l’activation \? NON/);
    expect(run.stdout).toContain('*** MODE DÉMONSTRATION');
    expect(run.stdout).toContain('[ÉCHEC] Module enregistré dans le navigateur (Chromium)');
    expect(run.stdout).toContain('Que faire : Enregistrez OpenSC dans Chromium');
    const en = await runMain(['ready', '--demo', '--lang', 'en']);
    expect(en.code).toBe(EXIT.diagnosticsFailed);
    expect(en.stdout).toMatch(/^Ready for the activation\? NO/);
    expect(en.stdout).toContain('What to do: Register OpenSC in Chromium');
  }, 30_000);
});
