/**
 * Issue 3 §5: `readIdentity()` and `pinStatus()` of CpsCard on the virtual CPS3 over the
 * private pcscd — how many APDUs, against the fewest the card's file layout allows, and how
 * long, against the SAME APDUs sent raw through pcsc-mini in the same round.
 *
 * Each operation runs on a fresh CpsCard (no PKCS#15 cache), over one identification (as the
 * companion does: identify once per insertion, then ask). Its APDUs are recorded once, then
 * every round times N runs of the operation and N raw replays of the recorded bytes, in an
 * order that alternates between rounds; the ratio of the two medians is taken per round.
 */
import { performance } from 'node:perf_hooks';
import type { CardConnection } from '../src-shared/reader-port';
import { toHex } from '../src-shared/hex';
import { CardChannel } from '../src-main/card/channel';
import { CPX_AID_CONTACT, type CardIdentification } from '../src-main/card/identify';
import { CpsCard } from '../src-main/card/cps/cps-card';
import type { IsoCard } from '../simulators/cards/iso-card';
import { DedicatedFile, ElementaryFile } from '../simulators/cards/file-system';
import { PKCS15_FIDS } from '../simulators/cards/pkcs15-files';
import { fmt, median, ratioSummary, rotate } from './stats';
import type { RoundHandles } from './run';

/** Largest READ BINARY the CPS3 answers in one APDU (Cryptolib max_recv_size 0xE7 = 231). */
const CHUNK = 231;

export interface CpsOpsContext {
  /** Fresh handles for one round, opened in a rotating order (bench/run.ts). */
  openRound: (round: number) => Promise<RoundHandles>;
  identification: CardIdentification;
  rawOut: ArrayBuffer;
  rawOut2: ArrayBuffer;
  /** The virtual card in the slot, to read its file layout. */
  card: IsoCard;
  rounds: number;
  iterations: number;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The fewest APDUs the layout allows for `readIdentity()` (the serial number comes with the
 * identification, which already read EF.SN.ICC):
 *   1 SELECT of the CPx application by AID (P2 = 0C: no answer data, so no GET RESPONSE),
 *   then for each of EF.ODF, EF.PrKDF, EF.CDF and the authentication certificate — the
 *   chain PKCS #15 imposes (ODF → PrKDF for the authentication key → CDF for its
 *   certificate → the certificate) — 1 SELECT (P2 = 0C) + ceil(size / 231) READ BINARY.
 *   = 1 + Σ (1 + ceil(size_f / 231)).
 * Nothing cheaper exists on this card: its EFs have no short EF identifier (no SELECT-free
 * READ BINARY), READ BINARY is a T=0 case 2 (no GET RESPONSE), and 231 bytes is the most one
 * READ returns. (A reader that does not know a directory file's size must read until a short
 * answer; with no size a multiple of 231 that costs nothing more.)
 */
export function minimumIdentityApdus(card: IsoCard): { total: number; files: { name: string; size: number; apdus: number }[] } {
  const app = findDf(card.root, CPX_AID_CONTACT);
  if (!app) throw new Error('CPx application not found in the virtual card');
  const names: [string, number][] = [
    ['EF.ODF', PKCS15_FIDS.odf],
    ['EF.PrKDF', PKCS15_FIDS.prkdf],
    ['EF.CDF', PKCS15_FIDS.cdf],
    ['certificat d’authentification', PKCS15_FIDS.authenticationCertificate],
  ];
  const files = names.map(([name, fid]) => {
    const file = app.children.find((c): c is ElementaryFile => c instanceof ElementaryFile && c.fid === fid);
    if (!file) throw new Error(`${name} not found in the virtual card`);
    return { name, size: file.size, apdus: 1 + Math.ceil(file.size / CHUNK) };
  });
  return { total: 1 + files.reduce((n, f) => n + f.apdus, 0), files };
}

/** pinStatus() on a CPS3: the CHV SDO is read with the MF current: SELECT MF, GET DATA, and T=0's GET RESPONSE. */
export const MINIMUM_PIN_STATUS_APDUS = 3;

function findDf(df: DedicatedFile, aid: Uint8Array): DedicatedFile | undefined {
  if (df.name && sameBytes(df.name, aid)) return df;
  for (const child of df.children) {
    if (child instanceof DedicatedFile) {
      const found = findDf(child, aid);
      if (found) return found;
    }
  }
  return undefined;
}

/** A CardConnection answering the recorded responses at once (command bytes checked). */
function instantReplay(real: CardConnection, sequence: { command: Uint8Array; response: Uint8Array }[]): CardConnection {
  let next = 0;
  return {
    reader: real.reader,
    atr: real.atr,
    protocol: real.protocol,
    share: real.share,
    connected: true,
    transmit: (command) => {
      const entry = sequence[next % sequence.length]!;
      next++;
      if (!sameBytes(entry.command, command)) return Promise.reject(new Error(`unexpected ${toHex(command)}`));
      return Promise.resolve(entry.response.slice());
    },
    reset: () => Promise.resolve(),
    control: () => Promise.resolve(new Uint8Array(0)),
    disconnect: () => Promise.resolve(),
  };
}

async function timeOnce(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) * 1000;
}

export async function benchCpsOperations(ctx: CpsOpsContext): Promise<void> {
  const { identification, rawOut, rawOut2 } = ctx;
  for (const name of ['readIdentity()', 'pinStatus()'] as const) {
    const run = (channel: CardChannel) => (name === 'pinStatus()' ? new CpsCard(channel, identification).pinStatus() : new CpsCard(channel, identification).readIdentity());
    const minimum = name === 'pinStatus()' ? { total: MINIMUM_PIN_STATUS_APDUS, files: [] as ReturnType<typeof minimumIdentityApdus>['files'] } : minimumIdentityApdus(ctx.card);

    // What our code hands to the connection (the bytes pcsc-mini will send) and gets back.
    const first = await ctx.openRound(0);
    const sequence: { command: Uint8Array; response: Uint8Array }[] = [];
    const transmit = first.connection.transmit.bind(first.connection);
    first.connection.transmit = async (command, options) => {
      const response = await transmit(command, options);
      sequence.push({ command: command.slice(), response: response.slice() });
      return response;
    };
    await run(first.channel);
    // The raw replay must get the very answers our code got, or it would not be the same work.
    for (const { command, response } of sequence) {
      const raw = new Uint8Array(await first.rawCard.transmit(command, rawOut));
      if (!sameBytes(raw, response)) throw new Error(`raw replay of ${toHex(command)} answered ${toHex(raw)}, not ${toHex(response)}`);
    }
    await first.close();

    const replay = (card: RoundHandles['rawCard'], out: ArrayBuffer) => async () => {
      for (const { command } of sequence) await card.transmit(command, out);
    };
    const methods = [
      { name: 'CpsCard', run: (h: RoundHandles) => () => run(h.channel) },
      { name: 'pcsc-mini brut', run: (h: RoundHandles) => replay(h.rawCard, rawOut) },
      { name: 'brut, 2e handle', run: (h: RoundHandles) => replay(h.rawCard2, rawOut2) },
    ];
    const medians: Record<string, number[]> = {};
    const ratios: number[] = [];
    const floor: number[] = [];
    for (let round = 0; round < ctx.rounds; round++) {
      const h = await ctx.openRound(round);
      const roundMedian: Record<string, number> = {};
      for (const m of rotate(methods, round)) {
        const go = m.run(h);
        for (let i = 0; i < Math.max(3, ctx.iterations / 10); i++) await go(); // warm-up
        const times: number[] = [];
        for (let i = 0; i < ctx.iterations; i++) times.push(await timeOnce(go));
        roundMedian[m.name] = median(times);
        (medians[m.name] ??= []).push(median(times));
      }
      ratios.push((roundMedian['CpsCard'] as number) / (roundMedian['pcsc-mini brut'] as number));
      floor.push((roundMedian['brut, 2e handle'] as number) / (roundMedian['pcsc-mini brut'] as number));
      await h.close();
    }

    // CPU alone: the same operation over a stand-in connection answering the recorded bytes at once.
    const instantChannel = new CardChannel(instantReplay(first.connection, sequence));
    const cpuRun = () => run(instantChannel);
    for (let i = 0; i < 20; i++) await cpuRun();
    const cpu: number[] = [];
    for (let i = 0; i < 200; i++) cpu.push(await timeOnce(cpuRun));

    const count = sequence.length;
    console.log(`\n## ${name} sur la CPS3 virtuelle (CpsCard neuf à chaque appel) : ${ctx.rounds} tours × ${ctx.iterations} appels`);
    console.log(`  APDU envoyés : ${count} — minimum permis par la carte : ${minimum.total} (${count === minimum.total ? 'atteint' : `+${count - minimum.total}`})`);
    if (minimum.files.length > 0) {
      console.log(`    minimum = 1 SELECT application + Σ (1 SELECT + ⌈taille/${CHUNK}⌉ READ BINARY) : ${minimum.files.map((f) => `${f.name} ${f.size} o → ${f.apdus}`).join(', ')}`);
    }
    console.log(`    séquence : ${sequence.map((s) => toHex(s.command.subarray(0, 4), '')).join(' ')}`);
    for (const m of methods) console.log(`  ${m.name.padEnd(16)} ${fmt(median(medians[m.name] ?? []) / 1000, 3).padStart(7)} ms par appel`);
    console.log(`  → CpsCard / mêmes APDU bruts : ${ratioSummary(ratios)} (cible ≤ 1,1×) ; plancher de bruit (2e handle brut / 1er) : ${ratioSummary(floor)}`);
    console.log(`  → coût CPU de CpsCard seul (réponses instantanées) : ${fmt(median(cpu) / 1000, 3)} ms par appel`);
  }
}
