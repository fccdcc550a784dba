/**
 * Which card is in the slot: first from the ATR (knowledge base
 * `resources/cards/atr-knowledge.json`), then, for CPS cards, confirmed on the card itself
 * the way the ANS Cryptolib does (card-cps.c `_cps_read_efsnicc`):
 *   1. SELECT the CPx IAS application by AID with P2 = 0C (no data; P2 = 00 answers 6A86 on CPx);
 *   2. SELECT EF.SN.ICC 3F00/D003 by path from the MF;
 *   3. READ BINARY 12 bytes: `5A 0A` + PAN whose first 5 bytes are the ANS issuer
 *      number 80 25 00 00 01.
 * Three APDUs when all goes well; the first refusal stops the probe.
 */
import type { LocalizedText } from '../../src-shared/errors';
import { isEcpsError } from '../../src-shared/errors';
import { parseHex, toHex } from '../../src-shared/hex';
import { formatStatusWord } from './apdu';
import type { CardChannel } from './channel';
import { readResourceJson } from './resource-files';

export type CardType = 'cps3' | 'cps3-contactless' | 'cps4' | 'vitale1' | 'vitale2' | 'bank' | 'unknown';

export interface AtrKnowledgeEntry {
  id: string;
  type: Exclude<CardType, 'unknown'>;
  atr: string;
  mask: string;
  label: LocalizedText;
  source: string;
}

export interface AtrIdentification {
  type: CardType;
  label: LocalizedText;
  /** Knowledge-base entry that matched. */
  entryId?: string;
}

export interface CardIdentification extends AtrIdentification {
  /** The card answered as the ATR says (CPS: application and EF.SN.ICC checked). */
  confirmed: boolean;
  /** CPS serial number from EF.SN.ICC, without the issuer prefix 8025000001. */
  serialNumber?: string;
  /** What was checked and what the card answered, for technicians (English, for logs and traces). */
  evidence: string[];
  /** The same lines in French and English, for what the user reads (`ecps card`). */
  evidenceText?: LocalizedText[];
}

/** CPx IAS application (OpenSC dir.c, Cryptolib card-cps3.c). */
export const CPX_AID_CONTACT = parseHex('E8 28 BD 08 0F 80 25 00 00 01 FF 00 10')!;
export const CPX_AID_CONTACTLESS = parseHex('E8 28 BD 08 0F 80 25 00 00 01 FF 00 20')!;
/** ANS issuer number at the head of the PAN in EF.SN.ICC (Cryptolib card-cps.c cps3_fsn). */
export const ANS_ISSUER = parseHex('80 25 00 00 01')!;
const EF_SN_ICC_PATH = [0x3f00, 0xd003];
const EF_SN_ICC_LENGTH = 12;

const UNKNOWN_LABEL: LocalizedText = { fr: 'Carte inconnue', en: 'Unknown card' };

let knowledge: { entry: AtrKnowledgeEntry; atr: Uint8Array; mask: Uint8Array; weight: number }[] | undefined;

export function loadAtrKnowledge(): AtrKnowledgeEntry[] {
  return (readResourceJson('cards/atr-knowledge.json') as { entries: AtrKnowledgeEntry[] }).entries;
}

function compiledKnowledge() {
  knowledge ??= loadAtrKnowledge()
    .map((entry) => {
      const atr = parseHex(entry.atr) ?? new Uint8Array(0);
      const mask = parseHex(entry.mask) ?? new Uint8Array(0);
      let weight = 0;
      for (const m of mask) for (let bit = m; bit; bit >>= 1) weight += bit & 1;
      return { entry, atr, mask, weight };
    })
    .sort((a, b) => b.weight - a.weight); // most specific first
  return knowledge;
}

/** Pure: what the ATR alone says (used by `ecps atr`). */
export function identifyAtr(atr: Uint8Array): AtrIdentification {
  for (const { entry, atr: known, mask } of compiledKnowledge()) {
    if (known.length !== atr.length || mask.length !== atr.length) continue;
    let match = true;
    for (let i = 0; i < atr.length && match; i++) match = ((atr[i] as number) & (mask[i] as number)) === ((known[i] as number) & (mask[i] as number));
    if (match) return { type: entry.type, label: entry.label, entryId: entry.id };
  }
  return { type: 'unknown', label: UNKNOWN_LABEL };
}

/** ATR first, then, for a CPS, the card's own answers (module comment). */
export async function identifyCard(atr: Uint8Array, channel: CardChannel): Promise<CardIdentification> {
  const byAtr = identifyAtr(atr);
  const evidence: string[] = [];
  const evidenceText: LocalizedText[] = [];
  const note = (text: LocalizedText) => {
    evidence.push(text.en);
    evidenceText.push(text);
  };
  note(
    byAtr.entryId
      ? { fr: `ATR ${toHex(atr)} reconnue : ${byAtr.entryId}`, en: `ATR ${toHex(atr)} matches ${byAtr.entryId}` }
      : { fr: `ATR ${toHex(atr)} : aucune carte connue de Compagnon e-CPS`, en: `ATR ${toHex(atr)} matches no known card` },
  );
  if (byAtr.type !== 'cps3' && byAtr.type !== 'cps3-contactless' && byAtr.type !== 'cps4') {
    // Vitale and bank cards are named from the ATR only: nothing on them is ours to read.
    return { ...byAtr, confirmed: false, evidence, evidenceText };
  }
  const unconfirmed = (): CardIdentification => ({ ...byAtr, confirmed: false, evidence, evidenceText });
  // APDU lines read the same in both languages (commands and status words are the card's).
  const apduLine = (text: string) => note({ fr: text.replace(/: ([0-9A-F]{4})$/, ' : $1'), en: text });

  const aid = byAtr.type === 'cps3-contactless' ? CPX_AID_CONTACTLESS : CPX_AID_CONTACT;
  const app = await channel.selectByAid(aid);
  apduLine(`SELECT AID ${toHex(aid, '')}: ${formatStatusWord(app.sw)}`);
  if (app.sw !== 0x9000) return unconfirmed();

  const ef = await channel.selectByPath(EF_SN_ICC_PATH);
  apduLine(`SELECT 3F00/D003 (EF.SN.ICC): ${formatStatusWord(ef.sw)}`);
  if (ef.sw !== 0x9000) return unconfirmed();

  let content: Uint8Array;
  try {
    content = await channel.readBinary(0, EF_SN_ICC_LENGTH);
  } catch (error) {
    if (!isEcpsError(error, 'CardRefused')) throw error;
    apduLine(`READ BINARY EF.SN.ICC: ${String(error.details.sw)}`);
    return unconfirmed();
  }
  const serial = serialFromEfSnIcc(content);
  if (serial === undefined) {
    note({
      fr: `EF.SN.ICC ${toHex(content)} : pas un numéro de série ANS (5A 0A 80 25 00 00 01 …)`,
      en: `EF.SN.ICC ${toHex(content)}: not an ANS serial number (5A 0A 80 25 00 00 01 …)`,
    });
    return unconfirmed();
  }
  note({ fr: `EF.SN.ICC : émetteur ANS 8025000001, n° de série ${serial}`, en: `EF.SN.ICC: ANS issuer 8025000001, serial ${serial}` });
  return { ...byAtr, confirmed: true, serialNumber: serial, evidence, evidenceText };
}

/**
 * EF.SN.ICC = `5A 0A` + 10-byte PAN (ASN.1 [APPLICATION 26] OCTET STRING, Cryptolib
 * pkcs15.c c_asn1_efsnicc). The serial is the PAN in hex without the issuer prefix and
 * without its last byte (Luhn digit + F padding), as the Cryptolib shows it.
 */
export function serialFromEfSnIcc(content: Uint8Array): string | undefined {
  if (content.length !== EF_SN_ICC_LENGTH || content[0] !== 0x5a || content[1] !== 0x0a) return undefined;
  const pan = content.subarray(2);
  for (let i = 0; i < ANS_ISSUER.length; i++) if (pan[i] !== ANS_ISSUER[i]) return undefined;
  return toHex(pan.subarray(ANS_ISSUER.length, pan.length - 1), '');
}
