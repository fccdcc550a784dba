/**
 * Opens a CpsCard on a REAL virtual card (simulators/cards) through the in-process reader:
 * the same path the companion takes with `--demo` — connect, CardChannel (with an APDU trace),
 * identifyCard, openCardApplication.
 */
import { CardChannel, type ExchangeTraceEntry } from '../../../../src-main/card/channel';
import { identifyCard } from '../../../../src-main/card/identify';
import { openCardApplication } from '../../../../src-main/card/cps/vitale-card';
import { ApduTrace } from '../../../../src-main/reader/apdu-trace';
import { createVirtualCard, createVirtualCardWithCredentials, type VirtualCardKind, type VirtualCardOptions } from '../../../../simulators/cards/catalog';
import { InProcessReader } from '../../../../simulators/cards/in-process-reader';

export async function openVirtual(kind: VirtualCardKind, options: VirtualCardOptions = {}, { withCredentials = true } = {}) {
  const reader = new InProcessReader();
  const card = withCredentials ? await createVirtualCardWithCredentials(kind, options) : createVirtualCard(kind, options);
  reader.insert(0, card);
  await reader.start();
  const connection = await reader.connect(reader.slotNames[0]!);
  const trace = new ApduTrace({ maxEntries: 10_000 });
  let exchanges = 0;
  const onExchange = (e: ExchangeTraceEntry) => {
    exchanges++;
    trace.record(e);
  };
  const channel = new CardChannel(connection, { onExchange });
  const identification = await identifyCard(connection.atr, channel);
  const application = openCardApplication(identification, channel);
  return {
    reader,
    card,
    connection,
    channel,
    identification,
    application,
    trace,
    /** Physical exchanges (APDUs) so far; `since(n)` counts those after a mark. */
    exchanges: () => exchanges,
  };
}
