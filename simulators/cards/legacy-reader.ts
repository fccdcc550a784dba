/**
 * Faults of the reader rather than the card, for the fallback ladder (issue 6 §2): a
 * decorator over any ReaderPort (the in-process reader or the real PC/SC port over vpcd), so
 * the same scenario runs on both. Composable like card faults (`parseReaderFaultSpecs`):
 * - `fail-pps`          the reader fails the PPS exchange for T=1: connecting with T=1, or
 *                       with ANY to a card whose ATR offers T=1, fails with ProtocolMismatch
 *                       (what pcscd answers when PPS fails); explicit T=0 works.
 * - `lose-response[:N]` the Nth command sent through the reader (default 1) reaches the card
 *                       and runs, but its response is lost on the way back: TransactionError
 *                       (pcscd's SCARD_E_NOT_TRANSACTED after an IFD communication error).
 *                       Once: the next commands go through. vpcd cannot carry such an error,
 *                       which is why this is a reader decorator and not a card fault.
 * - `shared-resets[:N]` another application shares the card and resets it: every shared
 *                       connection sees CardReset at its Nth command (default 2). Exclusive
 *                       connections are left alone (the other application is locked out).
 */
import { defineErrorCatalog } from '../../src-shared/errors';
import type { CardConnection, ConnectOptions, ReaderEvent, ReaderPort, ReaderSnapshot, ResetKind, TransmitOptions } from '../../src-shared/reader-port';
import { READER_PORT_ERRORS } from '../../src-shared/reader-port-errors';
import { offeredProtocols } from './atr-protocols';
import { simulatorErrors } from './simulator-errors';

export type ReaderFaultSpec =
  | { kind: 'fail-pps' }
  | { kind: 'lose-response'; atCommand: number }
  | { kind: 'shared-resets'; atCommand: number };

const readerFaultErrors = defineErrorCatalog({
  ...READER_PORT_ERRORS,
  TransactionError: {
    message: { fr: 'La réponse de la carte s’est perdue en route (erreur de transmission).', en: 'The card’s response was lost (transmission error).' },
    remedy: { fr: 'Réessayez ; si cela se répète, changez de câble ou de port USB.', en: 'Retry; if it keeps happening, change the cable or USB port.' },
  },
});

function invalid(text: string, reason: string): never {
  throw simulatorErrors.create('FaultSpecInvalid', { details: { spec: text, reason } });
}

export function parseReaderFaultSpec(text: string): ReaderFaultSpec {
  const [name, value, extra] = text.trim().toLowerCase().split(':');
  if (extra !== undefined) invalid(text, 'at most one ":" parameter');
  const n = (fallback: number) => {
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1_000_000) invalid(text, 'N must be a whole number ≥ 1');
    return Number(value);
  };
  switch (name) {
    case 'fail-pps':
      if (value !== undefined) invalid(text, 'fail-pps takes no parameter');
      return { kind: 'fail-pps' };
    case 'lose-response':
      return { kind: 'lose-response', atCommand: n(1) };
    case 'shared-resets':
      return { kind: 'shared-resets', atCommand: n(2) };
    default:
      return invalid(text, `unknown reader fault "${name ?? ''}"; known: fail-pps, lose-response[:N], shared-resets[:N]`);
  }
}

export function parseReaderFaultSpecs(texts: string | readonly string[]): ReaderFaultSpec[] {
  const list = typeof texts === 'string' ? [texts] : texts;
  return list.flatMap((t) => t.split(',')).filter((t) => t.trim() !== '').map(parseReaderFaultSpec);
}

/** Wraps `port` in the reader faults (strings parsed with parseReaderFaultSpec). */
export function applyReaderFaults(port: ReaderPort, faults: ReadonlyArray<ReaderFaultSpec | string>): ReaderPort {
  const specs = faults.map((f) => (typeof f === 'string' ? parseReaderFaultSpec(f) : f));
  return new FaultyReaderPort(port, specs);
}

class FaultyReaderPort implements ReaderPort {
  /** Commands sent through this reader so far (lose-response counts them all, across connections). */
  commandsSent = 0;
  readonly lostAt: Set<number>;

  constructor(
    readonly inner: ReaderPort,
    readonly specs: readonly ReaderFaultSpec[],
  ) {
    this.lostAt = new Set(specs.flatMap((s) => (s.kind === 'lose-response' ? [s.atCommand] : [])));
  }

  get kind() {
    return this.inner.kind;
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  readers(): ReaderSnapshot[] {
    return this.inner.readers();
  }
  serviceAvailable(): boolean {
    return this.inner.serviceAvailable();
  }
  onEvent(listener: (event: ReaderEvent) => void): () => void {
    return this.inner.onEvent(listener);
  }

  async connect(reader: string, options: ConnectOptions = {}): Promise<CardConnection> {
    if (this.specs.some((s) => s.kind === 'fail-pps')) {
      const atr = this.inner.readers().find((r) => r.name === reader)?.atr;
      const wantsT1 = options.protocol === 'T1' || ((options.protocol ?? 'any') === 'any' && atr !== undefined && offeredProtocols(atr).includes('T1'));
      if (wantsT1) {
        throw readerFaultErrors.create('ProtocolMismatch', { details: { reader, operation: 'connect', requested: options.protocol ?? 'any', pps: 'failed' } });
      }
    }
    const connection = await this.inner.connect(reader, options);
    const resets = this.specs.find((s): s is Extract<ReaderFaultSpec, { kind: 'shared-resets' }> => s.kind === 'shared-resets');
    return new FaultyConnection(connection, this, connection.share === 'shared' ? resets?.atCommand : undefined);
  }
}

class FaultyConnection implements CardConnection {
  private sent = 0;
  constructor(
    private readonly inner: CardConnection,
    private readonly port: FaultyReaderPort,
    private readonly resetAt: number | undefined,
  ) {}

  get reader() {
    return this.inner.reader;
  }
  get atr() {
    return this.inner.atr;
  }
  get protocol() {
    return this.inner.protocol;
  }
  get share() {
    return this.inner.share;
  }
  get connected() {
    return this.inner.connected;
  }

  async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    this.sent++;
    const n = ++this.port.commandsSent;
    if (this.sent === this.resetAt) {
      await this.inner.reset('warm'); // the other application's reset: our selected file is gone
      throw readerFaultErrors.create('CardReset', { details: { reader: this.reader, operation: 'transmit', by: 'another application' } });
    }
    const response = await this.inner.transmit(command, options);
    if (this.port.lostAt.delete(n)) {
      throw readerFaultErrors.create('TransactionError', { details: { reader: this.reader, operation: 'transmit', lost: 'response' } });
    }
    return response;
  }
  reset(kind: ResetKind): Promise<void> {
    return this.inner.reset(kind);
  }
  control(code: number, data?: Uint8Array): Promise<Uint8Array> {
    return this.inner.control(code, data);
  }
  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }
}
