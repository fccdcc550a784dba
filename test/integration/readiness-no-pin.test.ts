/**
 * "Nothing in the real path spends a PIN try" (issue 10), proven on the card's side of the wire
 * over a real pcscd: the readiness check — our card reading AND the browser probe's pkcs11-tool
 * through OpenSC's module registered in a real NSS database — with faults injected at every
 * position of our card traffic (card pulled out, card gone mute): not one VERIFY with data,
 * CHANGE REFERENCE DATA or RESET RETRY COUNTER reaches the card, and its counters, read with
 * raw APDUs on the virtual card object (none of our code), never move. Our own reading sends
 * no VERIFY at all (the CPS3 counter comes from GET DATA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import type { ReaderPort } from '../../src-shared/reader-port';
import { linuxBrowserProbe } from '../../src-main/readiness/linux-probe';
import { runReadiness } from '../../src-main/readiness/run';
import { createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import { createBrowserHome, type BrowserHome } from '../support/nss-home';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import { FaultInjectingCard, isPinCommand, readCountersDirectly, type InjectionKind } from '../support/pin-faults';

const POLL_MS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let rig: PcscRig;
let port: ReaderPort;
let home: BrowserHome;
let card: FaultInjectingCard;
let slot: VpcdSlot;
const slotErrors: unknown[] = [];

async function until(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${rig.log().split('\n').slice(-10).join('\n')}`);
    await sleep(10);
  }
}

const present = () => port.readers().some((r) => r.name === rig.readerNames[0] && r.cardPresent);

/** Pulls the card out (if pcscd still sees it) and puts it back, then waits for pcscd to see it. */
async function reinsert(): Promise<void> {
  const left = Date.now();
  await slot.remove();
  await until('the card gone', () => !present());
  await sleep(Math.max(0, POLL_MS + 100 - (Date.now() - left)));
  await slot.insert(card);
  await until('the card back', present);
}

beforeAll(async () => {
  rig = await startPcscRig();
  home = createBrowserHome({ chromium: 'opensc' });
  card = new FaultInjectingCard(await createVirtualCardWithCredentials('cps3'));
  slot = new VpcdSlot(card, { port: rig.vpcdPort, slot: 0, retryMs: 20 });
  slot.on('error', (error: unknown) => slotErrors.push(error));
  port = createPcscReaderPort({ connectTimeoutMs: 2000, transmitTimeoutMs: 1500 });
  await port.start();
  await until('the virtual readers', () => port.readers().length === 2);
  await slot.insert(card);
  await until('the card', present);
}, 60_000);

afterAll(async () => {
  await port?.stop();
  await slot?.remove();
  await rig?.dispose();
  home?.dispose();
});

describe('the readiness check never spends a PIN try', () => {
  let ours = 0;

  it('a clean run with the browser probe: every line OK (certificate visible through OpenSC), no PIN command at the card, counters unchanged', async () => {
    const before = await readCountersDirectly(card.inner, 'cps3');
    card.arm();
    const run = await runReadiness({ port, demo: false, browser: linuxBrowserProbe({ home: home.home, which: (n) => (n === 'chromium' ? '/usr/bin/chromium' : undefined) }) });
    const bad = run.checks.filter((c) => c.status !== 'ok');
    expect(bad.map((c) => `${c.id}: ${c.explanation.en}`)).toEqual([]);
    expect(card.received).toBeGreaterThan(10);
    expect(card.reached.filter(isPinCommand)).toEqual([]);
    card.disarm();
    expect(await readCountersDirectly(card.inner, 'cps3')).toEqual(before);

    // Our own reading alone: not even an empty VERIFY (OpenSC's pkcs11-tool sends one, spending nothing).
    card.arm();
    await runReadiness({ port, demo: false, browser: false });
    ours = card.received;
    expect(card.reached.filter((c) => c[1] === 0x20 || c[1] === 0x24 || c[1] === 0x2c)).toEqual([]);
    card.disarm();
    expect(ours).toBeGreaterThan(5);
  }, 120_000);

  for (const kind of ['drop', 'mute'] as InjectionKind[]) {
    it(`the card ${kind === 'drop' ? 'pulled out' : 'gone mute'} at each position of the reading: a result every time, never a PIN command, counters unchanged`, async () => {
      expect(ours, 'the clean run comes first').toBeGreaterThan(0);
      const before = await readCountersDirectly(card.inner, 'cps3');
      const outcomes: string[] = [];
      for (let at = 1; at <= ours; at++) {
        card.arm({ kind, at });
        const run = await runReadiness({ port, demo: false, browser: false, connectTimeoutMs: 2000 });
        expect(card.reached.filter(isPinCommand), `${kind} at ${at}`).toEqual([]);
        outcomes.push(`${at}:${run.checks.find((c) => c.id === 'card.responsive')?.status ?? '-'}`);
        card.disarm();
        await reinsert();
      }
      expect(await readCountersDirectly(card.inner, 'cps3')).toEqual(before);
      // The faults were seen: at least one run could not read the card properly.
      expect(outcomes.some((o) => !o.endsWith(':ok')), outcomes.join(' ')).toBe(true);
      expect(slotErrors).toEqual([]);
    }, 600_000);
  }
});
