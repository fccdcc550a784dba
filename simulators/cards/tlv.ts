/**
 * BER-TLV encoding for the data objects our virtual cards hand out (FCP/FCI templates,
 * EF.DIR application templates, EF.SN.ICC). Encoding only: parsing belongs to the card
 * layer that reads these cards (src-main/card), which must not trust our encoder.
 */
import { concatBytes } from '../../src-shared/hex';

/** Tag as a number (`0x5F2D`, `0x61`, `0x7F66`); value bytes or nested TLVs. */
export function tlv(tag: number, ...value: Uint8Array[]): Uint8Array {
  const body = concatBytes(...value);
  return concatBytes(tagBytes(tag), lengthBytes(body.length), body);
}

function tagBytes(tag: number): Uint8Array {
  const out: number[] = [];
  let t = tag;
  do {
    out.unshift(t & 0xff);
    t >>>= 8;
  } while (t > 0);
  return Uint8Array.from(out);
}

/** Definite length: short form below 128, then 81 xx / 82 xx xx (ISO 7816-4 §5.2.2). */
function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length <= 0xff) return Uint8Array.of(0x81, length);
  return Uint8Array.of(0x82, length >> 8, length & 0xff);
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0x7f);
}
