/**
 * The few DER building blocks the PKCS#15 directory files need (ITU-T X.690): SEQUENCE,
 * INTEGER, BOOLEAN, ENUMERATED, OCTET STRING, UTF8String, named-bit-list BIT STRING and
 * context-specific tags. Encoding only, on top of tlv.ts (whose definite lengths are already
 * the minimal DER form); the reading side (src-main/card) must not trust this encoder.
 */
import { concatBytes } from '../../src-shared/hex';
import { tlv } from './tlv';

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
export const octets = (value: Uint8Array): Uint8Array => tlv(0x04, value);
export const utf8 = (text: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(text));
export const boolean = (value: boolean): Uint8Array => tlv(0x01, Uint8Array.of(value ? 0xff : 0x00));
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);

/** OBJECT IDENTIFIER from dotted text (X.690 §8.19): first two arcs in one byte, base-128 after. */
export function objectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isInteger(a) || a < 0)) throw new RangeError(`bad OID "${dotted}"`);
  const out: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** Two's-complement big-endian, minimal (X.690 §8.3); non-negative values only here. */
export function integerBytes(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`DER integer must be a natural number, got ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (out[0]! & 0x80) out.unshift(0);
  return Uint8Array.from(out);
}

export const integer = (value: number): Uint8Array => tlv(0x02, integerBytes(value));
export const enumerated = (value: number): Uint8Array => tlv(0x0a, integerBytes(value));

/** `[n]` IMPLICIT primitive (tag 80+n) around already-encoded content bytes. */
export const contextPrimitive = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);
/** `[n]` constructed (tag A0+n): explicit tagging or an implicit SEQUENCE. */
export const contextConstructed = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);

/**
 * A BIT STRING holding a named bit list (X.690 §11.2.2): bit 0 is the most significant bit of
 * the first content byte, trailing zero bits are dropped, and the leading byte counts the unused
 * bits of the last byte. `[1, 2]` → `03 02 05 60`; `[9]` → `03 03 06 00 40`; `[]` → `03 01 00`.
 */
export function namedBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return tlv(0x03, Uint8Array.of(0));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = 7 - (highest & 7);
  return tlv(0x03, concatBytes(Uint8Array.of(unused), bytes));
}
