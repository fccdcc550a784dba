/**
 * One look at the card for `card`, `pin`, `activate` and `auth-test`: open the port (PC/SC or
 * demo) for this command, run one card session on it (src-main/reader/card-session.ts: pick the
 * reader, connect once, identify, open the application, disconnect), release the port.
 * Every exchange goes to the command's APDU trace when `--trace` asked for one (the trace
 * redacts PIN-carrying commands itself).
 *
 * The session is the desktop app's own, so the CLI gets its patience too: an exclusive connect
 * (PIN, keys) waits up to 2 s for a card another program is only glancing at — another `ecps`
 * starting up reads every card's ATR, a browser's PKCS#11 module polls — and a program that
 * really holds the card still gets SharingViolation, with its remedy, once the wait is over.
 */
import type { ReaderPort } from '../../src-shared/reader-port';
import { openPcscOrFail } from '../reader/open-port';
import { withCardOnPort, type PortCardSession, type PortCardSessionOptions } from '../reader/card-session';
import type { CliContext } from './context';

export interface CardSession extends PortCardSession {
  port: ReaderPort;
  demo: boolean;
}

export type CardSessionOptions = Pick<PortCardSessionOptions, 'reader' | 'share'>;

export async function withCardSession<T>(
  ctx: CliContext,
  options: CardSessionOptions,
  body: (session: CardSession) => Promise<T>,
): Promise<T> {
  const { port, demo } = await openPcscOrFail({ demo: ctx.demo, transmitTimeoutMs: ctx.timeoutMs });
  try {
    const onExchange = ctx.trace?.record;
    return await withCardOnPort(port, { ...options, ...(onExchange ? { onExchange } : {}) }, (session) => body({ ...session, port, demo }));
  } finally {
    await ctx.release(port);
  }
}
