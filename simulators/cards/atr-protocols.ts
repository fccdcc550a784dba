/**
 * Which transmission protocols an ATR offers (ISO/IEC 7816-3 §8.2): the low nibble of each
 * TDi byte names one; an ATR without TD1 means T=0 only. The in-process reader needs just
 * this to refuse T=1 on a T=0-only card, as pcscd does; full ATR parsing is src-main/card's.
 */
import type { TransportProtocol } from '../../src-shared/reader-port';

export function offeredProtocols(atr: Uint8Array): TransportProtocol[] {
  const found: TransportProtocol[] = [];
  if (atr.length < 2) return ['T0'];
  let indicator = atr[1]! >> 4;
  let index = 2;
  for (;;) {
    // TAi, TBi, TCi present per bits 5–7 of the previous format/TD byte.
    index += (indicator & 1) + ((indicator >> 1) & 1) + ((indicator >> 2) & 1);
    if (!(indicator & 8) || index >= atr.length) break;
    const td = atr[index++]!;
    const t = td & 0x0f;
    const name: TransportProtocol | undefined = t === 0 ? 'T0' : t === 1 ? 'T1' : undefined;
    if (name && !found.includes(name)) found.push(name);
    indicator = td >> 4;
  }
  return found.length > 0 ? found : ['T0'];
}
