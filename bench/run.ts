/**
 * `npm run bench`: our PC/SC layers against raw pcsc-mini and a C SCardTransmit loop,
 * measured side by side in one run over a private pcscd (with the NODELAY shim, without
 * which every method measures vpcd's 44 ms Nagle stall), plus the time from pcscd reporting
 * a card to our layer having identified it. The machine is shared and noisy: read ratios
 * taken within the same round, not absolute times.
 *
 * Env: BENCH_APDUS (per method per round, default 2000), BENCH_ROUNDS (default 9),
 * BENCH_CYCLES (identification insert/remove cycles, default 20), BENCH_OPS (readIdentity() and
 * pinStatus() calls per method per round, default 40; see cps-ops.ts).
 */
import { createRequire } from 'node:module';
import type * as PcscMini from 'pcsc-mini';
import { performance } from 'node:perf_hooks';
import { startPcscRig } from '../test/support/pcscd-rig';
import { VpcdSlot } from '../simulators/cards/vpcd-bridge';
import { createVirtualCardWithCredentials } from '../simulators/cards/catalog';
import type { IsoCard } from '../simulators/cards/iso-card';
import { identifyCard } from '../src-main/card/identify';
import { createPcscReaderPort } from '../native-bindings/pcsc';
import { CardChannel } from '../src-main/card/channel';
import { encodeCommand, type CommandApdu } from '../src-main/card/apdu';
import { inspectCard } from '../src-main/reader/inspect';
import { toHex } from '../src-shared/hex';
import type { CardConnection, ReaderEvent } from '../src-shared/reader-port';
import { buildNativeFloor, runNativeFloor } from './native-floor';
import { fmt, median, quantile, ratioSummary, rotate } from './stats';
import { measureJsCost } from './js-cost';
import { benchCpsOperations } from './cps-ops';

const APDUS = Number(process.env.BENCH_APDUS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 20);
const OPS = Number(process.env.BENCH_OPS ?? 40);
const WARMUP = Math.max(20, Math.floor(APDUS / 10));

const require = createRequire(import.meta.url);

// Two APDUs the virtual CPS3 answers without side effects: SELECT MF (2-byte answer) and
// READ BINARY of EF.SN.ICC (12 bytes + SW) once it is selected.
const SELECT_MF: CommandApdu = { cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: Uint8Array.of(0x3f, 0x00) };
const SELECT_SN: CommandApdu = { cla: 0x00, ins: 0xa4, p1: 0x08, p2: 0x0c, data: Uint8Array.of(0xd0, 0x03) };
const READ_SN: CommandApdu = { cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00, le: 12 };

async function timeLoop(count: number, send: () => Promise<unknown>): Promise<number[]> {
  const times = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await send();
    times[i] = (performance.now() - t0) * 1000;
  }
  return times;
}

export interface RoundHandles {
  connection: CardConnection;
  channel: CardChannel;
  rawCard: PcscMini.Card;
  rawCard2: PcscMini.Card;
  close(): Promise<void>;
}

async function main() {
  const rig = await startPcscRig({ nodelay: true });
  // With the sandbox PKI's certificates, so that readIdentity() has something to read.
  const cps3 = (await createVirtualCardWithCredentials('cps3')) as IsoCard;
  const slot = new VpcdSlot(cps3, { port: rig.vpcdPort, slot: 0 });
  await slot.insert();
  const readerName = rig.readerNames[0];
  const pcsc = require('pcsc-mini') as typeof PcscMini;

  // Raw pcsc-mini: the best a Node program can do with this binding.
  const client = new pcsc.Client();
  const rawReader = await new Promise<PcscMini.Reader>((resolve) => {
    client.on('reader', (r) => r.name() === readerName && resolve(r));
    client.start();
  });
  await new Promise((r) => setTimeout(r, 600)); // pcscd polls vpcd every 400 ms
  const rawOut = new ArrayBuffer(65538);
  const rawOut2 = new ArrayBuffer(65538);

  // Our stack: the ReaderPort, then the CardChannel with its T=0 rules.
  const port = createPcscReaderPort();
  await port.start();

  /**
   * The handles of one round: ours, raw pcsc-mini, and a second raw one (the A/A control,
   * whose ratio to the first is the noise floor of the method). Opened anew each round, in
   * a rotating order: measured, with pcscd + vpcd a handle opened later is a few % slower
   * than one opened before it, so a fixed order would bias the ratio either way.
   */
  async function openRound(round: number): Promise<RoundHandles> {
    const handles: Partial<RoundHandles> = {};
    for (const which of rotate(['ours', 'raw', 'raw2'] as const, round)) {
      if (which === 'ours') handles.connection = await port.connect(readerName as string, { share: 'shared' });
      else if (which === 'raw') handles.rawCard = await rawReader.connect(pcsc.CardMode.SHARED, pcsc.Protocol.T0);
      else handles.rawCard2 = await rawReader.connect(pcsc.CardMode.SHARED, pcsc.Protocol.T0);
    }
    const h = handles as RoundHandles;
    h.channel = new CardChannel(h.connection);
    h.close = async () => {
      await h.connection.disconnect();
      await h.rawCard.disconnect(pcsc.CardDisposition.LEAVE);
      await h.rawCard2.disconnect(pcsc.CardDisposition.LEAVE);
    };
    return h;
  }

  const native = buildNativeFloor();
  const methods: { name: string; run: (h: RoundHandles, apdu: CommandApdu, n: number) => Promise<number[]> }[] = [
    { name: 'raw pcsc-mini', run: (h, apdu, n) => { const b = encodeCommand(apdu); return timeLoop(n, () => h.rawCard.transmit(b, rawOut)); } },
    { name: 'raw (2e handle)', run: (h, apdu, n) => { const b = encodeCommand(apdu); return timeLoop(n, () => h.rawCard2.transmit(b, rawOut2)); } },
    { name: 'ReaderPort', run: (h, apdu, n) => { const b = encodeCommand(apdu); return timeLoop(n, () => h.connection.transmit(b)); } },
    { name: 'CardChannel', run: (h, apdu, n) => timeLoop(n, () => h.channel.transmit(apdu)) },
  ];
  if (native.binary) {
    const binary = native.binary;
    methods.push({ name: 'C SCardTransmit', run: (_h, apdu, n) => runNativeFloor(binary, readerName as string, n, toHex(encodeCommand(apdu), '')) });
  }

  console.log(`Compagnon e-CPS — benchmark (${new Date().toISOString()})`);
  console.log(`pcscd privé + vpcd, shim NODELAY : ${rig.nodelay ? 'oui' : 'NON'} ; ${ROUNDS} tours × ${APDUS} APDU par méthode (+${WARMUP} d'échauffement), ordre tournant`);
  if (!native.binary) console.log(`(plancher C absent : ${native.reason})`);

  for (const [label, apdu, setup] of [
    ['SELECT MF (réponse 2 octets)', SELECT_MF, SELECT_MF],
    ['READ BINARY EF.SN.ICC (14 octets)', READ_SN, SELECT_SN],
  ] as const) {
    const medians: Record<string, number[]> = {};
    const ratios: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const h = await openRound(round);
      // Every handle has its own current file: the setup SELECT on each (raw ones: same bytes).
      await h.channel.transmit(setup);
      await h.rawCard.transmit(encodeCommand(setup), rawOut);
      await h.rawCard2.transmit(encodeCommand(setup), rawOut2);
      const roundMedians: Record<string, number> = {};
      for (const m of rotate(methods, round)) {
        await m.run(h, apdu, WARMUP);
        roundMedians[m.name] = median(await m.run(h, apdu, APDUS));
        (medians[m.name] ??= []).push(roundMedians[m.name] as number);
      }
      for (const m of methods) (ratios[m.name] ??= []).push((roundMedians[m.name] as number) / (roundMedians['raw pcsc-mini'] as number));
      await h.close();
    }
    console.log(`\n## ${label}: µs par APDU (médiane des médianes de tour) et rapport à pcsc-mini brut`);
    for (const m of methods) {
      console.log(`  ${m.name.padEnd(16)} ${fmt(median(medians[m.name] ?? []), 0).padStart(6)} µs   ${ratioSummary(ratios[m.name] ?? [])}`);
    }
    const overhead = median(ratios['CardChannel'] ?? []) - 1;
    const floor = median(ratios['raw (2e handle)'] ?? []) - 1;
    console.log(`  → surcoût de nos couches (CardChannel / pcsc-mini brut) : ${fmt(overhead * 100, 1)} % (cible ≤ 5 %) ; plancher de bruit (2e handle brut / 1er) : ${fmt(floor * 100, 1)} %`);
    const js = await measureJsCost(apdu);
    const rawUs = median(medians['raw pcsc-mini'] ?? []);
    console.log(
      `  → coût CPU de nos couches seules (carte instantanée) : ReaderPort +${fmt(js.readerPort, 1)} µs, CardChannel +${fmt(js.cardChannel, 1)} µs par APDU` +
        ` = ${fmt((js.cardChannel / rawUs) * 100, 1)} % d'un APDU pcsc-mini brut`,
    );
  }

  // The CPS card layer (issue 3 §5): readIdentity() and pinStatus() against the same APDUs raw.
  const first = await openRound(0);
  const identification = await identifyCard(first.connection.atr, first.channel);
  await first.close();
  if (identification.type !== 'cps3' || !identification.confirmed) throw new Error(`CPS3 not identified: ${identification.type}`);
  await benchCpsOperations({ openRound, identification, rawOut, rawOut2, card: cps3, rounds: ROUNDS, iterations: OPS });

  // Identification: from pcscd reporting the card (raw pcsc-mini monitor, same process) to
  // our layer having identified it (ReaderPort event, then connect + SELECT + EF.SN.ICC).
  await slot.remove();
  await new Promise((r) => setTimeout(r, 800));
  const toEvent: number[] = [];
  const toIdentified: number[] = [];
  let rawSeen = 0;
  rawReader.on('change', (status) => {
    if (status.has(pcsc.ReaderStatus.PRESENT)) rawSeen = performance.now();
  });
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const identified = new Promise<{ event: number; done: number }>((resolve, reject) => {
      const off = port.onEvent((event: ReaderEvent) => {
        if (event.type !== 'card-inserted' || event.reader !== readerName) return;
        off();
        const eventAt = performance.now();
        const snapshot = port.readers().find((r) => r.name === readerName);
        if (!snapshot) return reject(new Error('reader vanished'));
        inspectCard(port, snapshot)
          .then((inspection) => {
            if (!inspection.identification.confirmed) throw new Error('CPS3 not confirmed');
            resolve({ event: eventAt, done: performance.now() });
          })
          .catch(reject);
      });
    });
    rawSeen = 0;
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 500));
    await slot.insert();
    const { event, done } = await identified;
    // The raw monitor and ours both wake on pcscd's notification; use whichever came first.
    const reported = rawSeen > 0 ? Math.min(rawSeen, event) : event;
    toEvent.push(event - reported);
    toIdentified.push(done - reported);
    await slot.remove();
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`\n## Identification après détection (${CYCLES} insertions, hors scrutation de pcscd toutes les 400 ms)`);
  console.log(`  événement ReaderPort « card-inserted » : médiane ${fmt(median(toEvent), 2)} ms, p90 ${fmt(quantile(toEvent, 0.9), 2)} ms, max ${fmt(Math.max(...toEvent), 2)} ms`);
  console.log(`  carte identifiée (CPS3 confirmée)      : médiane ${fmt(median(toIdentified), 2)} ms, p90 ${fmt(quantile(toIdentified, 0.9), 2)} ms, max ${fmt(Math.max(...toIdentified), 2)} ms (cible ≤ 20 ms)`);

  await port.stop();
  client.stop();
  await rig.dispose();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
