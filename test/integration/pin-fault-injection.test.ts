/**
 * PIN safety under faults, over the REAL stack (issue 3 §3): pcsc-mini → a private pcscd →
 * vsmartcard-vpcd → the virtual CPS3/CPS4, driven by our CpsCard. The in-process counterpart
 * is test/unit/card/cps/fault-injection.test.ts.
 *
 * For verifyPin (right and wrong PIN), changePin and unblockPin (blocked card, right PUK), a
 * clean run first records the APDUs the operation sends (after identification, on a fresh
 * CpsCard: no cache). Then, for each APDU position k of the operation, one fault at the k-th
 * command (test/support/pin-faults.ts):
 *  - drop: the card is pulled out while the k-th command is in flight;
 *  - mute: the card never answers the k-th command nor any later one (watchdog 250 ms); the
 *          card is pulled out afterwards, the only thing that ends a mute card;
 *  - hold: the card RUNS the k-th command, and while its answer is held pcscd is stopped;
 *          the answer is lost with the service, which is then started again (a restart with
 *          the command in flight; see SlotWorker.card for why the start waits for the release).
 * After each case: the operation settled as a typed EcpsError (or succeeded, only when the
 * fault hit after the PIN command), no unhandled rejection, and the card's real counters,
 * read with raw APDUs on the virtual card object (readCountersDirectly, none of our card
 * code), show that no try was spent that the user did not ask for: a right code never costs
 * a try, a wrong PIN at most one, and only when the card really received the command; at
 * most one VERIFY-with-data / CHANGE REFERENCE DATA / RESET RETRY COUNTER was sent by us and
 * reached the card, and none was sent after the fault (nothing re-sent a VERIFY). The same
 * card then goes back into the reader for the next case, on a fresh connection.
 *
 * Runtime: pcscd polls vpcd every 400 ms, so each pull/re-insert costs ~0.8 s. To stay near
 * 90 s: one rig for the file; drop and mute cases run on both slots of the dual-slot reader in
 * parallel; every position is covered on the CPS3, and on the CPS4 a deterministic subset:
 * position 1 plus every position on ChipDoc's logical channel (ChipDoc SELECT, the empty-VERIFY
 * counter reads, the PIN command). The CPS4's positions 2–5 are the PKCS#15 AODF read, the same
 * code and the same file layout as the CPS3's, covered there at every position.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import {
  FaultInjectingCard,
  isPinCommand,
  readCountersDirectly,
  sendPinCommandDirectly,
  type DirectCounters,
  type Injection,
  type InjectionKind,
} from '../support/pin-faults';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { createCpsCard } from '../../simulators/cards/cps-catalog';
import type { VirtualCard } from '../../simulators/cards/virtual-card';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { CardChannel } from '../../src-main/card/channel';
import { identifyCard } from '../../src-main/card/identify';
import { CpsCard } from '../../src-main/card/cps/cps-card';
import { isEcpsError } from '../../src-shared/errors';
import { toHex } from '../../src-shared/hex';
import type { CardConnection, ReaderPort } from '../../src-shared/reader-port';

type Kind = 'cps3' | 'cps4';
type Op = 'verify-right' | 'verify-wrong' | 'change' | 'unblock';
const KINDS: Kind[] = ['cps3', 'cps4'];
const OPS: Op[] = ['verify-right', 'verify-wrong', 'change', 'unblock'];
const PIN = '1234';
const NEW_PIN = '4321';
const WRONG_PIN = '0000';
const PUK = '12345678';
const TRANSMIT_TIMEOUT_MS = 250;
/**
 * Watchdog for the commands that prepare a case (identification, the final PIN status): these
 * are not under test, and on a loaded machine (load 6-10 on 2 cores) one sound APDU through
 * pcscd took more than 250 ms and failed the case before its fault was armed.
 */
const SETUP_TRANSMIT_TIMEOUT_MS = 3000;
/** pcscd's presence poll of a vpcd slot (PCSCLITE_STATUS_POLL_RATE). */
const PCSCD_POLL_MS = 400;
/** Outcomes that tell the user a code was wrong or blocked: never for a right code. */
const WRONG_CODE_OUTCOMES = ['PinIncorrect', 'PukIncorrect', 'PinBlocked', 'PukBlocked'];

const DEBUG = process.env.PIN_FAULTS_DEBUG !== undefined;
const debug = (text: string) => DEBUG && console.log(`${new Date().toISOString().slice(17, 23)} ${text}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let rig: PcscRig;
let port: ReaderPort;
const unhandled: unknown[] = [];
/** Errors the vpcd bridge reported (none expected). */
const slotErrors: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

/** A virtual card with what the test knows about it (its PIN value changes with CHANGE/RESET). */
interface TrackedCard {
  kind: Kind;
  inner: VirtualCard;
  wrapper: FaultInjectingCard;
  pinValue: string;
}

interface CaseResult {
  outcome: string;
  before: DirectCounters;
  after: DirectCounters;
  /** Commands our code handed to the connection since the operation began (answered or not). */
  sent: Uint8Array[];
  /** Commands that reached the card's wire end (the wrapper) and PIN commands the card ran. */
  received: number;
  pinCommandsReached: number;
  newUnhandled: unknown[];
}

interface CleanRun {
  total: number;
  /** 1-based position of the PIN command (VERIFY with data, 24 or 2C). */
  pinAt: number;
  sequence: string[];
}
const clean = new Map<string, CleanRun>();

function run(cps: CpsCard, op: Op): Promise<unknown> {
  switch (op) {
    case 'verify-right':
      return cps.verifyPin(PIN);
    case 'verify-wrong':
      return cps.verifyPin(WRONG_PIN);
    case 'change':
      return cps.changePin(PIN, NEW_PIN);
    case 'unblock':
      return cps.unblockPin(PUK, NEW_PIN);
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const cardPresent = (reader: string) =>
  port.serviceAvailable() && port.readers().some((r) => r.name === reader && r.cardPresent);

async function connectFresh(reader: string): Promise<CardConnection> {
  const deadline = Date.now() + 6000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (cardPresent(reader)) {
      try {
        return await port.connect(reader);
      } catch (error) {
        last = error; // e.g. the insertion probe or a stuck call still finishing
      }
    }
    await sleep(10);
  }
  const snapshot = port.readers().find((r) => r.name === reader);
  throw new Error(`no fresh connection to ${reader}: ${isEcpsError(last) ? last.code : String(last)}; service ${port.serviceAvailable()}, reader ${JSON.stringify(snapshot)}\npcscd:\n${rig.log().split('\n').slice(-12).join('\n')}`);
}

/** One slot of the dual-slot virtual reader, with one card of each kind that stays with it. */
class SlotWorker {
  readonly slot: VpcdSlot;
  readonly reader: string;
  private readonly cards = new Map<Kind, TrackedCard>();

  constructor(readonly index: 0 | 1) {
    this.reader = rig.readerNames[index];
    this.slot = new VpcdSlot(createCpsCard('cps3'), { port: rig.vpcdPort, slot: index, retryMs: 20 });
    this.slot.on('error', (error: unknown) => slotErrors.push(error));
  }

  card(kind: Kind): TrackedCard {
    let tracked = this.cards.get(kind);
    if (!tracked) {
      const inner = createCpsCard(kind, { pin: PIN, puk: PUK });
      // pcscd is stopped while the answer is held, and started again once it is released: the
      // vpcd bridge answers the new pcscd's ATR request only after the pending answer (one
      // queue for all its sockets, vpcd-bridge.ts `chain`), and the new pcscd waits for that
      // ATR before it says "ready" — holding the answer across the whole restart deadlocks
      // until the rig gives up (8 s).
      tracked = { kind, inner, wrapper: new FaultInjectingCard(inner, () => rig.stopService()), pinValue: PIN };
      this.cards.set(kind, tracked);
    }
    return tracked;
  }

  async ensureInserted(card: VirtualCard): Promise<void> {
    if (this.slot.inserted && this.slot.currentCard === card) return;
    if (this.slot.inserted) await this.remove();
    await this.slot.insert(card);
  }

  async remove(): Promise<void> {
    const at = Date.now();
    await this.slot.remove();
    await this.waitGone(at);
  }

  /**
   * Waits until pcscd has polled the slot since the card left (`leftAt`). Our port can see the
   * card gone sooner (a failed cold reset marks it absent), but vpcd only notices the dead
   * socket at its next presence poll (every 400 ms): a card put back before that poll is taken
   * for the same card, never announced again, and the slot looks empty for good.
   */
  async waitGone(leftAt: number): Promise<void> {
    await until(`${this.reader} to see the card gone`, () => !cardPresent(this.reader));
    await sleep(PCSCD_POLL_MS + 100 - (Date.now() - leftAt));
  }

  async runCase(kind: Kind, op: Op, injection: Injection | undefined): Promise<CaseResult> {
    const tracked = this.card(kind);
    debug(`${this.index} prepare ${kind} ${op} ${JSON.stringify(injection)}`);
    await prepare(tracked, op);
    const before = await readCountersDirectly(tracked.inner, kind);
    await this.ensureInserted(tracked.wrapper);

    debug(`${this.index} connect ${kind} ${op} ${JSON.stringify(injection)}`);
    const connection = await connectFresh(this.reader);
    const sent: Uint8Array[] = [];
    const transmit = connection.transmit.bind(connection);
    let armed = false;
    connection.transmit = (command, options) => {
      sent.push(command.slice());
      // Until the fault is armed, a patient watchdog; then the port's short one (mute cases).
      return transmit(command, armed ? options : { timeoutMs: SETUP_TRANSMIT_TIMEOUT_MS, ...options });
    };
    const channel = new CardChannel(connection);
    const cps = new CpsCard(channel, await identifyCard(connection.atr, channel));
    if (!cps.identification.confirmed) throw new Error(`${kind} not confirmed on ${this.reader}`);
    sent.length = 0;
    const unhandledBefore = unhandled.length;
    debug(`${this.index} armed ${kind} ${op} ${JSON.stringify(injection)}`);
    tracked.wrapper.arm(injection);
    armed = true;

    const outcome = await run(cps, op).then(
      () => 'ok',
      (error: unknown) => (isEcpsError(error) ? error.code : `crash: ${error instanceof Error ? error.stack : String(error)}`),
    );

    debug(`${this.index} op settled ${kind} ${op} ${JSON.stringify(injection)}`);
    const settledAt = Date.now(); // for a drop, the card left just before
    // Let the fault finish the way it does in a pharmacy.
    switch (injection?.kind) {
      case undefined:
        break;
      case 'drop':
        await this.waitGone(settledAt);
        break;
      case 'mute':
        await this.remove();
        break;
      case 'hold':
        if (!tracked.wrapper.released) throw new Error(`${kind} ${op}: position ${injection.at} was never reached`);
        await tracked.wrapper.released; // pcscd restarted, the answer released into a dead socket
        if (tracked.wrapper.heldError) {
          const e = tracked.wrapper.heldError;
          throw new Error(`stopping pcscd failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        await rig.startService();
        break;
    }
    debug(`${this.index} fault settled ${kind} ${op} ${JSON.stringify(injection)}`);
    await connection.disconnect().catch(() => undefined);
    const received = tracked.wrapper.received;
    const pinCommandsReached = tracked.wrapper.pinCommandsReached;
    tracked.wrapper.disarm();
    // Give a late rejection (a dangling promise of the failed operation) the chance to surface.
    await sleep(0);

    const after = await readCountersDirectly(tracked.inner, kind);
    if (pinCommandsReached > 0 && (op === 'change' || op === 'unblock')) tracked.pinValue = NEW_PIN;
    return { outcome, before, after, sent, received, pinCommandsReached, newUnhandled: unhandled.slice(unhandledBefore) };
  }
}

/**
 * Puts the card in the operation's starting state with raw commands on the card object:
 * PIN 1234 with 3 tries (the direct VERIFY with the value we expect also proves a CHANGE or
 * RESET RETRY COUNTER took effect exactly when the card received it), then, for unblock,
 * three wrong PINs to block it.
 */
async function prepare(card: TrackedCard, op: Op): Promise<void> {
  const { kind, inner } = card;
  const counters = await readCountersDirectly(inner, kind);
  let ready = false;
  if (counters.pin > 0) {
    const sw = await sendPinCommandDirectly(inner, kind, 0x20, [card.pinValue]);
    if (sw !== 0x9000) throw new Error(`${kind}: the card's PIN is not the expected ${card.pinValue === PIN ? 'old' : 'new'} one (${sw.toString(16)})`);
    ready = true;
  }
  if (!ready) {
    const sw = await sendPinCommandDirectly(inner, kind, 0x2c, [PUK, PIN]);
    if (sw !== 0x9000) throw new Error(`${kind}: unblocking directly answered ${sw.toString(16)}`);
    card.pinValue = PIN;
  }
  if (card.pinValue !== PIN) {
    const sw = await sendPinCommandDirectly(inner, kind, 0x24, [card.pinValue, PIN]);
    if (sw !== 0x9000) throw new Error(`${kind}: changing back directly answered ${sw.toString(16)}`);
    card.pinValue = PIN;
  }
  if (op === 'unblock') {
    for (let i = 0; i < 3; i++) await sendPinCommandDirectly(inner, kind, 0x20, [WRONG_PIN]);
  }
  const now = await readCountersDirectly(inner, kind);
  const expected = op === 'unblock' ? 0 : 3;
  if (now.pin !== expected || now.puk !== 10) throw new Error(`${kind}: prepared counters ${JSON.stringify(now)}`);
}

/** Everything a case must satisfy; returns the broken rules (empty when all hold). */
function check(kind: Kind, op: Op, injection: Injection | undefined, r: CaseResult): string[] {
  const problems: string[] = [];
  const label = `${kind} ${op} ${injection ? `${injection.kind}@${injection.at}` : 'clean'} → ${r.outcome}`;
  const fail = (what: string) => problems.push(`${label}: ${what}`);
  const cleanRun = clean.get(`${kind} ${op}`);

  if (r.outcome.startsWith('crash')) fail('not a typed EcpsError');
  if (r.newUnhandled.length > 0) fail(`unhandled rejection(s): ${r.newUnhandled.map(String).join('; ')}`);

  const pinSent = r.sent.filter(isPinCommand).length;
  if (pinSent > 1) fail(`${pinSent} PIN commands sent`);
  if (r.pinCommandsReached > 1) fail(`${r.pinCommandsReached} PIN commands reached the card`);
  if (injection && r.sent.slice(injection.at).some(isPinCommand)) fail('a PIN command was sent after the fault');
  if (injection && r.sent.length > 0 && r.sent.length < injection.at) fail(`only ${r.sent.length} commands sent, fault never hit`);

  // The card's own counters (read directly): only what the user asked for was spent.
  const reached = r.pinCommandsReached;
  const expectedPin = {
    'verify-right': 3,
    'verify-wrong': r.before.pin - reached,
    change: 3,
    unblock: reached ? 3 : 0,
  }[op];
  if (r.after.pin !== expectedPin) fail(`PIN tries ${r.before.pin} → ${r.after.pin}, expected ${expectedPin} (PIN commands on the card: ${reached})`);
  if (r.after.puk !== r.before.puk) fail(`PUK tries ${r.before.puk} → ${r.after.puk}`);
  if (r.before.pukUses !== undefined && r.after.pukUses !== r.before.pukUses - (op === 'unblock' ? reached : 0)) {
    fail(`PUK uses ${r.before.pukUses} → ${r.after.pukUses}`);
  }

  // The outcome tells the truth.
  if (!injection) {
    const expected = op === 'verify-wrong' ? 'PinIncorrect' : 'ok';
    if (r.outcome !== expected) fail(`clean run should give ${expected}`);
  } else if (cleanRun && injection.at <= cleanRun.pinAt && r.outcome === 'ok') {
    fail('succeeded although the card never answered the PIN command');
  }
  if (op !== 'verify-wrong' && WRONG_CODE_OUTCOMES.includes(r.outcome)) fail('a right code reported as wrong or blocked');
  if (op === 'verify-wrong' && r.outcome === 'PinIncorrect' && reached !== 1) fail('reports a spent try the card never counted');
  if (r.outcome === 'ok' && reached !== 1) fail('reports success but the card never ran the PIN command');
  return problems;
}

/** The fault positions tried for a kind and operation (module comment: CPS4 subset). */
function positions(kind: Kind, op: Op): number[] {
  const c = clean.get(`${kind} ${op}`)!;
  const all = Array.from({ length: c.total }, (_, i) => i + 1);
  if (kind === 'cps3') return all;
  return all.filter((k) => k === 1 || (parseInt(c.sequence[k - 1]!.slice(0, 2), 16) & 0x03) === 1);
}

let workers: [SlotWorker, SlotWorker];

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  rig = await startPcscRig();
  port = createPcscReaderPort({ transmitTimeoutMs: TRANSMIT_TIMEOUT_MS, connectTimeoutMs: 2000 });
  await port.start();
  workers = [new SlotWorker(0), new SlotWorker(1)];
});

afterAll(async () => {
  for (const w of workers ?? []) await w.slot.remove();
  await port?.stop();
  await rig?.dispose();
  process.off('unhandledRejection', onUnhandled);
});

/** Runs `cases` on both slots, each slot taking the next case when it is free. */
async function onBothSlots<T>(cases: T[], body: (worker: SlotWorker, c: T) => Promise<string[]>): Promise<string[]> {
  const queue = [...cases];
  const problems: string[] = [];
  await Promise.all(
    workers.map(async (worker) => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        // A case that throws (the rig itself failing) is reported with its name; the slot goes on.
        problems.push(...(await body(worker, c).catch((error: unknown) => [`${JSON.stringify(c)}: ${error instanceof Error ? error.message : String(error)}`])));
      }
    }),
  );
  return problems;
}

describe('PIN operations over real pcscd with a fault at every APDU position', () => {
  it('clean runs: APDU count and sequence of each operation', async () => {
    const problems = await onBothSlots(
      KINDS.flatMap((kind) => OPS.map((op) => ({ kind, op }))),
      async (worker, { kind, op }) => {
        const r = await worker.runCase(kind, op, undefined);
        const sequence = r.sent.map((c) => toHex(c.subarray(0, 4), ''));
        const pinAt = r.sent.findIndex(isPinCommand) + 1;
        clean.set(`${kind} ${op}`, { total: r.sent.length, pinAt, sequence });
        const own = r.received === r.sent.length && pinAt > 0 ? [] : [`${kind} ${op}: ${r.sent.length} sent, ${r.received} received, PIN at ${pinAt}`];
        return [...own, ...check(kind, op, undefined, r)];
      },
    );
    for (const w of workers) if (w.slot.inserted) await w.remove();
    const table = [...clean].map(([key, c]) => `${key}: ${c.total} APDUs, PIN command at ${c.pinAt} — ${c.sequence.join(' ')}`);
    console.log(`[measured] clean operations (after identification):\n  ${table.join('\n  ')}`);
    expect(problems).toEqual([]);
    expect(clean.size).toBe(KINDS.length * OPS.length);
  }, 30_000);

  it('card pulled out (drop) and card gone mute (mute) at each position — both slots in parallel', async () => {
    const kinds: InjectionKind[] = ['drop', 'mute'];
    const cases = KINDS.flatMap((kind) => OPS.flatMap((op) => positions(kind, op).flatMap((at) => kinds.map((k) => ({ kind, op, injection: { kind: k, at } })))));
    const started = Date.now();
    const outcomes = new Map<string, number>();
    const problems = await onBothSlots(cases, async (worker, c) => {
      const r = await worker.runCase(c.kind, c.op, c.injection);
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      return check(c.kind, c.op, c.injection, r);
    });
    console.log(`[measured] ${cases.length} drop/mute cases in ${((Date.now() - started) / 1000).toFixed(1)} s; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect(problems).toEqual([]);
  }, 120_000);

  it('pcscd restarted while the k-th command is in flight (the card ran it; its answer is lost)', async () => {
    // Restarts hit both slots, so these cases run one at a time on slot 0.
    for (const w of workers) if (w.slot.inserted) await w.remove();
    const worker = workers[0];
    const cases = KINDS.flatMap((kind) => OPS.flatMap((op) => positions(kind, op).map((at) => ({ kind, op, injection: { kind: 'hold' as const, at } }))));
    const started = Date.now();
    const outcomes = new Map<string, number>();
    const problems: string[] = [];
    for (const c of cases) {
      try {
        const r = await worker.runCase(c.kind, c.op, c.injection);
        outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
        problems.push(...check(c.kind, c.op, c.injection, r));
        if (process.env.PIN_FAULTS_DEBUG) console.log(`${c.kind} ${c.op} ${c.injection.at}: ${r.outcome} ${Date.now() - started} ms`);
      } catch (error) {
        problems.push(`${JSON.stringify(c)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    console.log(`[measured] ${cases.length} pcscd restarts in ${((Date.now() - started) / 1000).toFixed(1)} s; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect(problems).toEqual([]);

    // After all of it: the same process, a fresh connection, and our stack agrees with the card.
    for (const kind of KINDS) {
      const tracked = worker.card(kind);
      await prepare(tracked, 'verify-right');
      await worker.ensureInserted(tracked.wrapper);
      const connection = await connectFresh(worker.reader);
      const transmit = connection.transmit.bind(connection);
      connection.transmit = (command, options) => transmit(command, { timeoutMs: SETUP_TRANSMIT_TIMEOUT_MS, ...options });
      const channel = new CardChannel(connection);
      const cps = new CpsCard(channel, await identifyCard(connection.atr, channel));
      const status = await cps.pinStatus();
      await connection.disconnect();
      expect(status.triesLeft).toBe((await readCountersDirectly(tracked.inner, kind)).pin);
      expect(status.triesLeft).toBe(3);
    }
    expect(unhandled).toEqual([]);
    expect(slotErrors.map(String)).toEqual([]);
  }, 90_000);
});
