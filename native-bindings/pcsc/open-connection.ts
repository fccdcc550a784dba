/**
 * port.connect(): opens a pcsc-mini Card with a watchdog, reads the real ATR and the
 * negotiated protocol, and wraps it in a PcscCardConnection.
 */
import type { ConnectOptions } from '../../src-shared/reader-port';
import { PcscCardConnection, toTransportProtocol, type ConnectionHooks } from './card-connection';
import { fromNativeError, pcscErrors } from './errors';
import type { NativeReader } from './native';
import { guarded, openCard, releaseCard, whenSettled } from './native-calls';
import type { ResolvedOptions } from './options';

export async function openConnection(
  native: NativeReader,
  reader: string,
  options: ConnectOptions,
  opts: ResolvedOptions,
  hooks: ConnectionHooks,
): Promise<PcscCardConnection> {
  const share = options.share ?? 'shared';
  const timeoutMs = options.timeoutMs ?? opts.connectTimeoutMs;
  const details = { reader, operation: 'connect' };
  const notResponding = () => pcscErrors.create('CardNotResponding', { details: { ...details, timeoutMs } });

  const opened = await guarded(openCard(native, share, options.protocol ?? 'any'), timeoutMs);
  if (opened.ok === 'late') {
    // The connect is blocked inside pcscd (measured: it stays blocked while another call on
    // the card hangs, until the card goes away). Count the reader as stuck until it returns,
    // and release the card it may still open.
    hooks.onStuck(reader, true);
    whenSettled(opened.pending, () => hooks.onStuck(reader, false), (card) => card, timeoutMs);
    throw notResponding();
  }
  if (!opened.ok) throw fromNativeError(opened.error, details);
  const card = opened.value;

  const state = await guarded(() => card.state(), timeoutMs);
  if (state.ok === 'late') {
    whenSettled(state.pending, () => undefined, () => card, timeoutMs);
    throw notResponding();
  }
  if (!state.ok) {
    await releaseCard(card, timeoutMs);
    throw fromNativeError(state.error, details);
  }
  // card.protocol() is what pcscd negotiated (PPS); ReaderPort exposes only T=0 / T=1.
  const protocol = toTransportProtocol(card.protocol()) ?? toTransportProtocol(state.value.protocol);
  if (!protocol) {
    await releaseCard(card, timeoutMs);
    throw pcscErrors.create('ProtocolMismatch', { details: { ...details, nativeProtocol: card.protocol() } });
  }
  const atr = state.value.atr.slice();
  hooks.onAtr(reader, atr);
  return new PcscCardConnection({
    reader,
    share,
    card,
    atr,
    protocol,
    transmitTimeoutMs: opts.transmitTimeoutMs,
    controlTimeoutMs: opts.connectTimeoutMs,
    hooks,
    logger: opts.logger,
  });
}
