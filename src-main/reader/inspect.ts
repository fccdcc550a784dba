/**
 * "What is in this reader?": connect once (shared), identify the card through the card
 * layer (ATR, then the card's own answers for a CPS), disconnect. One connection per look,
 * so a card held by another application is still named from its ATR.
 */
import { isEcpsError, type EcpsError } from '../../src-shared/errors';
import type { ReaderPort, ReaderSnapshot, TransportProtocol } from '../../src-shared/reader-port';
import { CardChannel } from '../card/channel';
import { identifyAtr, identifyCard, type CardIdentification } from '../card/identify';
import { readerErrors } from './errors';

export interface CardInspection {
  reader: string;
  atr: Uint8Array;
  protocol?: TransportProtocol;
  identification: CardIdentification;
  /** Why the card could not be questioned (identification then comes from the ATR alone). */
  error?: EcpsError;
}

export function findReader(port: ReaderPort, name?: string): ReaderSnapshot {
  const readers = port.readers();
  if (readers.length === 0) throw readerErrors.create('NoReader');
  if (name === undefined) {
    // The first reader holding a card: on a bi-fente reader that is usually the CPS slot.
    return readers.find((r) => r.cardPresent) ?? (readers[0] as ReaderSnapshot);
  }
  const exact = readers.find((r) => r.name === name);
  if (exact) return exact;
  // Reader names vary by vendor and OS (domain.md §5): accept a unique case-insensitive part.
  const partial = readers.filter((r) => r.name.toLowerCase().includes(name.toLowerCase()));
  if (partial.length === 1) return partial[0] as ReaderSnapshot;
  throw readerErrors.create('UnknownReader', { details: { reader: name } });
}

export async function inspectCard(port: ReaderPort, reader: ReaderSnapshot): Promise<CardInspection> {
  if (!reader.cardPresent) throw readerErrors.create('NoCard', { details: { reader: reader.name } });
  let connection;
  try {
    connection = await port.connect(reader.name, { share: 'shared' });
  } catch (error) {
    if (!isEcpsError(error) || !reader.atr) throw error;
    const byAtr = identifyAtr(reader.atr);
    return {
      reader: reader.name,
      atr: reader.atr,
      identification: { ...byAtr, confirmed: false, evidence: [`connect: ${error.code}`] },
      error,
    };
  }
  try {
    const identification = await identifyCard(connection.atr, new CardChannel(connection));
    return { reader: reader.name, atr: connection.atr, protocol: connection.protocol, identification };
  } finally {
    await connection.disconnect().catch(() => undefined);
  }
}
