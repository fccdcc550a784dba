/**
 * A virtual French bank card ("carte bancaire", old B0' mask with an EMV chip).
 *
 * - ATR `3F 65 25 08 43 04 6C 90 00`: inverse convention (TS = 3F), T=0; listed in pcsc-tools
 *   smartcard_list.txt as "CB visa La Poste / Société Générale (Oberthur)", in the family
 *   `3F 65 25 .. .. 04 6C 90 .0` (domain.md §2).
 * - EMV answers [I, general EMV knowledge]: the payment system environment
 *   "1PAY.SYS.DDF01" and the CB application `A0 00 00 00 42 10 10` are selectable with
 *   their FCI; any other AID gets 6A82. No records: this card exists to be recognised as
 *   "not a CPS", not to pay.
 */
import { df, mf } from './file-system';
import { IsoCard } from './iso-card';
import { ascii, tlv } from './tlv';

export const BANK_CARD_ATR = Uint8Array.of(0x3f, 0x65, 0x25, 0x08, 0x43, 0x04, 0x6c, 0x90, 0x00);
export const EMV_PSE_NAME = ascii('1PAY.SYS.DDF01');
export const CB_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x42, 0x10, 0x10);

export function createBankCard(options: { label?: string } = {}): IsoCard {
  // FCI of a DDF: DF name (84) + proprietary template (A5) with the directory SFI (88).
  const pseFci = tlv(0x6f, tlv(0x84, EMV_PSE_NAME), tlv(0xa5, tlv(0x88, Uint8Array.of(0x01))));
  // FCI of an ADF: AID (84) + label (50) and priority (87).
  const cbFci = tlv(0x6f, tlv(0x84, CB_AID), tlv(0xa5, tlv(0x50, ascii('CB')), tlv(0x87, Uint8Array.of(0x01))));
  const root = mf(df({ name: EMV_PSE_NAME, fci: pseFci }), df({ name: CB_AID, fci: cbFci }));
  return new IsoCard({
    label: options.label ?? 'Carte bancaire CB (virtuelle)',
    atr: BANK_CARD_ATR,
    transport: 'T0',
    root,
    select: { fciTemplate: 'fci', fcpOnSelectByName: true },
  });
}
