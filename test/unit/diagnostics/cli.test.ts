/** `ecps diagnose --demo`: the whole path with the built-in virtual reader (no hardware). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runMain } from '../../support/cli';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { tempDir } from './helpers';
import { createBrowserHome, firefoxOnPath, type BrowserHome } from '../../support/nss-home';

describe('ecps diagnose --demo', () => {
  // The browser checks look at the user's home: a home of their own, with OpenSC registered.
  let browserHome: BrowserHome;
  const realHome = process.env.HOME;
  beforeAll(() => {
    browserHome = createBrowserHome({ chromium: 'opensc', firefox: firefoxOnPath() ? 'opensc' : 'none' });
    process.env.HOME = browserHome.home;
  });
  afterAll(() => {
    process.env.HOME = realHome;
    browserHome.dispose();
  });

  it('--json --html: exit 0, the report with masked holder, the HTML file written', async () => {
    const file = path.join(tempDir('ecps-diag-'), 'rapport.html');
    const run = await runMain(['diagnose', '--demo', '--json', '--html', file]);
    expect(run.code).toBe(EXIT.ok);
    const [report] = jsonLines(run.stdout) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(report).toMatchObject({ format: 'ecps-diagnostic-report', demo: true, personalDataShown: false, summary: { fail: 0 } });
    expect(report!.cards[0].holder.surname).toBe('D***');
    // The browser's card stack is part of the diagnosis (issue 10 §6): OpenSC registered in this home's Chromium.
    const browser = (report!.checks as { id: string; status: string; subject?: string }[]).filter((c) => c.id.startsWith('browser.'));
    expect(browser.map((c) => c.id)).toEqual(expect.arrayContaining(['browser.middleware', 'browser.registered', 'browser.certificate']));
    expect(browser.find((c) => c.id === 'browser.registered' && c.subject === 'Chromium')?.status).toBe('ok');
    expect(report!.realAttempts).toEqual([]);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('MODE DÉMONSTRATION');
    expect(html).not.toContain('DUPONT');
  });

  it('human output in French: the summary and where the HTML went; --show-personal-data shows the name', async () => {
    const run = await runMain(['diagnose', '--demo', '--show-personal-data']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/^Diagnostic Compagnon e-CPS/);
    expect(run.stdout).toContain('CPS : DUPONT Marie');
    expect(run.stdout).toMatch(/Bilan : OK/);
  });

  it('a bad --authority is a usage error (exit 2)', async () => {
    const run = await runMain(['diagnose', '--demo', '--authority', 'ftp://x']);
    expect(run.code).toBe(EXIT.usage);
  });

  it('an unwritable --html path: exit 1 with ReportWriteFailed', async () => {
    const run = await runMain(['diagnose', '--demo', '--json', '--html', '/nonexistent-dir/x.html']);
    expect(run.code).toBe(EXIT.failure);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ error: { code: 'ReportWriteFailed' } });
  });
});

describe('ecps diagnose --demo: the fallback ladder and its memory', () => {
  afterEach(() => {
    delete process.env.ECPS_STATE_DIR;
  });
  type Report = { fallback: { provided: boolean; outcomes: { reader: string; rung: string; outcome: string; errorCode: string | null; fromMemory: boolean }[]; readers: { reader: string; fromMemory: boolean; remembered: boolean; rungs: string[] }[]; memory: { directory: string; source: string } | null } };
  const slot0 = (r: Report) => r.fallback.outcomes.filter((o) => o.reader.endsWith(' 00 00')).map((o) => `${o.rung}:${o.outcome}${o.errorCode ? `:${o.errorCode}` : ''}`);
  const diagnose = async (...extra: string[]) => {
    const run = await runMain(['diagnose', '--demo', '--json', ...extra]);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    return jsonLines(run.stdout)[0] as unknown as Report;
  };

  it('--state-dir: the T=0-only demo CPS3 climbs to T=0 and is remembered; next run first time; `readers --forget` starts over', async () => {
    const dir = tempDir('ecps-state-');
    const first = await diagnose('--state-dir', dir);
    expect(slot0(first)).toEqual(['default:failed:ProtocolMismatch', 'protocol:T0:ok']);
    expect(first.fallback.memory).toEqual({ directory: dir, source: 'option' });
    expect(first.fallback.readers[0]).toMatchObject({ fromMemory: false, remembered: true, rungs: ['protocol:T0'] });

    const second = await diagnose('--state-dir', dir);
    expect(slot0(second)).toEqual(['remembered:ok']);
    expect(second.fallback.outcomes[0]).toMatchObject({ fromMemory: true });

    const list = await runMain(['readers', '--strategies', '--json', '--state-dir', dir]);
    expect(list.code).toBe(EXIT.ok);
    expect((jsonLines(list.stdout)[0] as { strategies: { reader: string }[] }).strategies.map((s) => s.reader)).toEqual(['Lecteur virtuel Compagnon e-CPS 00 00', 'Lecteur virtuel Compagnon e-CPS 00 01']);
    expect((await runMain(['readers', '--forget-all', '--state-dir', dir])).code).toBe(EXIT.ok);
    expect(slot0(await diagnose('--state-dir', dir))[0]).toBe('default:failed:ProtocolMismatch');
  });

  it('ECPS_STATE_DIR is used when --state-dir is not given; the human summary shows the rungs', async () => {
    const dir = tempDir('ecps-state-env-');
    process.env.ECPS_STATE_DIR = dir;
    expect((await diagnose()).fallback.memory).toEqual({ directory: dir, source: 'env' });
    const run = await runMain(['diagnose', '--demo']);
    expect(run.stdout).toContain('Repli Lecteur virtuel Compagnon e-CPS 00 00 : mémorisée OK');
    expect(run.stdout).toContain('stratégie mémorisée lors d’une exécution précédente');
  });

  it('--demo without a state folder: the ladder runs but nothing is remembered (no virtual reader in the real configuration)', async () => {
    const report = await diagnose();
    expect(report.fallback.provided).toBe(true);
    expect(report.fallback.memory).toBeNull();
    expect(slot0(report)).toEqual(['default:failed:ProtocolMismatch', 'protocol:T0:ok']);
    expect(report.fallback.readers[0]).toMatchObject({ remembered: false });
  });
});
