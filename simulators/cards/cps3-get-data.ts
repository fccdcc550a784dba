/**
 * GET DATA (CB) for the IAS-ECC security data objects of a CPS3: the PIN and PUK try counters
 * read without spending a try.
 *
 * Command [C] (Cryptolib `card-cps3.c` `cps3_get_pin_counter`, after SELECT 3F00):
 *   00 CB 3F FF 0A  4D 08 70 06 BF 81 <ref> 02 A0 80  00
 * an extended header list (4D) naming, in the SDO template (70), the CHV SDO BF 81 <ref>
 * (class 01 | 80, reference) and the part wanted: A0 = its DOCP. OpenSC's variant asks for
 * 7F 41 (the CHV's size limits) instead [C] (research §2).
 *
 * Answer [C for tags, ? for the envelope]: `70 L BF 81 <ref> L A0 L { A1 {8C …} 9A 01 max
 * 9B 01 left [9D 01 uses] }` — the template mirrors the request, which OpenSC's
 * `iasecc_sdo_parse` accepts (it skips an optional 70) and which Cryptolib's byte scan for
 * 9A/9B/9D reads. The objects must be asked for with the MF current [C] (OpenSC commit
 * fcd2e665f); elsewhere the card answers 6A88 [I].
 */
import { SW } from './apdu';
import { chvDocp, PIN_SW, type CardPins } from './cps-security';
import type { CommandHandler } from './iso-card';
import { tlv } from './tlv';

interface Tlv {
  tag: number;
  value: Uint8Array;
  end: number;
}

/** One BER-TLV at `offset` (multi-byte tags, 81/82 lengths); undefined when malformed. */
function readTlv(bytes: Uint8Array, offset: number): Tlv | undefined {
  let i = offset;
  if (i >= bytes.length) return undefined;
  let tag = bytes[i++]!;
  if ((tag & 0x1f) === 0x1f) {
    do {
      if (i >= bytes.length) return undefined;
      tag = tag * 256 + bytes[i]!;
    } while (bytes[i++]! & 0x80);
  }
  if (i >= bytes.length) return undefined;
  let length = bytes[i++]!;
  if (length === 0x81 || length === 0x82) {
    const n = length - 0x80;
    if (i + n > bytes.length) return undefined;
    length = n === 1 ? bytes[i]! : (bytes[i]! << 8) | bytes[i + 1]!;
    i += n;
  } else if (length > 0x80) {
    return undefined;
  }
  if (i + length > bytes.length) return undefined;
  return { tag, value: bytes.subarray(i, i + length), end: i + length };
}

/** The tags of a header list: each is a tag followed by one length byte (ignored). */
function headerTags(list: Uint8Array): number[] | undefined {
  const tags: number[] = [];
  let i = 0;
  while (i < list.length) {
    let tag = list[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      do {
        if (i >= list.length) return undefined;
        tag = tag * 256 + list[i]!;
      } while (list[i++]! & 0x80);
    }
    if (i >= list.length) return undefined;
    i++; // the length byte (80 = "all of it" in IAS-ECC requests)
    tags.push(tag);
  }
  return tags;
}

export function getDataCommand(pins: CardPins): CommandHandler {
  return (cmd, ctx) => {
    if (cmd.p1 !== 0x3f || cmd.p2 !== 0xff) return { sw: PIN_SW.REFERENCE_NOT_FOUND };
    const list = readTlv(cmd.data, 0);
    const template = list?.tag === 0x4d ? readTlv(list.value, 0) : undefined;
    const sdo = template?.tag === 0x70 ? readTlv(template.value, 0) : undefined;
    if (!list || list.end !== cmd.data.length || !sdo || sdo.tag < 0xbf0000 || sdo.tag > 0xbfffff) {
      return { sw: SW.WRONG_DATA };
    }
    const sdoClass = (sdo.tag >> 8) & 0x7f;
    const reference = sdo.tag & 0x3f;
    const wanted = headerTags(sdo.value);
    if (!wanted) return { sw: SW.WRONG_DATA };
    const rd = pins.get(reference);
    if (sdoClass !== 0x01 || !rd) return { sw: PIN_SW.REFERENCE_NOT_FOUND };
    if (ctx.channel.currentDf !== ctx.card.root) return { sw: PIN_SW.REFERENCE_NOT_FOUND };
    const parts: Uint8Array[] = [];
    for (const tag of wanted) {
      if (tag === 0xa0) parts.push(chvDocp(rd, rd.unblockedBy));
      else if (tag === 0x7f41) {
        const { maxLength, minLength } = rd.format;
        parts.push(tlv(0x7f41, tlv(0x80, Uint8Array.of(maxLength)), tlv(0x81, Uint8Array.of(minLength))));
      }
    }
    if (parts.length === 0) return { sw: PIN_SW.REFERENCE_NOT_FOUND };
    return { data: tlv(0x70, tlv(sdo.tag, ...parts)), sw: SW.OK };
  };
}
