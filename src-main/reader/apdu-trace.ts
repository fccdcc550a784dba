/**
 * APDU trace: what went to the card and what came back, for technicians (architecture.md
 * §1: "APDU trace (PIN redacted)"). Plugged into `CardChannel`'s `onExchange`.
 *
 * Redaction (architecture.md §4), belt and braces: the command data of VERIFY (20), CHANGE
 * REFERENCE DATA (24) and RESET RETRY COUNTER (2C) — and VERIFY's odd form 21 — with any CLA, chained or not — and of
 * any command flagged `sensitive` is replaced by `** redacted (n bytes) **`; CLA INS P1 P2
 * Lc (and Le) stay. The recorder copies and redacts synchronously, inside `onExchange`, so it
 * never keeps a reference to a buffer that held a PIN. Bounded: the oldest entries go first.
 */
import { toHex } from '../../src-shared/hex';
import type { ExchangeTraceEntry } from '../card/channel';

export interface ApduTraceEntry {
  /** ISO 8601 time of the answer. */
  at: string;
  /** `00 20 00 01 08 ** redacted (8 bytes) **` */
  command: string;
  /** Response data and status word, hex. */
  response: string;
  /** `9000`, `63C2`… */
  sw: string;
  ms: number;
  redacted: boolean;
}

/** INS of the commands whose data is a PIN, PUK or new reference data (ISO 7816-4 §11.5). */
export const PIN_CARRYING_INS: ReadonlySet<number> = new Set([0x20, 0x21, 0x24, 0x2c]);

export interface ApduTraceOptions {
  /** Entries kept (oldest dropped first). Default 500. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

export class ApduTrace {
  private readonly entries: ApduTraceEntry[] = [];
  private dropped = 0;
  private readonly maxEntries: number;

  constructor(private readonly options: ApduTraceOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 500);
  }

  /** Pass as `new CardChannel(connection, { onExchange: trace.record })`. */
  readonly record = (exchange: ExchangeTraceEntry): void => {
    const redacted = exchange.sensitive || PIN_CARRYING_INS.has(exchange.command[1] ?? -1);
    const response = exchange.response;
    const sw = exchange.error ?? (response.length >= 2 ? toHex(response.subarray(response.length - 2), '') : '');
    this.entries.push({
      at: (this.options.now?.() ?? new Date()).toISOString(),
      command: redacted ? redactCommand(exchange.command) : toHex(exchange.command),
      response: toHex(response),
      sw,
      ms: Math.round(exchange.ms * 100) / 100,
      redacted,
    });
    if (this.entries.length > this.maxEntries) {
      this.entries.splice(0, this.entries.length - this.maxEntries);
      this.dropped++;
    }
  };

  list(): readonly ApduTraceEntry[] {
    return this.entries.slice();
  }

  /** How many entries the bound pushed out. */
  get droppedCount(): number {
    return this.dropped;
  }

  clear(): void {
    this.entries.length = 0;
    this.dropped = 0;
  }

  /** One line per exchange: `time  ms  > command  < response`. */
  toText(): string {
    const head = this.dropped > 0 ? [`… ${this.dropped} earlier exchange(s) dropped`] : [];
    return [...head, ...this.entries.map((e) => `${e.at} ${e.ms.toFixed(1).padStart(7)} ms  > ${e.command}\n${' '.repeat(36)}< ${e.response}`)].join('\n');
  }

  toJSON(): { entries: ApduTraceEntry[]; dropped: number } {
    return { entries: this.entries.slice(), dropped: this.dropped };
  }
}

/**
 * Header and length bytes kept, data replaced. Short APDUs: `CLA INS P1 P2 Lc data [Le]`;
 * extended: `CLA INS P1 P2 00 Lc1 Lc2 data [Le1 Le2]`. A command whose length matches no case
 * loses everything after its header.
 */
export function redactCommand(command: Uint8Array): string {
  const header = toHex(command.subarray(0, 4));
  const body = command.subarray(4);
  if (body.length <= 1) return toHex(command); // case 1 or 2: no data
  let lcBytes = 1;
  let lc = body[0]!;
  if (lc === 0 && body.length >= 3) {
    lcBytes = 3;
    lc = (body[1]! << 8) | body[2]!;
  }
  const rest = body.length - lcBytes - lc;
  const maxLeBytes = lcBytes === 1 ? 1 : 2;
  if (lc === 0 || rest < 0 || rest > maxLeBytes) return `${header} ** redacted (${body.length} bytes) **`;
  const le = rest > 0 ? ` ${toHex(body.subarray(body.length - rest))}` : '';
  return `${header} ${toHex(body.subarray(0, lcBytes))} ** redacted (${lc} bytes) **${le}`;
}
