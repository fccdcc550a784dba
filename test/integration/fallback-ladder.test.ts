/**
 * The fallback ladder over the REAL stack (issue 6 "Done when"): pcsc-mini → a private
 * pcscd → vsmartcard-vpcd → a virtual CPS3 with the `slow` fault — a slow T=0-only legacy
 * card. The default strategy fails (T=1 refused by pcscd: ProtocolMismatch; then the short
 * watchdog), the ladder succeeds (T=0 + longer watchdog), and the next run — a NEW port and
 * a new ladder call reading the same memory file — is handled first time (one attempt).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { createVirtualCard } from '../../simulators/cards/catalog';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { CardChannel } from '../../src-main/card/channel';
import { ApduTrace, PIN_CARRYING_INS } from '../../src-main/reader/apdu-trace';
import { openWithFallback, type FallbackTraceEvent } from '../../src-main/reader/fallback-ladder';
import { ReaderMemory } from '../../src-main/reader/reader-memory';
import type { ReaderPort } from '../../src-shared/reader-port';

const SLOW_MS = 600;
const TIMEOUTS_MS = [300, 5000];
let rig: PcscRig;
let slot: VpcdSlot;
let dir: string;
const apdus: Uint8Array[] = [];

beforeAll(async () => {
  rig = await startPcscRig();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecps-ladder-it-'));
  slot = new VpcdSlot(createVirtualCard('cps3', { faults: ['t0-only', `slow:${SLOW_MS}`] }), { port: rig.vpcdPort, slot: 0, stayInserted: false });
  slot.on('apdu', ({ command }: { command: Uint8Array }) => apdus.push(command));
  await slot.insert();
  // vpcd accepts a card on its next presence poll (every 400 ms).
  await new Promise((resolve) => setTimeout(resolve, 900));
});

afterAll(async () => {
  await slot?.remove();
  await rig?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function run(): Promise<{ port: ReaderPort; result: Awaited<ReturnType<typeof openWithFallback>>; trace: FallbackTraceEvent[]; apduTrace: ApduTrace }> {
  const port = createPcscReaderPort({ transmitTimeoutMs: TIMEOUTS_MS[0], connectTimeoutMs: 5000 });
  await port.start();
  const trace: FallbackTraceEvent[] = [];
  const apduTrace = new ApduTrace();
  const memory = new ReaderMemory({ directory: dir });
  const result = await openWithFallback(port, rig.readerNames[0], { memory, timeoutsMs: TIMEOUTS_MS, trace: (e) => trace.push(e), onExchange: apduTrace.record });
  return { port, result, trace, apduTrace };
}

it('a slow T=0-only legacy card fails the default strategy, succeeds through the ladder, and is handled first time on the next run', async () => {
  const first = await run();
  expect(first.result.attempts.map((a) => `${a.rung}:${a.outcome}:${a.error?.code ?? ''}`)).toEqual([
    'default:failed:ProtocolMismatch',
    'protocol:T0:failed:CardNotResponding',
    'timeout:5000:ok:',
  ]);
  expect(first.trace.filter((e) => e.event === 'rung')).toHaveLength(3);
  expect(first.result.ok).toBe(true);
  if (!first.result.ok) return;
  expect(first.result.strategy).toMatchObject({ protocol: 'T0', timeoutMs: 5000 });
  expect(first.result.remembered).toBe(true);
  expect(first.result.identification).toMatchObject({ type: 'cps3', confirmed: true });
  // The connection handed out works, with the strategy's watchdog (a short default would fail).
  const channel = new CardChannel(first.result.connection, first.result.channelOptions);
  expect((await channel.selectByPath([0x3f00, 0x2f00])).sw).toBe(0x9000);
  await first.result.connection.disconnect();
  await first.port.stop();

  const next = await run();
  expect(next.result.ok).toBe(true);
  expect(next.result.attempts.map((a) => `${a.rung}:${a.outcome}`)).toEqual(['remembered:ok']);
  if (next.result.ok) {
    expect(next.result.fromMemory).toBe(true);
    await next.result.connection.disconnect();
  }
  await next.port.stop();

  expect(JSON.parse(fs.readFileSync(path.join(dir, 'reader-strategies.json'), 'utf8')).readers[rig.readerNames[0]].rungs).toEqual(['protocol:T0', 'timeout:5000']);
  expect(apdus.filter((c) => PIN_CARRYING_INS.has(c[1]!)), 'no PIN command reached the card').toEqual([]);
}, 60_000);
