/**
 * Card faults of legacy cards and readers, for the fallback ladder (issue 6 §2). Registered
 * in faults.ts, so they compose with the others (`--fault t0-only,slow:2000`):
 * - `t0-only`          the ATR offers T=0 only (TD bytes dropped): asking for T=1 fails
 *                      with ProtocolMismatch, on pcscd (measured) and in the in-process reader.
 * - `needs-cold-reset` the card wedges at its first command: from then on it answers 6F00
 *                      ("no precise diagnosis") to everything; a warm reset does not clear
 *                      it, only powering it down does (one-shot: it works afterwards). A real
 *                      wedged card is mute and the reader's driver gives up with a
 *                      transmission error; a mute virtual card would block pcscd until it
 *                      is pulled out (pcsc-mini-on-linux.md), hence 6F00.
 * - `no-case4`         a case-4 command (data in and Le) is refused with 6700; the same as
 *                      case 3 works, its data coming back through 61xx + GET RESPONSE — what
 *                      the Cryptolib's "case4as3" masquerade is for.
 * - `max-read:N`       READ BINARY asking for more than N bytes (Le > N) gets 6700, as a
 *                      reader with a small buffer gives (Cryptolib reads 0xE7 at most).
 * - `no-extended`      an extended-length APDU gets 6700 (Kapelse CCID readers: 271-byte
 *                      messages, no extended APDUs — domain.md §5).
 * These are card-level: they ride through vpcd as well as the in-process reader. Faults of
 * the reader itself (failed PPS, lost responses, another application) are in legacy-reader.ts.
 */
import { parseCommandApdu, responseBytes, SW } from './apdu';
import { offeredProtocols } from './atr-protocols';
import type { CardReply, VirtualCard } from './virtual-card';

export type LegacyFaultSpec =
  | { kind: 't0-only' }
  | { kind: 'needs-cold-reset' }
  | { kind: 'no-case4' }
  | { kind: 'max-read'; maxLe: number }
  | { kind: 'no-extended' };

export const LEGACY_FAULT_KINDS = ['t0-only', 'needs-cold-reset', 'no-case4', 'max-read', 'no-extended'] as const;

const WRONG_LENGTH = () => responseBytes(undefined, SW.WRONG_LENGTH);
const NO_DIAGNOSIS = 0x6f00;

export function formatLegacyFault(spec: LegacyFaultSpec): string {
  return spec.kind === 'max-read' ? `max-read:${spec.maxLe}` : spec.kind;
}

/** Delegates everything; subclasses change what they need. */
class LegacyCard implements VirtualCard {
  readonly label: string;
  constructor(
    protected readonly inner: VirtualCard,
    spec: LegacyFaultSpec,
  ) {
    this.label = `${inner.label} [${formatLegacyFault(spec)}]`;
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
    return this.inner.transmit(command);
  }
}

/**
 * The same ATR with only T=0 offered: unchanged when it already is (CPS3: TD1 = 40), else
 * every TDi naming T=1 names T=0 instead (ISO 7816-3 §8.2.3). The length stays, so the ATR
 * knowledge base may still recognise the card; the TCK is kept (pcscd does not check it).
 */
export function t0OnlyAtr(atr: Uint8Array): Uint8Array {
  const out = atr.slice();
  if (out.length < 2 || offeredProtocols(out).every((p) => p === 'T0')) return out;
  let indicator = out[1]! >> 4;
  let index = 2;
  for (;;) {
    index += (indicator & 1) + ((indicator >> 1) & 1) + ((indicator >> 2) & 1);
    if (!(indicator & 8) || index >= out.length) break;
    if ((out[index]! & 0x0f) === 1) out[index] = out[index]! & 0xf0;
    indicator = out[index++]! >> 4;
  }
  return out;
}

class T0OnlyCard extends LegacyCard {
  override atr(): Uint8Array {
    return t0OnlyAtr(this.inner.atr());
  }
}

class NeedsColdResetCard extends LegacyCard {
  private wedged = false;
  private everUsed = false;
  override powerOff(): void {
    this.wedged = false;
    super.powerOff();
  }
  // reset() (warm) deliberately keeps `wedged`.
  override transmit(command: Uint8Array): CardReply | Promise<CardReply> {
    if (!this.everUsed) {
      this.everUsed = true;
      this.wedged = true;
    }
    return this.wedged ? responseBytes(undefined, NO_DIAGNOSIS) : this.inner.transmit(command);
  }
}

class NoCase4Card extends LegacyCard {
  override transmit(command: Uint8Array): CardReply | Promise<CardReply> {
    return parseCommandApdu(command)?.case === 4 ? WRONG_LENGTH() : this.inner.transmit(command);
  }
}

class MaxReadCard extends LegacyCard {
  constructor(inner: VirtualCard, private readonly maxLe: number) {
    super(inner, { kind: 'max-read', maxLe });
  }
  override transmit(command: Uint8Array): CardReply | Promise<CardReply> {
    const parsed = parseCommandApdu(command);
    const isRead = parsed !== undefined && (parsed.ins === 0xb0 || parsed.ins === 0xb1);
    return isRead && parsed.ne > this.maxLe ? WRONG_LENGTH() : this.inner.transmit(command);
  }
}

class NoExtendedCard extends LegacyCard {
  override transmit(command: Uint8Array): CardReply | Promise<CardReply> {
    return parseCommandApdu(command)?.extended ? WRONG_LENGTH() : this.inner.transmit(command);
  }
}

export function applyLegacyFault(card: VirtualCard, spec: LegacyFaultSpec): VirtualCard {
  switch (spec.kind) {
    case 't0-only':
      return new T0OnlyCard(card, spec);
    case 'needs-cold-reset':
      return new NeedsColdResetCard(card, spec);
    case 'no-case4':
      return new NoCase4Card(card, spec);
    case 'max-read':
      return new MaxReadCard(card, spec.maxLe);
    case 'no-extended':
      return new NoExtendedCard(card, spec);
  }
}
