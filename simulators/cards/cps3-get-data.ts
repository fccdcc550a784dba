/**
 * GET DATA (CB) for the IAS-ECC security data objects (SDOs) of a CPS3: the PIN and PUK try
 * counters read without spending a try, and what OpenSC reads of a private key before using it.
 *
 * Command [C] (Cryptolib `card-cps3.c` `cps3_get_pin_counter`, after SELECT 3F00):
 *   00 CB 3F FF 0A  4D 08 70 06 BF 81 <ref> 02 A0 80  00
 * an extended header list (4D) naming, in the SDO template (70), the SDO BF <class|80> <ref>
 * and the part wanted: A0 = its DOCP, or the SDO's own data (7F41 for a CHV's size limits,
 * 7F48 for an RSA private key) [C OpenSC card-iasecc.c `iasecc_sdo_get_data`: the data part
 * first, then the DOCP].
 *
 * Answers:
 * - CHV (class 01), with the MF current: `70 L BF 81 <ref> L A0 L { 9A 01 max 9B 01 left
 *   [9D uses] A1 08 { 8C 06 F3 00 00 13 FF 00 } }` — the DOCP of a real CPx's PIN, byte for
 *   byte, from a Cryptolib trace (OpenSC issue #2275) (cps-security.ts `chvDocp`); 7F41
 *   gives the size limits (OpenSC asks for it). Elsewhere 6A88 [C OpenSC commit fcd2e665f].
 * - RSA private key (class 10), with the application DF 3F00/0001 current [C OpenSC commit
 *   e3a3722ad]: its private part (7F48) is never given out, 6A86 — the one refusal after
 *   which OpenSC goes on to the DOCP ("no public data", `iasecc_sdo_get_data`); the DOCP
 *   `A0 { 80 02 <modulus bytes> A1 { 8C AMB SCB… } }` gives the key size in bytes, which
 *   OpenSC checks before PSO CDS, and the rules for PSO CDS / INTERNAL AUTHENTICATE / PSO
 *   DECIPHER (IAS-ECC SCB coding as OpenSC reads it, `iasecc_sdo_convert_acl`: 1x = after
 *   user authentication, FF = never). A real CPx's key DOCP bytes are not public [?]; the
 *   allowed operations are those of OpenSC issue #2267's dump (CPS_PRIV_SIG: pso_cds;
 *   CPS_PRIV_AUT: pso_decrypt, int_auth), and the SE number in the SCBs (1) is [?].
 */
import { SW } from './apdu';
import type { CardKey } from './cps-crypto';
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

/** IAS-ECC SDO classes (OpenSC iasecc-sdo.h): CHV and RSA private key. */
const SDO_CLASS = { chv: 0x01, rsaPrivate: 0x10 } as const;
/** Access mode byte of a key DOCP: PSO signature (40), internal authenticate (20), decipher (10). */
const KEY_AMB = 0x70;
const SCB_USER_AUTH = 0x11;
const SCB_NEVER = 0xff;

function keyDocp(key: CardKey): Uint8Array {
  const modulusBytes = (key.privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8;
  const allow = (yes: boolean) => (yes ? SCB_USER_AUTH : SCB_NEVER);
  const acl = Uint8Array.of(
    KEY_AMB,
    allow(key.templates.includes('DST')),
    allow(key.templates.includes('AT')),
    allow(key.templates.includes('CT')),
  );
  return tlv(0xa0, tlv(0x80, Uint8Array.of(modulusBytes >> 8, modulusBytes & 0xff)), tlv(0xa1, tlv(0x8c, acl)));
}

export function getDataCommand(pins: CardPins, keys: readonly CardKey[] = []): CommandHandler {
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
    const parts: Uint8Array[] = [];
    if (sdoClass === SDO_CLASS.chv) {
      const rd = pins.get(reference);
      if (!rd || ctx.channel.currentDf !== ctx.card.root) return { sw: PIN_SW.REFERENCE_NOT_FOUND };
      for (const tag of wanted) {
        if (tag === 0xa0) parts.push(chvDocp(rd, rd.unblockedBy));
        else if (tag === 0x7f41) {
          const { maxLength, minLength } = rd.format;
          parts.push(tlv(0x7f41, tlv(0x80, Uint8Array.of(maxLength)), tlv(0x81, Uint8Array.of(minLength))));
        }
      }
    } else if (sdoClass === SDO_CLASS.rsaPrivate) {
      // Key references 81/82 name SDOs 01/02 of the application DF (local bit 80 dropped).
      const key = keys.find((k) => (k.reference & 0x1f) === reference);
      if (!key || ctx.channel.currentDf === ctx.card.root) return { sw: PIN_SW.REFERENCE_NOT_FOUND };
      if (wanted.includes(0x7f48)) return { sw: SW.INCORRECT_P1P2 };
      if (wanted.includes(0xa0)) parts.push(keyDocp(key));
    } else {
      return { sw: PIN_SW.REFERENCE_NOT_FOUND };
    }
    if (parts.length === 0) return { sw: PIN_SW.REFERENCE_NOT_FOUND };
    return { data: tlv(0x70, tlv(sdo.tag, ...parts)), sw: SW.OK };
  };
}
