/**
 * Helpers for the PIN fault-injection test over real pcscd (test/integration/pin-fault-injection.test.ts).
 *
 * - `FaultInjectingCard` wraps a virtual card and, once armed, injects one fault at the k-th
 *   command it receives (counted from `arm()`, so power-on/reset traffic from pcscd does not
 *   shift positions): the card pulled out (`drop`), the card gone mute from then on (`mute`),
 *   or the answer held while the caller restarts pcscd (`hold`: the card RUNS the command, so
 *   a PIN command at that position really is checked, and its answer is lost with the
 *   service — the most ambiguous failure there is). It records every command that reached
 *   the card inside, so the test counts PIN commands on the card's side of the wire.
 * - `readCountersDirectly` reads the card's real counters from the virtual card object with
 *   raw APDUs (GET DATA on a CPS3, empty VERIFY on a CPS4): none of our card code involved.
 */
import type { CardReply, VirtualCard } from '../../simulators/cards/virtual-card';

export type InjectionKind = 'drop' | 'mute' | 'hold';

export interface Injection {
  kind: InjectionKind;
  /** 1-based position among the commands received since `arm()`. */
  at: number;
}

/** VERIFY with data, CHANGE REFERENCE DATA, RESET RETRY COUNTER: the commands that can spend a try. */
export function isPinCommand(command: Uint8Array): boolean {
  const ins = command[1];
  if (ins === 0x24 || ins === 0x2c) return true;
  return ins === 0x20 && command.length > 5; // an empty VERIFY (4 bytes, or 5 with Le) only reads the counter
}

export class FaultInjectingCard implements VirtualCard {
  readonly label: string;
  /** Commands received since `arm()` (whether they reached the card or not). */
  received = 0;
  /** Commands that reached the card inside since `arm()`. */
  readonly reached: Uint8Array[] = [];
  private armed = false;
  private injection: Injection | undefined;
  private muted = false;
  /** Settles when the held answer has been released (hold injections). */
  released: Promise<void> | undefined;
  /** What `whileHeld` threw, if it did (the answer is released all the same). */
  heldError: unknown;

  constructor(
    readonly inner: VirtualCard,
    /** Run while a `hold` answer is held (e.g. restart pcscd); the answer is released after. */
    private readonly whileHeld: () => Promise<void> = async () => {},
  ) {
    this.label = `${inner.label} [fault injection]`;
  }

  /** Starts counting (and injecting, if `injection` is given) from the next command. */
  arm(injection?: Injection): void {
    this.armed = true;
    this.injection = injection;
    this.received = 0;
    this.reached.length = 0;
    this.muted = false;
    this.released = undefined;
    this.heldError = undefined;
  }

  /** Back to a sound card (nothing counted). */
  disarm(): void {
    this.armed = false;
    this.injection = undefined;
    this.muted = false;
  }

  get pinCommandsReached(): number {
    return this.reached.filter(isPinCommand).length;
  }

  atr(): Uint8Array {
    return this.inner.atr();
  }
  powerOn(): void {
    this.inner.powerOn();
  }
  powerOff(): void {
    this.inner.powerOff();
  }
  reset(): void {
    this.inner.reset();
  }

  transmit(command: Uint8Array): CardReply | Promise<CardReply> {
    if (!this.armed) return this.inner.transmit(command);
    this.received++;
    if (this.muted) return { fault: 'mute' };
    const injection = this.injection;
    if (injection && this.received === injection.at) {
      if (injection.kind === 'drop') return { fault: 'drop' };
      if (injection.kind === 'mute') {
        this.muted = true;
        return { fault: 'mute' };
      }
      // hold: the card runs the command; its answer waits until `whileHeld` is done.
      this.reached.push(command.slice());
      const reply = this.inner.transmit(command);
      let release!: () => void;
      this.released = new Promise((resolve) => (release = resolve));
      return (async () => {
        try {
          await this.whileHeld();
        } catch (error) {
          this.heldError = error;
        } finally {
          release();
        }
        return reply;
      })();
    }
    this.reached.push(command.slice());
    return this.inner.transmit(command);
  }
}

export interface DirectCounters {
  pin: number;
  puk: number;
  /** CPS3 only (GET DATA tag 9D). */
  pukUses?: number;
}

function hex(bytes: string): Uint8Array {
  return Uint8Array.from(bytes.replace(/\s+/g, '').match(/../g)!, (b) => parseInt(b, 16));
}

async function send(card: VirtualCard, command: Uint8Array): Promise<Uint8Array> {
  let reply = await card.transmit(command);
  if (!(reply instanceof Uint8Array)) throw new Error(`the virtual card answered ${JSON.stringify(reply)} to a direct read`);
  const data: number[] = [];
  // T=0: fetch announced data with GET RESPONSE.
  while (reply.length === 2 && reply[0] === 0x61) {
    const next: CardReply = await card.transmit(Uint8Array.of(command[0]! & 0x03, 0xc0, 0x00, 0x00, reply[1]!));
    if (!(next instanceof Uint8Array)) throw new Error('the virtual card did not answer GET RESPONSE');
    data.push(...next.subarray(0, next.length - 2));
    reply = next.subarray(next.length - 2);
  }
  if (reply.length > 2) data.push(...reply.subarray(0, reply.length - 2));
  return Uint8Array.from([...data, reply[reply.length - 2]!, reply[reply.length - 1]!]);
}

const sw = (r: Uint8Array) => (r[r.length - 2]! << 8) | r[r.length - 1]!;

/** Value of a one-tag-byte, short-length TLV found anywhere in `bytes` (enough for a DOCP). */
function findTag(bytes: Uint8Array, tag: number): number | undefined {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === tag && bytes[i + 1]! >= 1 && bytes[i + 1]! <= 2 && i + 2 + bytes[i + 1]! <= bytes.length - 2) {
      return bytes[i + 1] === 1 ? bytes[i + 2] : (bytes[i + 2]! << 8) | bytes[i + 3]!;
    }
  }
  return undefined;
}

/**
 * The card's own counters, read with raw APDUs on the virtual card object after a reset (the
 * card must not be in a reader meanwhile). A reset clears only volatile state; counters are
 * non-volatile, as on a real card.
 */
export async function readCountersDirectly(card: VirtualCard, kind: 'cps3' | 'cps4'): Promise<DirectCounters> {
  card.reset();
  try {
    if (kind === 'cps3') {
      const mf = await send(card, hex('00 A4 00 0C 02 3F 00'));
      if (sw(mf) !== 0x9000) throw new Error(`SELECT MF: ${sw(mf).toString(16)}`);
      const read = async (ref: number) => {
        const r = await send(card, Uint8Array.of(0x00, 0xcb, 0x3f, 0xff, 0x0a, 0x4d, 0x08, 0x70, 0x06, 0xbf, 0x81, ref, 0x02, 0xa0, 0x80, 0x00));
        if (sw(r) !== 0x9000) throw new Error(`GET DATA ${ref}: ${sw(r).toString(16)}`);
        return r;
      };
      const pin = await read(1);
      const puk = await read(2);
      const pukUses = findTag(puk, 0x9d);
      return { pin: findTag(pin, 0x9b)!, puk: findTag(puk, 0x9b)!, ...(pukUses !== undefined ? { pukUses } : {}) };
    }
    const chipDoc = await send(card, hex('00 A4 04 0C 08 80 25 00 00 01 FF 01 00'));
    if (sw(chipDoc) !== 0x9000) throw new Error(`SELECT ChipDoc: ${sw(chipDoc).toString(16)}`);
    const counter = async (ref: number) => {
      const s = sw(await send(card, Uint8Array.of(0x00, 0x20, 0x00, ref)));
      if (s === 0x6983) return 0;
      if ((s & 0xfff0) === 0x63c0) return s & 0x0f;
      throw new Error(`empty VERIFY ${ref}: ${s.toString(16)}`);
    };
    return { pin: await counter(1), puk: await counter(2) };
  } finally {
    card.reset(); // leave no selection or verified state behind
  }
}

/** ASCII digits padded with FF to 8 bytes: the CPS PIN/PUK block (domain.md §3). */
function block(code: string): number[] {
  const bytes = new Array<number>(8).fill(0xff);
  for (let i = 0; i < code.length; i++) bytes[i] = code.charCodeAt(i);
  return bytes;
}

/**
 * Sends one raw PIN command to the virtual card object (after a reset; CPS4: on the basic
 * channel with ChipDoc selected, which the card accepts as well). Returns the status word.
 */
export async function sendPinCommandDirectly(
  card: VirtualCard,
  kind: 'cps3' | 'cps4',
  ins: 0x20 | 0x24 | 0x2c,
  codes: string[],
  reference = 0x01,
): Promise<number> {
  card.reset();
  try {
    if (kind === 'cps4') {
      const chipDoc = await send(card, hex('00 A4 04 0C 08 80 25 00 00 01 FF 01 00'));
      if (sw(chipDoc) !== 0x9000) throw new Error(`SELECT ChipDoc: ${sw(chipDoc).toString(16)}`);
    }
    const data = codes.flatMap(block);
    return sw(await send(card, Uint8Array.from([0x00, ins, 0x00, reference, data.length, ...data])));
  } finally {
    card.reset();
  }
}
