/**
 * The fallback ladder inside the diagnostics (issue 6 §2–3), in-process: a slow T=0-only
 * legacy CPS3 fails the default strategy, the ladder finds T=0 + a longer watchdog, the card
 * checks that follow use that strategy (the port's own short watchdog would fail them), the
 * report lists every rung (JSON, HTML, text); the next run starts with the remembered
 * strategy (one attempt, fromMemory); `ecps readers --forget` makes it start from the default.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { createDemoReader, createVirtualCardWithCredentials } from '../../../simulators/cards/catalog';
import type { InProcessReader } from '../../../simulators/cards/in-process-reader';
import { buildReport, renderHtml, renderTextSummary } from '../../../src-main/diagnostics/index';
import { runDiagnostics, type DiagnosticRun } from '../../../src-main/diagnostics/run';
import { ReaderMemory } from '../../../src-main/reader/reader-memory';
import { PIN_CARRYING_INS } from '../../../src-main/reader/apdu-trace';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { runMain } from '../../support/cli';
import { isolated, SLOT0, tempDir } from './helpers';

const TIMEOUTS_MS = [40, 3000];
const SLOW = 'slow:100';
let dir: string;
const readers: InProcessReader[] = [];

async function legacyReader(): Promise<InProcessReader> {
  const cps = await createVirtualCardWithCredentials('cps3', { faults: ['t0-only', SLOW] });
  // The port's own watchdog is as short as the ladder's first rung: without the ladder's
  // strategy, the card checks would time out.
  const reader = createDemoReader({ cps, vitale: null, transmitTimeoutMs: TIMEOUTS_MS[0] });
  await reader.start();
  readers.push(reader);
  return reader;
}

async function diagnose(reader: InProcessReader, withLadder = true): Promise<DiagnosticRun> {
  return runDiagnostics(isolated(reader, withLadder ? { fallback: { memory: new ReaderMemory({ directory: dir }), timeoutsMs: TIMEOUTS_MS }, fallbackMemory: { directory: dir, source: 'option' } } : {}));
}

const rungs = (run: DiagnosticRun) => buildReport(run).fallback.outcomes.map((o) => `${String(o.rung)}:${String(o.outcome)}${o.errorCode ? `:${String(o.errorCode)}` : ''}`);
const find = (run: DiagnosticRun, id: string) => run.checks.find((c) => c.id === id && (c.subject === undefined || c.subject === SLOT0));

beforeEach(() => {
  dir = tempDir('ecps-diag-ladder-');
});
afterEach(async () => {
  for (const r of readers.splice(0)) await r.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('diagnostics with the fallback ladder (in-process)', { timeout: 30_000 }, () => {
  it('without the ladder, the slow legacy card fails the card checks (the control case)', async () => {
    const run = await diagnose(await legacyReader(), false);
    expect(buildReport(run).fallback.provided).toBe(false);
    expect(find(run, 'slot.strategy')).toBeUndefined();
    expect(find(run, 'slot.responsive')?.status).toBe('fail');
  });

  it('first run: default fails, the ladder succeeds, the card checks use its strategy, the report lists every rung', async () => {
    const run = await diagnose(await legacyReader());
    expect(rungs(run)).toEqual(['default:failed:ProtocolMismatch', 'protocol:T0:failed:CardNotResponding', 'timeout:3000:ok']);
    const report = buildReport(run);
    expect(report.fallback.readers).toEqual([
      expect.objectContaining({ reader: SLOT0, ok: true, fromMemory: false, remembered: true, fallbackNeeded: true, rungs: ['protocol:T0', 'timeout:3000'], usedForChecks: true }),
    ]);
    expect(report.fallback.readers[0]!.strategy).toMatchObject({ protocol: 'T0', timeoutMs: 3000 });
    expect(report.fallback.outcomes[1]).toMatchObject({ reader: SLOT0, index: 2, errorStep: expect.any(String), fromMemory: false });
    expect(report.fallback.outcomes.every((o) => typeof o.ms === 'number')).toBe(true);
    expect(report.fallback.memory).toEqual({ directory: dir, source: 'option' });
    // The card checks ran with the ladder's strategy: all fine despite the 40 ms port watchdog.
    expect(find(run, 'slot.responsive')?.status).toBe('ok');
    expect(find(run, 'cps.pin')?.status).toBe('ok');
    expect(find(run, 'cps.certificate')?.status).toBe('ok');
    const strategy = find(run, 'slot.strategy');
    expect(strategy?.status).toBe('ok');
    expect(strategy?.explanation.fr).toMatch(/La stratégie par défaut a échoué ; carte lue avec la stratégie de repli protocol:T0 → timeout:3000, mémorisée pour la prochaine fois/);
    // Text summary and HTML.
    const text = renderTextSummary(report);
    expect(text).toMatch(/Repli Lecteur virtuel Compagnon e-CPS 00 00 : défaut ÉCHEC ProtocolMismatch \(\d+ ms\) → protocol:T0 ÉCHEC CardNotResponding \(\d+ ms\) → timeout:3000 OK \(\d+ ms\) — repli réussi, mémorisé/);
    const html = renderHtml(report);
    expect(html).toContain('Stratégies de repli (lecteurs anciens)');
    expect(html).toContain('<td>stratégie par défaut<br><small><code>protocol=T1');
    expect(html).toContain('<code>ProtocolMismatch · étape connect</code>');
    expect(html).toContain('repli réussi</strong> : protocol:T0 → timeout:3000 — mémorisé pour la prochaine fois');
    // Read-only: no PIN command among the probes and checks.
    const ins = run.trace.list().map((e) => Number.parseInt(e.command.split(' ')[1] ?? '', 16));
    expect(ins.length).toBeGreaterThan(5);
    expect(ins.filter((i) => PIN_CARRYING_INS.has(i))).toEqual([]);
  });

  it('second run: the remembered strategy first (one attempt, fromMemory); after `ecps readers --forget` the ladder starts from the default again', async () => {
    await diagnose(await legacyReader());
    const second = await diagnose(await legacyReader());
    expect(rungs(second)).toEqual(['remembered:ok']);
    const report = buildReport(second);
    expect(report.fallback.readers[0]).toMatchObject({ ok: true, fromMemory: true, remembered: false, attempts: 1, rungs: ['protocol:T0', 'timeout:3000'] });
    expect(report.fallback.outcomes[0]).toMatchObject({ fromMemory: true });
    expect(renderTextSummary(report)).toMatch(/mémorisée \w+ \(\d+ ms\) — stratégie mémorisée lors d’une exécution précédente/);
    expect(renderTextSummary(report, 'en')).toContain('remembered from a previous run');
    expect(renderHtml(report)).toContain('mémorisée lors d’une exécution précédente');
    expect(find(second, 'slot.strategy')?.explanation.fr).toMatch(/^Stratégie mémorisée lors d’une exécution précédente \(protocol:T0 → timeout:3000\)/);
    expect(find(second, 'cps.pin')?.status).toBe('ok');

    const forget = await runMain(['readers', '--forget', SLOT0, '--state-dir', dir]);
    expect(forget.code, forget.stderr).toBe(EXIT.ok);
    expect(forget.stdout).toContain(`Stratégie oubliée pour « ${SLOT0} »`);
    const third = await diagnose(await legacyReader());
    expect(rungs(third)[0]).toBe('default:failed:ProtocolMismatch');
    expect(buildReport(third).fallback.readers[0]).toMatchObject({ fromMemory: false, remembered: true });
  });

  it('a memory folder that cannot be used does not stop the diagnosis: the ladder runs, the check says it was not remembered', async () => {
    const blocked = `${tempDir('ecps-diag-ro-')}/file`;
    (await import('node:fs')).writeFileSync(blocked, 'not a folder');
    const run = await runDiagnostics(isolated(await legacyReader(), { fallback: { memory: new ReaderMemory({ directory: blocked }), timeoutsMs: TIMEOUTS_MS } }));
    expect(rungs(run).at(-1)).toBe('timeout:3000:ok');
    const strategy = find(run, 'slot.strategy');
    expect(strategy?.status).toBe('ok');
    expect(strategy?.evidence.memoryError).toMatch(/reader-strategies\.json/);
    expect(strategy?.explanation.fr).toContain('n’a pas pu être mémorisée');
  });
});
