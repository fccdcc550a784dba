/**
 * A small, strict BER/DER reader (ITU-T X.690 §8) for what a CPS hands out: PKCS#15
 * directory files (ISO/IEC 7816-15), X.509 certificates (RFC 5280) and the IAS-ECC GET DATA
 * answers (BER-TLV with multi-byte tags, ISO 7816-4 §5.2). Reading only; anything malformed
 * throws `CpsDataMalformed` — the card's bytes are never trusted.
 */
import { toHex } from '../../../src-shared/hex';
import { cpsErrors } from './errors';

export interface Tlv {
  /** Tag bytes as a number: 0x30, 0xA1, 0xBF8101. */
  tag: number;
  /** Bit 6 of the first tag byte (X.690 §8.1.2.5). */
  constructed: boolean;
  value: Uint8Array;
  /** Offset of the tag in the buffer given to `readTlv`, and the total encoded length. */
  offset: number;
  length: number;
}

/** One TLV at `offset`; undefined when only padding (00 or FF, ISO 7816-4 §5.2.1) is left. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv | undefined {
  let at = offset;
  if (at >= bytes.length || bytes[at] === 0x00 || bytes[at] === 0xff) return undefined;
  const first = bytes[at++]!;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    // High tag number form: subsequent bytes while b8 is set (at most 3 more, our cards use 2).
    let more = true;
    for (let n = 0; more; n++) {
      if (at >= bytes.length || n > 3) throw malformed('tag truncated', bytes, offset);
      const b = bytes[at++]!;
      tag = tag * 256 + b;
      more = (b & 0x80) !== 0;
    }
  }
  if (at >= bytes.length) throw malformed('length missing', bytes, offset);
  let length = bytes[at++]!;
  if (length === 0x80) throw malformed('indefinite length', bytes, offset);
  if (length > 0x80) {
    const count = length & 0x7f;
    if (count > 3 || at + count > bytes.length) throw malformed('length truncated', bytes, offset);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at++]!;
  }
  if (at + length > bytes.length) throw malformed('value truncated', bytes, offset);
  return { tag, constructed: (first & 0x20) !== 0, value: bytes.subarray(at, at + length), offset, length: at + length - offset };
}

/** Every TLV of a buffer, in order, up to the end or the padding. */
export function readAll(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  for (let t = readTlv(bytes, at); t; t = readTlv(bytes, at)) {
    out.push(t);
    at = t.offset + t.length;
  }
  return out;
}

/** The children of a constructed TLV. */
export function children(t: Tlv): Tlv[] {
  return readAll(t.value);
}

/** First child with this tag, or undefined. */
export function find(list: readonly Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

/** Depth-first search through constructed objects (for GET DATA answers). */
export function findDeep(list: readonly Tlv[], tag: number): Tlv | undefined {
  for (const t of list) {
    if (t.tag === tag) return t;
    if (t.constructed) {
      const inner = findDeep(children(t), tag);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The length of the first DER object in `head` (tag + length + value), if the header is complete. */
export function encodedLength(head: Uint8Array): number | undefined {
  if (head.length < 2) return undefined;
  let at = 1;
  if ((head[0]! & 0x1f) === 0x1f) while (at < head.length && head[at++]! & 0x80);
  if (at >= head.length) return undefined;
  const first = head[at++]!;
  if (first < 0x80) return at + first;
  const count = first & 0x7f;
  if (count === 0 || count > 3 || at + count > head.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + head[at++]!;
  return at + length;
}

/** Unsigned INTEGER (X.690 §8.3) as a number; PKCS#15 references and lengths fit. */
export function integer(t: Tlv): number {
  if (t.value.length === 0 || t.value.length > 6) throw malformed('integer size', t.value, 0);
  let n = 0;
  for (const b of t.value) n = n * 256 + b;
  return n;
}

/** INTEGER as hex, for certificate serial numbers. */
export function integerHex(t: Tlv): string {
  let v = t.value;
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  return toHex(v, '');
}

/** OBJECT IDENTIFIER in dotted form (X.690 §8.19). */
export function oid(t: Tlv): string {
  const v = t.value;
  if (v.length === 0) throw malformed('empty OID', v, 0);
  const parts: number[] = [];
  let n = 0;
  for (const b of v) {
    n = n * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

/** UTF8String, PrintableString, IA5String, T61String (as Latin-1), BMPString. */
export function text(t: Tlv): string {
  switch (t.tag) {
    case 0x0c:
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(t.value);
      } catch {
        throw malformed('UTF8String not UTF-8', t.value, 0);
      }
    case 0x1e: {
      let s = '';
      for (let i = 0; i + 1 < t.value.length; i += 2) s += String.fromCharCode((t.value[i]! << 8) | t.value[i + 1]!);
      return s;
    }
    default:
      return new TextDecoder('latin1').decode(t.value);
  }
}

/** BIT STRING → the set bit numbers, bit 0 = most significant bit of the first byte (X.690 §8.6). */
export function bits(t: Tlv): Set<number> {
  const out = new Set<number>();
  for (let i = 1; i < t.value.length; i++) {
    for (let b = 0; b < 8; b++) if (t.value[i]! & (0x80 >> b)) out.add((i - 1) * 8 + b);
  }
  return out;
}

/** UTCTime (YYMMDDHHMMSSZ, RFC 5280 §4.1.2.5.1) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function time(t: Tlv): Date {
  const s = new TextDecoder('latin1').decode(t.value);
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw malformed(`time ${s}`, t.value, 0);
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

function malformed(reason: string, bytes: Uint8Array, offset: number) {
  return cpsErrors.create('CpsDataMalformed', { details: { reason, offset, length: bytes.length } });
}
