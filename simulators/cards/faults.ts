/**
 * Faults a virtual card can be given, as wrappers around any VirtualCard, so every layer above
 * can be tested against the failures seen in pharmacies (domain.md §1, research §5: mute
 * cards, cards pulled mid-operation, slow readers, T=0 quirks).
 *
 * Named for the CLI (`ecps simulate --fault mute:3 --fault slow:200`):
 * - `mute[:N]`        answers N commands (default 0), then never again. Any reset or power-on
 *                     revives it and restarts the count, as power-cycling a hung card does.
 * - `slow:MS`         every answer comes MS milliseconds late.
 * - `drop:N`          the card is pulled out during its Nth command (counted from power-on).
 * - `wrong-le`        a case-2 command whose Le asks for more than the card has is answered
 *                     `6C xx` (xx = what it has) instead of the shorter data: the T=0 way of
 *                     saying "repeat with Le = xx" (domain.md §3). The command has run once
 *                     already, which is harmless for READ BINARY and GET RESPONSE.
 * - `no-get-response` a card without GET RESPONSE: it returns all response data directly,
 *                     even in T=0 (as a reader that fetches `61xx` data itself would), and
 *                     answers `00 C0` with 6D00. Data is never announced with 61xx, so nothing
 *                     becomes unreachable; a host that insists on GET RESPONSE gets 6D00.
 * Legacy-reader faults for the fallback ladder (`t0-only`, `needs-cold-reset`, `no-case4`,
 * `max-read:N`, `no-extended`) are described in legacy-faults.ts.
 * Several faults stack; the first listed is the innermost (closest to the card).
 */
import type { LocalizedText } from '../../src-shared/errors';
import { concatBytes } from '../../src-shared/hex';
import { buildCommandApdu, parseCommandApdu, splitResponse, SW, responseBytes } from './apdu';
import { simulatorErrors } from './simulator-errors';
import { isFault, type CardReply, type VirtualCard } from './virtual-card';
import { applyLegacyFault, formatLegacyFault, type LegacyFaultSpec } from './legacy-faults';

export type FaultSpec =
  | { kind: 'mute'; afterCommands: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop'; atCommand: number }
  | { kind: 'wrong-le' }
  | { kind: 'no-get-response' }
  | LegacyFaultSpec;

export type FaultKind = FaultSpec['kind'];

export const FAULT_DESCRIPTIONS: Readonly<Record<FaultKind, { usage: string; text: LocalizedText }>> = {
  mute: {
    usage: 'mute[:N]',
    text: { fr: 'ne répond plus après N commandes (0 par défaut)', en: 'stops answering after N commands (default 0)' },
  },
  slow: { usage: 'slow:MS', text: { fr: 'répond avec MS ms de retard', en: 'answers MS ms late' } },
  drop: { usage: 'drop:N', text: { fr: 'est retirée pendant la Nᵉ commande', en: 'is pulled out during the Nth command' } },
  'wrong-le': {
    usage: 'wrong-le',
    text: { fr: 'répond 6Cxx quand Le est trop grand', en: 'answers 6Cxx when Le is too large' },
  },
  'no-get-response': {
    usage: 'no-get-response',
    text: {
      fr: 'renvoie les données directement et refuse GET RESPONSE (6D00)',
      en: 'returns data directly and refuses GET RESPONSE (6D00)',
    },
  },
  't0-only': {
    usage: 't0-only',
    text: { fr: 'ATR limité à T=0 : une demande de T=1 échoue', en: 'ATR offers T=0 only: asking for T=1 fails' },
  },
  'needs-cold-reset': {
    usage: 'needs-cold-reset',
    text: {
      fr: 'se bloque (6F00) ; seule une remise sous tension la débloque, pas un reset à chaud',
      en: 'wedges (6F00); only a power cycle clears it, not a warm reset',
    },
  },
  'no-case4': {
    usage: 'no-case4',
    text: { fr: 'refuse les commandes de cas 4 (6700), accepte le cas 3 + GET RESPONSE', en: 'refuses case-4 commands (6700), accepts case 3 + GET RESPONSE' },
  },
  'max-read': {
    usage: 'max-read:N',
    text: { fr: 'refuse READ BINARY au-delà de N octets (6700)', en: 'refuses READ BINARY above N bytes (6700)' },
  },
  'no-extended': {
    usage: 'no-extended',
    text: { fr: 'refuse les APDU étendues (6700)', en: 'refuses extended APDUs (6700)' },
  },
};

function invalid(text: string, reason: string): never {
  throw simulatorErrors.create('FaultSpecInvalid', { details: { spec: text, reason } });
}

function count(text: string, value: string | undefined, what: string, min: number): number {
  if (value === undefined || !/^\d+$/.test(value)) invalid(text, `${what} must be a whole number`);
  const n = Number(value);
  if (n < min || n > 86_400_000) invalid(text, `${what} must be between ${min} and 86400000`);
  return n;
}

/** Parses one fault (`mute`, `mute:3`, `slow:200`, `drop:3`, `wrong-le`, `no-get-response`). */
export function parseFaultSpec(text: string): FaultSpec {
  const trimmed = text.trim().toLowerCase();
  const [name, value, extra] = trimmed.split(':');
  if (extra !== undefined) invalid(text, 'at most one ":" parameter');
  switch (name) {
    case 'mute':
      return { kind: 'mute', afterCommands: value === undefined ? 0 : count(text, value, 'N', 0) };
    case 'slow':
      return { kind: 'slow', delayMs: count(text, value, 'MS', 1) };
    case 'drop':
      return { kind: 'drop', atCommand: count(text, value, 'N', 1) };
    case 'wrong-le':
    case 'no-get-response':
    case 't0-only':
    case 'needs-cold-reset':
    case 'no-case4':
    case 'no-extended':
      if (value !== undefined) invalid(text, `${name} takes no parameter`);
      return { kind: name };
    case 'max-read':
      return { kind: 'max-read', maxLe: count(text, value, 'N', 1) };
    default:
      return invalid(text, `unknown fault "${name ?? ''}"; known: ${Object.keys(FAULT_DESCRIPTIONS).join(', ')}`);
  }
}

/** Parses a list, each entry possibly comma-separated (`--fault slow:50,drop:4`). */
export function parseFaultSpecs(texts: string | readonly string[]): FaultSpec[] {
  const list = typeof texts === 'string' ? [texts] : texts;
  return list.flatMap((t) => t.split(',')).filter((t) => t.trim() !== '').map(parseFaultSpec);
}

export function formatFaultSpec(spec: FaultSpec): string {
  switch (spec.kind) {
    case 'mute':
      return spec.afterCommands === 0 ? 'mute' : `mute:${spec.afterCommands}`;
    case 'slow':
      return `slow:${spec.delayMs}`;
    case 'drop':
      return `drop:${spec.atCommand}`;
    case 'max-read':
      return formatLegacyFault(spec);
    default:
      return spec.kind;
  }
}

/** Delegates everything to the card inside; subclasses change `transmit`. */
abstract class FaultyCard implements VirtualCard {
  readonly label: string;
  protected commandsSincePowerOn = 0;

  constructor(
    protected readonly inner: VirtualCard,
    spec: FaultSpec,
  ) {
    this.label = `${inner.label} [${formatFaultSpec(spec)}]`;
  }

  atr(): Uint8Array {
    return this.inner.atr();
  }
  powerOn(): void {
    this.commandsSincePowerOn = 0;
    this.inner.powerOn();
  }
  powerOff(): void {
    this.inner.powerOff();
  }
  reset(): void {
    this.commandsSincePowerOn = 0;
    this.inner.reset();
  }
  transmit(command: Uint8Array): CardReply | Promise<CardReply> {
    this.commandsSincePowerOn++;
    return this.faultyTransmit(command);
  }
  protected abstract faultyTransmit(command: Uint8Array): CardReply | Promise<CardReply>;
}

class MuteCard extends FaultyCard {
  constructor(inner: VirtualCard, private readonly spec: { afterCommands: number }) {
    super(inner, { kind: 'mute', ...spec });
  }
  protected faultyTransmit(command: Uint8Array): CardReply | Promise<CardReply> {
    return this.commandsSincePowerOn > this.spec.afterCommands ? { fault: 'mute' } : this.inner.transmit(command);
  }
}

class SlowCard extends FaultyCard {
  constructor(inner: VirtualCard, private readonly delayMs: number) {
    super(inner, { kind: 'slow', delayMs });
  }
  protected async faultyTransmit(command: Uint8Array): Promise<CardReply> {
    const reply = await this.inner.transmit(command);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return reply;
  }
}

class DroppingCard extends FaultyCard {
  constructor(inner: VirtualCard, private readonly atCommand: number) {
    super(inner, { kind: 'drop', atCommand });
  }
  protected faultyTransmit(command: Uint8Array): CardReply | Promise<CardReply> {
    return this.commandsSincePowerOn === this.atCommand ? { fault: 'drop' } : this.inner.transmit(command);
  }
}

class WrongLeCard extends FaultyCard {
  constructor(inner: VirtualCard) {
    super(inner, { kind: 'wrong-le' });
  }
  protected async faultyTransmit(command: Uint8Array): Promise<CardReply> {
    const reply = await this.inner.transmit(command);
    const parsed = parseCommandApdu(command);
    if (isFault(reply) || !parsed || parsed.case !== 2 || reply.length < 2) return reply;
    const { data } = splitResponse(reply);
    if (data.length > 0 && data.length < parsed.ne && data.length < 256) return Uint8Array.of(0x6c, data.length);
    return reply;
  }
}

/** The GET RESPONSE CLA on the same logical channel, without chaining or secure messaging bits. */
function sameChannelClass(cla: number): number {
  if (cla <= 0x1f) return cla & 0x03;
  if (cla >= 0x40 && cla <= 0x7f) return cla & 0x4f;
  return 0x00;
}

class NoGetResponseCard extends FaultyCard {
  constructor(inner: VirtualCard) {
    super(inner, { kind: 'no-get-response' });
  }
  protected async faultyTransmit(command: Uint8Array): Promise<CardReply> {
    if (command.length >= 4 && command[1] === 0xc0) return responseBytes(undefined, SW.INS_NOT_SUPPORTED);
    let reply = await this.inner.transmit(command);
    const chunks: Uint8Array[] = [];
    // Fetch announced data ourselves (bounded: 256 × 256 bytes is more than any card holds).
    for (let guard = 0; guard < 256; guard++) {
      if (isFault(reply) || reply.length < 2 || reply[reply.length - 2] !== 0x61) break;
      const { data } = splitResponse(reply);
      chunks.push(data);
      const le = reply[reply.length - 1] === 0 ? 256 : reply[reply.length - 1]!;
      const header = { cla: sameChannelClass(command[0]!), ins: 0xc0, p1: 0, p2: 0 };
      reply = await this.inner.transmit(buildCommandApdu(header, { le }));
    }
    if (isFault(reply) || chunks.length === 0) return reply;
    const last = splitResponse(reply);
    return responseBytes(concatBytes(...chunks, last.data), last.sw);
  }
}

export function applyFault(card: VirtualCard, spec: FaultSpec): VirtualCard {
  switch (spec.kind) {
    case 'mute':
      return new MuteCard(card, spec);
    case 'slow':
      return new SlowCard(card, spec.delayMs);
    case 'drop':
      return new DroppingCard(card, spec.atCommand);
    case 'wrong-le':
      return new WrongLeCard(card);
    case 'no-get-response':
      return new NoGetResponseCard(card);
    default:
      return applyLegacyFault(card, spec);
  }
}

/** Wraps `card` in each fault, first listed innermost. Strings are parsed with parseFaultSpec. */
export function applyFaults(card: VirtualCard, faults: ReadonlyArray<FaultSpec | string>): VirtualCard {
  return faults.reduce<VirtualCard>(
    (inner, f) => applyFault(inner, typeof f === 'string' ? parseFaultSpec(f) : f),
    card,
  );
}
