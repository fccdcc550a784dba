/**
 * A virtual card from abroad: a German health card (eGK, 2nd generation), which a cross-border
 * patient or a colleague may leave in a reader.
 *
 * - ATR `3B D0 97 FF 81 B1 FE 45 1F 07 2B` (pcsc-tools smartcard_list.txt: "German
 *   Elektronische Gesundheitskarte (eGK) - From TK"): TD1 = 81 and TD2 = B1 announce T=1,
 *   TD3 = 1F a T=15 global byte, no historical bytes, TCK = 2B.
 * - It knows none of the French applications: every SELECT by AID answers 6A82.
 */
import { mf } from './file-system';
import { IsoCard } from './iso-card';

export const FOREIGN_CARD_ATR = Uint8Array.of(0x3b, 0xd0, 0x97, 0xff, 0x81, 0xb1, 0xfe, 0x45, 0x1f, 0x07, 0x2b);

export function createForeignCard(options: { label?: string } = {}): IsoCard {
  return new IsoCard({
    label: options.label ?? 'Carte étrangère (virtuelle)',
    atr: FOREIGN_CARD_ATR,
    transport: 'T1',
    root: mf(),
    select: { fciTemplate: 'fcp', fcpOnSelectByName: true },
    extendedLength: true,
  });
}
