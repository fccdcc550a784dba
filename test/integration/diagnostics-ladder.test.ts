/**
 * Issue 6 "Done when", over the REAL stack (pcsc-mini → a private pcscd → vpcd): a slow
 * T=0-only legacy CPS3 fails the default strategy, succeeds through the fallback ladder, and
 * is handled first time on the next run — through `ecps diagnose --json --state-dir D`
 * run as a child process, as a technician would. The HTML report carries the fallback
 * section; `ecps readers --strategies/--forget` see and forget what was remembered.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { EXIT } from '../../src-main/cli/exit-codes';
import { PIN_CARRYING_INS } from '../../src-main/reader/apdu-trace';
import { jsonLines, runCli } from '../support/cli';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import { tempDir } from '../unit/diagnostics/helpers';

/** Every answer 250 ms late; the first watchdog (`--timeout`) is shorter, the next rung (15 s) longer. */
const SLOW_MS = 250;
const TIMEOUT_MS = 100;
let rig: PcscRig;
let slot: VpcdSlot;
let reader: string;
const apdus: Uint8Array[] = [];

beforeAll(async () => {
  rig = await startPcscRig();
  reader = rig.readerNames[0]!;
  const card = await createVirtualCardWithCredentials('cps3', { faults: ['t0-only', `slow:${SLOW_MS}`] });
  slot = new VpcdSlot(card, { port: rig.vpcdPort, slot: 0, stayInserted: false });
  slot.on('apdu', ({ command }: { command: Uint8Array }) => apdus.push(command));
  await slot.insert();
  // vpcd accepts a card on its next presence poll (every 400 ms).
  await new Promise((resolve) => setTimeout(resolve, 900));
}, 30_000);

afterAll(async () => {
  await slot?.remove();
  await rig?.dispose();
});

interface Outcome { reader: string; rung: string; outcome: string; errorCode: string | null; ms: number; fromMemory: boolean }
interface Report {
  checks: { id: string; subject?: string; status: string; explanation: { fr: string } }[];
  fallback: { provided: boolean; outcomes: Outcome[]; readers: { reader: string; ok: boolean; fromMemory: boolean; remembered: boolean; rungs: string[]; strategy: { protocol: string; timeoutMs: number } }[] };
}

async function diagnose(stateDir: string, html?: string): Promise<Report> {
  const run = await runCli(['diagnose', '--json', '--timeout', String(TIMEOUT_MS), '--state-dir', stateDir, ...(html ? ['--html', html] : [])], { timeoutMs: 60_000 });
  expect(run.code === EXIT.ok || run.code === EXIT.diagnosticsFailed, run.stderr).toBe(true);
  return jsonLines(run.stdout)[0] as unknown as Report;
}
const mine = (r: Report) => r.fallback.outcomes.filter((o) => o.reader === reader);
const check = (r: Report, id: string) => r.checks.find((c) => c.id === id && c.subject === reader);

it('`ecps diagnose`: the default strategy fails, the ladder succeeds and is remembered; the next run is handled first time; `readers --forget` forgets it', async () => {
  const state = tempDir('ecps-diag-ladder-state-');
  const html = path.join(tempDir('ecps-diag-ladder-'), 'rapport.html');

  const first = await diagnose(state, html);
  const rungs = mine(first).map((o) => `${o.rung}:${o.outcome}`);
  expect(rungs[0]).toBe('default:failed');
  expect(mine(first)[0]!.errorCode).toBe('ProtocolMismatch');
  expect(rungs.at(-1)).toBe('timeout:15000:ok');
  expect(rungs).toContain('protocol:T0:failed');
  expect(first.fallback.readers.find((r) => r.reader === reader)).toMatchObject({ ok: true, fromMemory: false, remembered: true, strategy: { protocol: 'T0', timeoutMs: 15_000 } });
  // The card checks that followed used the ladder's strategy (a 100 ms watchdog would fail them).
  expect(check(first, 'slot.responsive')?.status).toBe('ok');
  expect(first.checks.find((c) => c.id === 'cps.pin')?.status).toBe('ok');
  expect(check(first, 'slot.strategy')?.explanation.fr).toMatch(/La stratégie par défaut a échoué ; carte lue avec la stratégie de repli protocol:T0 → timeout:15000, mémorisée/);
  const page = readFileSync(html, 'utf8');
  expect(page).toContain('Stratégies de repli (lecteurs anciens)');
  expect(page).toContain('<code>ProtocolMismatch · étape connect</code>');
  expect(page).toContain('repli réussi</strong> : protocol:T0 → timeout:15000');

  const second = await diagnose(state);
  expect(mine(second).map((o) => `${o.rung}:${o.outcome}`)).toEqual(['remembered:ok']);
  expect(mine(second)[0]!.fromMemory).toBe(true);
  expect(second.fallback.readers.find((r) => r.reader === reader)).toMatchObject({ fromMemory: true, remembered: false });
  expect(second.checks.find((c) => c.id === 'cps.pin')?.status).toBe('ok');

  const list = await runCli(['readers', '--strategies', '--json', '--state-dir', state]);
  expect((jsonLines(list.stdout)[0] as { strategies: { reader: string; rungs: string[] }[] }).strategies).toEqual([expect.objectContaining({ reader, rungs: ['protocol:T0', 'timeout:15000'] })]);
  const forget = await runCli(['readers', '--forget', reader, '--state-dir', state]);
  expect(forget.code, forget.stderr).toBe(EXIT.ok);
  expect(forget.stdout).toContain('Stratégie oubliée pour');
  // Forgotten: the next ladder starts from the default (checked in-process by test/unit/diagnostics/fallback.test.ts).
  const after = await runCli(['readers', '--strategies', '--json', '--state-dir', state]);
  expect((jsonLines(after.stdout)[0] as { strategies: unknown[] }).strategies).toEqual([]);

  expect(apdus.filter((c) => PIN_CARRYING_INS.has(c[1]!) && c.length > 5), 'no PIN data reached the card').toEqual([]);
}, 180_000);
