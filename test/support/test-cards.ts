/**
 * Tiny virtual cards for the PC/SC port tests (the real simulated CPS/Vitale cards live in
 * simulators/cards). One configurable card covers every case:
 *   - any command            → 90 00
 *   - `00 EE 00 00 Lc data`  → data + 90 00 (echo)
 *   - `80 B0 hi lo`          → (hi << 8 | lo) bytes 00 01 02 … + 90 00 (long READ BINARY)
 *   - INS = `muteOn`         → never answers (a hung card)
 *   - INS = `dropOn`         → the card is pulled out mid-command
 * Every command received is recorded in `commands`, in order.
 */
import type { CardReply, VirtualCard } from '../../simulators/cards/virtual-card';

/** T=0 only (TD1 = 40: TC2 follows, protocol 0); from the measurement notes. */
export const ATR_T0 = Uint8Array.from([
  0x3b, 0xac, 0x00, 0x40, 0x2a, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90, 0x00,
]);

/** T=0 and T=1 (TD1 = 80: T=0, TD2 = 01: T=1), historical bytes "ECPS-T1", with TCK. */
export const ATR_T0_T1 = withTck([0x3b, 0x87, 0x80, 0x01, 0x45, 0x43, 0x50, 0x53, 0x2d, 0x54, 0x31]);

function withTck(bytes: number[]): Uint8Array {
  let tck = 0;
  for (const b of bytes.slice(1)) tck ^= b;
  return Uint8Array.from([...bytes, tck]);
}

export const SW_OK = Uint8Array.of(0x90, 0x00);
export const INS_ECHO = 0xee;
export const INS_LONG_READ = 0xb0;

export interface TestCardOptions {
  label?: string;
  atr?: Uint8Array;
  /** Commands with this INS never get an answer. */
  muteOn?: number;
  /** Commands with this INS make the card leave the reader mid-command. */
  dropOn?: number;
  /** Answer after this many ms (makes concurrent callers overlap for real). */
  delayMs?: number;
}

export class TestCard implements VirtualCard {
  readonly label: string;
  readonly commands: Uint8Array[] = [];
  powerOns = 0;
  resets = 0;
  private readonly options: TestCardOptions;

  constructor(options: TestCardOptions = {}) {
    this.options = options;
    this.label = options.label ?? 'carte de test';
  }

  atr(): Uint8Array {
    return (this.options.atr ?? ATR_T0).slice();
  }

  powerOn(): void {
    this.powerOns++;
  }

  powerOff(): void {}

  reset(): void {
    this.resets++;
  }

  async transmit(command: Uint8Array): Promise<CardReply> {
    this.commands.push(command.slice());
    const ins = command[1];
    if (ins === this.options.muteOn) return { fault: 'mute' };
    if (ins === this.options.dropOn) return { fault: 'drop' };
    if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    if (command[0] === 0x80 && ins === INS_LONG_READ) {
      const length = ((command[2] ?? 0) << 8) | (command[3] ?? 0);
      const out = new Uint8Array(length + 2);
      for (let i = 0; i < length; i++) out[i] = i & 0xff;
      out.set(SW_OK, length);
      return out;
    }
    if (ins === INS_ECHO && command.length > 5) {
      const lc = command[4] ?? 0;
      const data = command.subarray(5, 5 + lc);
      const out = new Uint8Array(data.length + 2);
      out.set(data);
      out.set(SW_OK, data.length);
      return out;
    }
    return SW_OK.slice();
  }
}

/** `80 B0 hi lo`: asks the test card for `length` bytes. */
export function longRead(length: number): Uint8Array {
  return Uint8Array.of(0x80, INS_LONG_READ, (length >> 8) & 0xff, length & 0xff);
}

/** `00 EE 00 00 Lc data`: the test card echoes `data`. */
export function echo(data: Uint8Array): Uint8Array {
  return Uint8Array.from([0x00, INS_ECHO, 0x00, 0x00, data.length, ...data]);
}
