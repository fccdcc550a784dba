/**
 * A virtual Vitale 2 card: enough to be recognised as "the wrong card" (domain.md §1: a
 * Vitale in the CPS slot is a common failure), never a source of beneficiary data.
 *
 * - ATR from the family `3B 75 13 00 00 4x 09 EA 90 00` (pcsc-tools smartcard_list.txt lists
 *   x = 47 as "Carte Vitale"); T=0 (no TD1).
 * - Applications (cardpeek `vitale_2.lua`): "MF_VITALE" `D2 50 00 00 02 4D 46 5F 56 49 54 41
 *   4C 45` holding EF 2F00 (DIR) and 2F02 (PAN); "VITALE" `D2 50 00 00 02 56 49 54 41 4C 45`
 *   holding EF 2001 (pointers); two more AIDs of undocumented purpose.
 * File contents here are placeholders [?]: the companion must not read a Vitale card.
 */
import { df, ef, DedicatedFile } from './file-system';
import { IsoCard } from './iso-card';
import { ascii } from './tlv';

export const VITALE2_ATR = Uint8Array.of(0x3b, 0x75, 0x13, 0x00, 0x00, 0x47, 0x09, 0xea, 0x90, 0x00);
const RID_SESAM_VITALE = Uint8Array.of(0xd2, 0x50, 0x00, 0x00, 0x02);

export const VITALE2_AIDS = {
  mfVitale: Uint8Array.of(...RID_SESAM_VITALE, ...ascii('MF_VITALE')),
  vitale: Uint8Array.of(...RID_SESAM_VITALE, ...ascii('VITALE')),
  other1: Uint8Array.of(0xe8, 0x28, 0xbd, 0x08, 0x0f, 0xd2, 0x50, 0x00, 0x00, 0x04, 0x41, 0x64, 0xe8, 0x6c, 0x65),
  other2: Uint8Array.of(0xd2, 0x50, 0x00, 0x00, 0x04, 0x41, 0x64, 0xe8, 0x6c, 0x65, 0x01, 0x01),
} as const;

export interface Vitale2Options {
  label?: string;
  /** Second nibble of ATR byte 6 (`4x`), 0x3–0xC seen in the field. Default 7. */
  atrVariant?: number;
}

export function createVitale2(options: Vitale2Options = {}): IsoCard {
  const atr = VITALE2_ATR.slice();
  if (options.atrVariant !== undefined) {
    if (options.atrVariant < 0 || options.atrVariant > 0xf) throw new RangeError('Vitale 2 ATR variant is one hex digit');
    atr[5] = 0x40 | options.atrVariant;
  }
  const root = new DedicatedFile(0x3f00, VITALE2_AIDS.mfVitale).add(
    ef(0x2f00, new Uint8Array(0)),
    ef(0x2f02, new Uint8Array(0)),
    df({ name: VITALE2_AIDS.vitale }, ef(0x2001, Uint8Array.of(0xe0, 0x02, 0xa0, 0x00))),
    df({ name: VITALE2_AIDS.other1 }),
    df({ name: VITALE2_AIDS.other2 }),
  );
  return new IsoCard({
    label: options.label ?? 'Vitale 2 (virtuelle)',
    atr,
    transport: 'T0',
    root,
    select: { fciTemplate: 'fci', fcpOnSelectByName: true },
  });
}
