/**
 * One card session on an already open ReaderPort: pick the reader, connect once, identify the
 * card (ATR, then the card's own answers for a CPS), open its application (CpsCard /
 * VitaleCard / UnknownCard), run the body, disconnect.
 *
 * The desktop app keeps one port open for its whole life (reader events) and runs its sessions
 * here; the CLI's `withCardSession` (src-main/cli/cps-session.ts) runs one here around a port
 * it opens and releases per command.
 */
import { isEcpsError } from '../../src-shared/errors';
import type { CardConnection, ReaderPort, ShareMode, TransportProtocol } from '../../src-shared/reader-port';
import { CardChannel, type ExchangeTraceEntry } from '../card/channel';
import { identifyCard, type CardIdentification } from '../card/identify';
import { openCardApplication, type CardApplication, type CpsCard } from '../card/cps/index';
import { findReader } from './inspect';
import { readerErrors } from './errors';

export interface PortCardSession {
  reader: string;
  atr: Uint8Array;
  protocol: TransportProtocol;
  identification: CardIdentification;
  application: CardApplication;
}

export interface PortCardSessionOptions {
  reader?: string;
  /** `exclusive` for PIN and key commands: no other application slips a command in between. */
  share?: ShareMode;
  onExchange?: (entry: ExchangeTraceEntry) => void;
  /**
   * How long an exclusive connect waits for the card to be free (default 2 s). The app itself
   * looks at every card it sees, shared and briefly (identification on insertion, the readiness
   * check): a user who clicks a few milliseconds after inserting the card must not be told that
   * "another application" holds it when that application is us. A program that really holds
   * the card still gets SharingViolation, with its remedy, once the wait is over.
   */
  exclusiveWaitMs?: number;
}

const EXCLUSIVE_WAIT_MS = 2_000;
const EXCLUSIVE_POLL_MS = 50;

async function connectFor(port: ReaderPort, reader: string, share: ShareMode, waitMs: number): Promise<CardConnection> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await port.connect(reader, { share });
    } catch (error) {
      if (share !== 'exclusive' || !isEcpsError(error, 'SharingViolation') || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, EXCLUSIVE_POLL_MS));
    }
  }
}

export async function withCardOnPort<T>(port: ReaderPort, options: PortCardSessionOptions, body: (session: PortCardSession) => Promise<T>): Promise<T> {
  const reader = findReader(port, options.reader);
  if (!reader.cardPresent) throw readerErrors.create('NoCard', { details: { reader: reader.name } });
  const connection = await connectFor(port, reader.name, options.share ?? 'shared', options.exclusiveWaitMs ?? EXCLUSIVE_WAIT_MS);
  try {
    const channel = new CardChannel(connection, options.onExchange ? { onExchange: options.onExchange } : {});
    const identification = await identifyCard(connection.atr, channel);
    const application = openCardApplication(identification, channel);
    return await body({ reader: reader.name, atr: connection.atr, protocol: connection.protocol, identification, application });
  } finally {
    await connection.disconnect().catch(() => undefined);
  }
}

/** The CPS in the session, or the card's own outcome (VitaleInCpsSlot, NotACps) thrown. */
export function requireCpsApplication(application: CardApplication): CpsCard {
  if (application.kind === 'cps') return application;
  throw application.outcome();
}
