import { parseHex, toHex } from '../../../src-shared/hex';
import { isFault, type VirtualCard } from '../../../simulators/cards/virtual-card';

export function hex(text: string): Uint8Array {
  const bytes = parseHex(text);
  if (!bytes) throw new Error(`bad hex in test: ${text}`);
  return bytes;
}

/** Sends a hex APDU to a card and returns the answer as spaced hex (or the fault name). */
export async function send(card: VirtualCard, apdu: string | Uint8Array): Promise<string> {
  const reply = await card.transmit(typeof apdu === 'string' ? hex(apdu) : apdu);
  return isFault(reply) ? reply.fault : toHex(reply);
}

/** Status word of a spaced-hex answer. */
export function sw(answer: string): string {
  return answer.slice(-5);
}
