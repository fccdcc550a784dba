/** Hex helpers shared by every layer (no Node Buffer: this room runs anywhere). */

const HEX = '0123456789ABCDEF';

/** `3B AC 00` style, upper case; `separator` '' gives `3BAC00`. */
export function toHex(bytes: Uint8Array | readonly number[], separator = ' '): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (i > 0) out += separator;
    out += HEX[(b >> 4) & 0xf]! + HEX[b & 0xf]!;
  }
  return out;
}

/**
 * Parses hex with optional spaces, colons or a `0x` prefix. Returns undefined when the
 * text is not an even number of hex digits, so callers choose their own error.
 */
export function parseHex(text: string): Uint8Array | undefined {
  const clean = text.trim().replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
