/**
 * Command APDUs as a card sees them (ISO/IEC 7816-4 §5.1), and the status words our
 * virtual cards answer with.
 *
 * The card parses what the reader hands it: a 4-byte header, then an optional Lc + data and
 * an optional Le, in short (1-byte) or extended (3-byte / 2-byte) form. Anything that fits
 * none of the four cases is "wrong length" (6700), which is what real cards answer.
 */
import { concatBytes } from '../../src-shared/hex';

export type ApduCase = 1 | 2 | 3 | 4;

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** Command data (empty for cases 1 and 2). */
  readonly data: Uint8Array;
  /** Ne: the maximum number of response bytes expected; 0 when there is no Le field. */
  readonly ne: number;
  /** Le was `00` (short) or `00 00` (extended): "as many as you have, up to 256 / 65536". */
  readonly leWildcard: boolean;
  readonly extended: boolean;
  readonly case: ApduCase;
}

/** Status words used by the simulators, named as ISO 7816-4 §5.6 describes them. */
export const SW = {
  OK: 0x9000,
  END_OF_FILE: 0x6282, // fewer bytes than Ne before the end of the file
  WRONG_LENGTH: 0x6700,
  CHANNEL_NOT_SUPPORTED: 0x6881,
  SM_NOT_SUPPORTED: 0x6882,
  LAST_OF_CHAIN_EXPECTED: 0x6883,
  CHAINING_NOT_SUPPORTED: 0x6884,
  STRUCTURE_INCOMPATIBLE: 0x6981,
  SECURITY_NOT_SATISFIED: 0x6982,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED: 0x6986, // e.g. no current EF
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  WRONG_P1P2_OFFSET: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

/** Returns the parsed command, or undefined when the bytes fit none of the ISO cases. */
export function parseCommandApdu(bytes: Uint8Array): CommandApdu | undefined {
  if (bytes.length < 4) return undefined;
  const [cla, ins, p1, p2] = bytes as unknown as [number, number, number, number];
  const head = { cla, ins, p1, p2 };
  const n = bytes.length;
  const empty = new Uint8Array(0);
  if (n === 4) return { ...head, data: empty, ne: 0, leWildcard: false, extended: false, case: 1 };
  const b4 = bytes[4]!;
  if (n === 5) {
    return { ...head, data: empty, ne: b4 === 0 ? 256 : b4, leWildcard: b4 === 0, extended: false, case: 2 };
  }
  if (b4 !== 0) {
    // Short Lc.
    const data = bytes.slice(5, 5 + b4);
    if (n === 5 + b4) return { ...head, data, ne: 0, leWildcard: false, extended: false, case: 3 };
    if (n === 6 + b4) {
      const le = bytes[n - 1]!;
      return { ...head, data, ne: le === 0 ? 256 : le, leWildcard: le === 0, extended: false, case: 4 };
    }
    return undefined;
  }
  // b4 = 00 and more bytes follow: extended length.
  if (n < 7) return undefined;
  const first = (bytes[5]! << 8) | bytes[6]!;
  if (n === 7) {
    return { ...head, data: empty, ne: first === 0 ? 65536 : first, leWildcard: first === 0, extended: true, case: 2 };
  }
  if (first === 0) return undefined; // extended Lc must not be zero
  const data = bytes.slice(7, 7 + first);
  if (n === 7 + first) return { ...head, data, ne: 0, leWildcard: false, extended: true, case: 3 };
  if (n === 9 + first) {
    const le = (bytes[n - 2]! << 8) | bytes[n - 1]!;
    return { ...head, data, ne: le === 0 ? 65536 : le, leWildcard: le === 0, extended: true, case: 4 };
  }
  return undefined;
}

/**
 * Builds a command APDU, short form unless a length needs the extended form (or `extended`).
 * `le` is Ne: 256 encodes as short `00`, 65536 as extended `00 00`.
 */
export function buildCommandApdu(
  header: { cla: number; ins: number; p1: number; p2: number },
  options: { data?: Uint8Array; le?: number; extended?: boolean } = {},
): Uint8Array {
  const data = options.data ?? new Uint8Array(0);
  const le = options.le;
  const extended = options.extended ?? (data.length > 255 || (le !== undefined && le > 256));
  const parts: Uint8Array[] = [Uint8Array.of(header.cla, header.ins, header.p1, header.p2)];
  if (extended) {
    if (data.length > 0) parts.push(Uint8Array.of(0, data.length >> 8, data.length & 0xff), data);
    if (le !== undefined) {
      const v = le === 65536 ? 0 : le;
      parts.push(data.length > 0 ? Uint8Array.of(v >> 8, v & 0xff) : Uint8Array.of(0, v >> 8, v & 0xff));
    }
  } else {
    if (data.length > 0) parts.push(Uint8Array.of(data.length), data);
    if (le !== undefined) parts.push(Uint8Array.of(le === 256 ? 0 : le));
  }
  return concatBytes(...parts);
}

/** Response bytes: data then SW1 SW2. */
export function responseBytes(data: Uint8Array | undefined, sw: number): Uint8Array {
  const body = data ?? new Uint8Array(0);
  const out = new Uint8Array(body.length + 2);
  out.set(body, 0);
  out[body.length] = (sw >> 8) & 0xff;
  out[body.length + 1] = sw & 0xff;
  return out;
}

/** Splits a response into data and status word (responses are always ≥ 2 bytes here). */
export function splitResponse(response: Uint8Array): { data: Uint8Array; sw: number } {
  const n = response.length;
  return { data: response.slice(0, n - 2), sw: (response[n - 2]! << 8) | response[n - 1]! };
}
