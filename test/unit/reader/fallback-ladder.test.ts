/**
 * The fallback ladder against the in-process reader: each legacy fault makes the ladder find
 * its rung; what worked is remembered and used first next time (one attempt); forget; no
 * exclusive access without consent; no PIN command ever sent by the ladder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoReader, createVirtualCard } from '../../../simulators/cards/catalog';
import { applyReaderFaults } from '../../../simulators/cards/legacy-reader';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import type { ConnectOptions, ReaderPort } from '../../../src-shared/reader-port';
import { openWithFallback, type FallbackOptions, type FallbackResult, type FallbackTraceEvent } from '../../../src-main/reader/fallback-ladder';
import { ReaderMemory } from '../../../src-main/reader/reader-memory';
import { PIN_CARRYING_INS } from '../../../src-main/reader/apdu-trace';

const READER = 'Lecteur virtuel Compagnon e-CPS 00 00';
let dir: string;
/** INS of every command that reached a virtual card in this file. */
const seenIns: number[] = [];

function spy(card: VirtualCard): VirtualCard {
  return {
    label: card.label,
    atr: () => card.atr(),
    powerOn: () => card.powerOn(),
    powerOff: () => card.powerOff(),
    reset: () => card.reset(),
    transmit: (command) => {
      seenIns.push(command[1]!);
      return card.transmit(command);
    },
  };
}

function rig(kind: 'cps3' | 'cps4', faults: string[] = [], readerFaults: string[] = []) {
  const reader = createDemoReader({ cps: spy(createVirtualCard(kind, { faults })), vitale: null });
  const connects: ConnectOptions[] = [];
  const inner: ReaderPort = readerFaults.length > 0 ? applyReaderFaults(reader, readerFaults) : reader;
  const port: ReaderPort = Object.assign(Object.create(inner) as ReaderPort, {
    connect: (name: string, options: ConnectOptions = {}) => {
      connects.push(options);
      return inner.connect(name, options);
    },
  });
  return { port, connects, reader };
}

async function open(port: ReaderPort, options: FallbackOptions = {}): Promise<FallbackResult & { trace: FallbackTraceEvent[] }> {
  const trace: FallbackTraceEvent[] = [];
  const result = await openWithFallback(port, READER, { memory: new ReaderMemory({ directory: dir }), trace: (e) => trace.push(e), ...options });
  if (result.ok) await result.connection.disconnect();
  return { ...result, trace };
}

const rungsOf = (r: FallbackResult) => r.attempts.map((a) => `${a.rung}=${a.outcome}${a.error ? `(${a.error.code}${a.error.sw ? ` ${a.error.sw}` : ''})` : ''}`);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecps-ladder-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  expect(seenIns.filter((ins) => PIN_CARRYING_INS.has(ins)), 'the ladder sent a PIN command').toEqual([]);
});

describe('fallback ladder: each fault finds its rung', () => {
  it('T=0-only CPS3: T=1 fails (ProtocolMismatch), T=0 works; remembered, then first time', async () => {
    const first = await open(rig('cps3').port);
    expect(first.ok).toBe(true);
    expect(rungsOf(first)).toEqual(['default=failed(ProtocolMismatch)', 'protocol:T0=ok']);
    expect(first.trace.filter((e) => e.event === 'rung').map((e) => e.rung)).toEqual(['default', 'protocol:T0']);
    const next = await open(rig('cps3').port);
    expect(next.ok && next.fromMemory).toBe(true);
    expect(rungsOf(next)).toEqual(['remembered=ok']);
  });

  it('slow T=0 legacy card (CPS3 ATR: T=0 only): the short watchdog fails, the longer one works; next run needs one attempt', async () => {
    const timeoutsMs = [150, 3000];
    const first = await open(rig('cps3', ['t0-only', 'slow:250']).port, { timeoutsMs });
    expect(rungsOf(first)).toEqual(['default=failed(ProtocolMismatch)', 'protocol:T0=failed(CardNotResponding)', 'timeout:3000=ok']);
    expect(first.ok && first.strategy).toMatchObject({ protocol: 'T0', timeoutMs: 3000 });
    const again = await open(rig('cps3', ['t0-only', 'slow:250']).port, { timeoutsMs });
    expect(again.attempts).toHaveLength(1);
    expect(again.ok && again.strategy.timeoutMs).toBe(3000);
  });

  it('reader failing PPS for T=1 on a T=0/T=1 CPS4: explicit T=0 works', async () => {
    const r = await open(rig('cps4', [], ['fail-pps']).port);
    expect(rungsOf(r)).toEqual(['default=failed(ProtocolMismatch)', 'protocol:T0=ok']);
  });

  it('CPS4 over T=1 without fault: the default (T=1, extended read) works at once, nothing stored', async () => {
    const r = await open(rig('cps4').port);
    expect(rungsOf(r)).toEqual(['default=ok']);
    expect(r.ok && r.remembered).toBe(false);
    expect(await new ReaderMemory({ directory: dir }).list()).toEqual([]);
  });

  it('no extended APDUs (T=1 card): short APDUs', async () => {
    const r = await open(rig('cps4', ['no-extended']).port);
    expect(rungsOf(r)).toEqual(['default=failed(CardRefused 6700)', 'apdu:short=ok']);
    expect(r.ok && r.channelOptions.extended).toBe(false);
  });

  it('case 4 refused with 6700: case 4 sent as case 3 + GET RESPONSE', async () => {
    const r = await open(rig('cps3', ['no-case4']).port, { initial: { protocol: 'T0' } });
    expect(rungsOf(r)).toEqual(['default=failed(CardRefused 6700)', 'apdu:case4-as-case3=ok']);
    expect(r.ok && r.channelOptions.case4AsCase3).toBe(true);
  });

  it('READ BINARY above 128 bytes refused: chunks of 128', async () => {
    const r = await open(rig('cps3', ['max-read:128']).port, { initial: { protocol: 'T0' } });
    expect(rungsOf(r)).toEqual(['default=failed(CardRefused 6700)', 'chunk:128=ok']);
    const tiny = await open(rig('cps3', ['max-read:100']).port, { initial: { protocol: 'T0' }, memory: new ReaderMemory({ directory: path.join(dir, 'b') }) });
    expect(rungsOf(tiny).map((s) => s.split('=')[0])).toEqual(['default', 'chunk:128', 'chunk:64']);
    expect(tiny.ok && tiny.channelOptions.maxReadChunk).toBe(64);
  });

  it('wedged card: a warm reset is not enough, a cold reset is', async () => {
    const r = await open(rig('cps3', ['needs-cold-reset']).port, { initial: { protocol: 'T0' } });
    expect(rungsOf(r)).toEqual(['default=failed(ProbeUnconfirmed 6F00)', 'reset:warm=failed(ProbeUnconfirmed 6F00)', 'reset:cold=ok']);
  });

  it('a lost response: retries with back-off', async () => {
    const r = await open(rig('cps3', [], ['lose-response:1', 'lose-response:2']).port, { initial: { protocol: 'T0' }, backoffMs: 5 });
    expect(rungsOf(r)).toEqual(['default=failed(TransactionError)', 'retry:2=ok']);
    expect(r.trace.filter((e) => e.event === 'retry')).toHaveLength(1);
  });

  it('another application resets the shared card: exclusive is NOT tried without consent', async () => {
    const { port, connects } = rig('cps3', [], ['shared-resets']);
    const r = await open(port, { initial: { protocol: 'T0' } });
    expect(r.ok).toBe(false);
    expect(connects.every((c) => c.share !== 'exclusive')).toBe(true);
    expect(r.attempts.find((a) => a.rung === 'share:exclusive')).toMatchObject({ outcome: 'skipped', error: { code: 'ConsentRequired' } });
  });

  it('… and is tried with consent, remembered, and downgraded again when consent is withdrawn', async () => {
    const r = await open(rig('cps3', [], ['shared-resets']).port, { initial: { protocol: 'T0' }, allowExclusive: true });
    expect(rungsOf(r)).toEqual(['default=failed(CardReset)', 'share:exclusive=ok']);
    const { port, connects } = rig('cps3');
    const later = await open(port);
    expect(later.ok && later.strategy.share).toBe('shared');
    expect(connects.every((c) => c.share !== 'exclusive')).toBe(true);
  });
});

describe('reader memory through the ladder', () => {
  it('forget: the next run climbs again', async () => {
    await open(rig('cps3').port);
    const memory = new ReaderMemory({ directory: dir });
    expect((await memory.list()).map((e) => e.reader)).toEqual([READER]);
    expect(await memory.forget(READER)).toBe(true);
    const r = await open(rig('cps3').port);
    expect(r.attempts).toHaveLength(2);
  });

  it('a Vitale card is judged on connect and ATR only', async () => {
    const reader = createDemoReader({ cps: spy(createVirtualCard('vitale2')), vitale: null });
    const r = await open(reader, { initial: { protocol: 'T0' } });
    expect(r.ok && r.identification.type).toBe('vitale2');
  });

  it('no card: stops at once with NoCard', async () => {
    const reader = createDemoReader({ cps: null, vitale: null });
    const r = await open(reader);
    expect(rungsOf(r)).toEqual(['default=failed(NoCard)']);
  });
});
