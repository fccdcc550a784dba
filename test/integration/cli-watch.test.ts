/**
 * `ecps watch --json` as a child process against a private pcscd: cards inserted and removed,
 * then pcscd restarted under it — the watcher reports service-down, service-up, and
 * re-announces the readers and the card within 3 s of pcscd being back, without dying.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard } from '../../simulators/cards/catalog';
import { CPS3_ATR } from '../../simulators/cards/cps3';
import { VITALE2_ATR } from '../../simulators/cards/vitale2';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { toHex } from '../../src-shared/hex';
import { spawnCli, type CliChild } from '../support/cli';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';

let rig: PcscRig;
let watch: CliChild | undefined;
const slots: VpcdSlot[] = [];

beforeAll(async () => {
  rig = await startPcscRig();
});

afterAll(async () => {
  watch?.kill('SIGKILL');
  for (const slot of slots) await slot.remove();
  await rig?.dispose();
});

const is = (type: string, reader?: string) => (line: Record<string, unknown>) =>
  line.type === type && (reader === undefined || line.reader === reader);

describe('ecps watch --json (child process, real pcscd)', () => {
  it('announces readers, card insertions and removals, survives a pcscd restart, exits 0 on SIGINT', async () => {
    const [SLOT0, SLOT1] = rig.readerNames;
    watch = spawnCli(['watch', '--json']);
    const child = watch;

    // The state at start: both readers, no card.
    await child.waitForLine(is('reader-added', SLOT1), 8000);
    expect(child.lines().map((l) => [l.type, l.reader])).toEqual([
      ['reader-added', SLOT0],
      ['reader-added', SLOT1],
    ]);

    // A CPS3 in slot 0: card-inserted with its ATR and type.
    const cps3 = new VpcdSlot(createVirtualCard('cps3'), { port: rig.vpcdPort, slot: 0 });
    slots.push(cps3);
    await cps3.insert();
    const inserted = await child.waitForLine(is('card-inserted', SLOT0), 5000);
    expect(inserted).toMatchObject({ atr: toHex(CPS3_ATR, ''), card: { type: 'cps3', label: 'Carte CPS3 (contact)' } });
    expect(Number.isNaN(Date.parse(String(inserted.at)))).toBe(false);

    // A Vitale 2 in slot 1, then pulled out.
    const vitale = new VpcdSlot(createVirtualCard('vitale2'), { port: rig.vpcdPort, slot: 1, stayInserted: false });
    slots.push(vitale);
    await vitale.insert();
    const vitaleIn = await child.waitForLine(is('card-inserted', SLOT1), 5000);
    expect(vitaleIn).toMatchObject({ atr: toHex(VITALE2_ATR, ''), card: { type: 'vitale2' } });
    const beforeRemove = child.lines().length;
    await vitale.remove();
    await child.waitForLine(is('card-removed', SLOT1), 5000, beforeRemove);

    // pcscd goes away (the CPS3 stays in its slot and reconnects when vpcd is back).
    const beforeStop = child.lines().length;
    await rig.stopService();
    const down = await child.waitForLine(is('service-down'), 5000, beforeStop);
    expect(down).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    const afterDown = child.lines().length;

    await rig.startService();
    const backAt = Date.now();
    await child.waitForLine(is('service-up'), 3000, afterDown);
    await child.waitForLine(is('reader-added', SLOT0), 3000, afterDown);
    await child.waitForLine(is('reader-added', SLOT1), 3000, afterDown);
    const again = await child.waitForLine(is('card-inserted', SLOT0), 3000, afterDown);
    const recoveryMs = Date.now() - backAt;
    console.log(`[measured] ecps watch re-announced the readers and the card ${recoveryMs} ms after pcscd was back`);
    expect(recoveryMs).toBeLessThanOrEqual(3000);
    expect(again).toMatchObject({ atr: toHex(CPS3_ATR, ''), card: { type: 'cps3' } });
    const types = child.lines().slice(afterDown).map((l) => l.type);
    expect(types.indexOf('service-up')).toBeLessThan(types.indexOf('reader-added'));
    // The Vitale was removed before the restart: it is not re-announced.
    expect(child.lines().slice(afterDown).some(is('card-inserted', SLOT1))).toBe(false);
    expect(child.alive()).toBe(true);

    child.kill('SIGINT');
    const result = await child.exited(5000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('human mode: French lines with the demo-free header, card inserted named in French', async () => {
    const child = spawnCli(['watch']);
    watch = child;
    const deadline = Date.now() + 8000;
    while (!/Carte insérée dans Virtual PCD 00 00 — Carte CPS3 \(contact\) \(ATR 3B AC 00 40/.test(child.stdout())) {
      if (Date.now() > deadline || !child.alive()) throw new Error(`unexpected output:\n${child.stdout()}\n${child.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(child.stdout()).toMatch(/^Surveillance des lecteurs \(Ctrl-C pour arrêter\)…\n/);
    expect(child.stdout()).not.toContain('DÉMONSTRATION');
    expect(child.stdout()).toMatch(/Lecteur branché : Virtual PCD 00 01/);
    child.kill('SIGINT');
    expect((await child.exited(5000)).code).toBe(0);
  });

  it('the launcher killed outright (SIGKILL, nothing passed on): its card worker stops by itself, no stack trace', async () => {
    const child = spawnCli(['watch', '--json']);
    await child.waitForLine(is('reader-added', rig.readerNames[1]), 8000);
    const workers = () => execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.process.pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
    const [worker] = workers();
    expect(worker).toBeDefined();
    child.kill('SIGKILL');
    await child.exited(5000);
    const alive = () => {
      try {
        process.kill(Number(worker), 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 5000;
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
    expect(child.stderr()).not.toMatch(/ERR_IPC|Unhandled|at .*\.mjs/);
  });
});
