/**
 * One look at the card for `card`, `pin` and `auth-test`: open the port (PC/SC or demo), pick
 * the reader, connect once, identify the card (ATR, then the card's own answers for a CPS),
 * open its application (CpsCard / VitaleCard / UnknownCard), run the command, disconnect.
 * Every exchange goes to the command's APDU trace when `--trace` asked for one (the trace
 * redacts PIN-carrying commands itself).
 */
import type { ReaderPort, ShareMode } from '../../src-shared/reader-port';
import { CardChannel } from '../card/channel';
import { identifyCard, type CardIdentification } from '../card/identify';
import { openCardApplication, type CardApplication, type CpsCard } from '../card/cps/index';
import { openPcscOrFail } from '../reader/open-port';
import { findReader } from '../reader/inspect';
import { readerErrors } from '../reader/errors';
import type { CliContext } from './context';

export interface CardSession {
  port: ReaderPort;
  demo: boolean;
  reader: string;
  atr: Uint8Array;
  protocol: string;
  identification: CardIdentification;
  application: CardApplication;
}

export interface CardSessionOptions {
  reader?: string;
  /** `exclusive` for PIN and key commands: no other application slips a command in between. */
  share?: ShareMode;
}

export async function withCardSession<T>(
  ctx: CliContext,
  options: CardSessionOptions,
  body: (session: CardSession) => Promise<T>,
): Promise<T> {
  const { port, demo } = await openPcscOrFail({ demo: ctx.demo, transmitTimeoutMs: ctx.timeoutMs });
  try {
    const reader = findReader(port, options.reader);
    if (!reader.cardPresent) throw readerErrors.create('NoCard', { details: { reader: reader.name } });
    const connection = await port.connect(reader.name, { share: options.share ?? 'shared' });
    try {
      const onExchange = ctx.trace?.record;
      const channelOptions = onExchange ? { onExchange } : {};
      const channel = new CardChannel(connection, channelOptions);
      const identification = await identifyCard(connection.atr, channel);
      const application = openCardApplication(identification, channel);
      return await body({ port, demo, reader: reader.name, atr: connection.atr, protocol: connection.protocol, identification, application });
    } finally {
      await connection.disconnect().catch(() => undefined);
    }
  } finally {
    await ctx.release(port);
  }
}

/** The CPS in the session, or the card's own outcome (VitaleInCpsSlot, NotACps) thrown. */
export function requireCps(application: CardApplication): CpsCard {
  if (application.kind === 'cps') return application;
  throw application.outcome();
}
