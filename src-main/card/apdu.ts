/**
 * APDU codec (ISO 7816-4 §5.1 "Command-response pairs").
 *
 * A command has a 4-byte header (CLA INS P1 P2), an optional data field (announced by Lc)
 * and an optional Le (the number of response bytes expected, "Ne"). The four cases:
 *   1: header            2: header Le            3: header Lc data       4: header Lc data Le
 * Short form: Lc 1..255 on one byte, Le 1..256 on one byte (256 → 00).
 * Extended form: a 00 marker then Lc on two bytes (1..65535) and/or Le on two bytes
 * (1..65536, 65536 → 0000); when both are present only Lc carries the 00 marker.
 * CPS readers are TPDU-level with 271-byte messages (CCID descriptors, domain.md §5), so the
 * extended form is used only when the caller explicitly allows it.
 */
import { toHex } from '../../src-shared/hex';
import { cardErrors } from './errors';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Lc is its length). Absent or empty means "no data field". */
  data?: Uint8Array;
  /**
   * Ne, the number of response bytes expected: 1..256 short, up to 65536 extended.
   * Absent means "no Le field". 0 is accepted as "the maximum" and sent as 00 (= 256),
   * like the byte on the wire.
   */
  le?: number;
  /**
   * The data field holds a secret (PIN, PUK): traces must redact it. The channel copies this
   * flag onto every trace entry of the exchange; the codec ignores it.
   */
  sensitive?: boolean;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw1: number;
  sw2: number;
  /** SW1 << 8 | SW2, e.g. 0x9000. */
  sw: number;
}

export type ApduCase = 1 | 2 | 3 | 4;

export interface EncodeOptions {
  /** Allow the extended form when a length does not fit the short form. Default false. */
  extended?: boolean;
}

const SHORT_MAX_LC = 255;
const SHORT_MAX_LE = 256;
const EXTENDED_MAX_LC = 65535;
const EXTENDED_MAX_LE = 65536;

export function apduCase(cmd: CommandApdu): ApduCase {
  const hasData = cmd.data !== undefined && cmd.data.length > 0;
  const hasLe = cmd.le !== undefined;
  if (hasData) return hasLe ? 4 : 3;
  return hasLe ? 2 : 1;
}

export function encodeCommand(cmd: CommandApdu, options: EncodeOptions = {}): Uint8Array {
  // Runs for every APDU: plain checks and one Uint8Array written in place (no temporary arrays).
  if (!isByte(cmd.cla)) throw outOfRange('cla', cmd.cla);
  if (!isByte(cmd.ins)) throw outOfRange('ins', cmd.ins);
  if (!isByte(cmd.p1)) throw outOfRange('p1', cmd.p1);
  if (!isByte(cmd.p2)) throw outOfRange('p2', cmd.p2);
  const lc = cmd.data === undefined ? 0 : cmd.data.length;
  const le = cmd.le === 0 ? SHORT_MAX_LE : cmd.le;
  if (lc > EXTENDED_MAX_LC) throw outOfRange('lc', lc);
  if (le !== undefined && (!Number.isInteger(le) || le < 1 || le > EXTENDED_MAX_LE)) throw outOfRange('le', le);

  const needsExtended = lc > SHORT_MAX_LC || (le !== undefined && le > SHORT_MAX_LE);
  if (needsExtended && options.extended !== true) {
    throw cardErrors.create('ApduExtendedNotAllowed', { details: { lc, le: le ?? 'absent' } });
  }
  const lcBytes = lc === 0 ? 0 : needsExtended ? 3 : 1;
  // Extended Le: 2 bytes, plus the 00 marker when no Lc carries it (case 2E).
  const leBytes = le === undefined ? 0 : !needsExtended ? 1 : lc === 0 ? 3 : 2;
  const out = new Uint8Array(4 + lcBytes + lc + leBytes);
  out[0] = cmd.cla;
  out[1] = cmd.ins;
  out[2] = cmd.p1;
  out[3] = cmd.p2;
  let at = 4;
  if (lc > 0) {
    if (needsExtended) {
      out[at++] = 0x00;
      out[at++] = lc >> 8;
    }
    out[at++] = lc & 0xff;
    out.set(cmd.data as Uint8Array, at);
    at += lc;
  }
  if (le !== undefined) {
    if (!needsExtended) out[at] = le & 0xff; // 256 → 00
    else {
      if (lc === 0) out[at++] = 0x00; // case 2E: the marker belongs to Le
      out[at++] = (le >> 8) & 0xff; // 65536 → 00 00
      out[at] = le & 0xff;
    }
  }
  return out;
}

function isByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff;
}

/** Inverse of `encodeCommand` (both forms). Malformed bytes give `ApduMalformed`. */
export function decodeCommand(bytes: Uint8Array): CommandApdu {
  if (bytes.length < 4) throw malformed(bytes, 'header shorter than 4 bytes');
  const [cla, ins, p1, p2] = bytes as unknown as [number, number, number, number];
  const header = { cla, ins, p1, p2 };
  const body = bytes.subarray(4);
  const n = body.length;
  if (n === 0) return header; // case 1
  const b0 = body[0] as number;
  if (n === 1) return { ...header, le: b0 === 0 ? SHORT_MAX_LE : b0 }; // case 2S
  if (b0 !== 0) {
    // Short Lc.
    if (n === 1 + b0) return { ...header, data: body.slice(1) }; // case 3S
    if (n === 2 + b0) {
      const leByte = body[n - 1] as number;
      return { ...header, data: body.slice(1, 1 + b0), le: leByte === 0 ? SHORT_MAX_LE : leByte }; // case 4S
    }
    throw malformed(bytes, `short Lc ${b0} does not match ${n - 1} remaining bytes`);
  }
  // b0 = 00 and more than one byte: extended form.
  if (n < 3) throw malformed(bytes, 'extended length field truncated');
  const word = ((body[1] as number) << 8) | (body[2] as number);
  if (n === 3) return { ...header, le: word === 0 ? EXTENDED_MAX_LE : word }; // case 2E
  if (word === 0) throw malformed(bytes, 'extended Lc of 0');
  if (n === 3 + word) return { ...header, data: body.slice(3) }; // case 3E
  if (n === 5 + word) {
    const leWord = ((body[n - 2] as number) << 8) | (body[n - 1] as number);
    return { ...header, data: body.slice(3, 3 + word), le: leWord === 0 ? EXTENDED_MAX_LE : leWord }; // case 4E
  }
  throw malformed(bytes, `extended Lc ${word} does not match ${n - 3} remaining bytes`);
}

/** Splits a response into data and SW1 SW2 (ISO 7816-4 §5.1: the trailer is mandatory). */
export function parseResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) throw cardErrors.create('ResponseTooShort', { details: { length: bytes.length } });
  const sw1 = bytes[bytes.length - 2] as number;
  const sw2 = bytes[bytes.length - 1] as number;
  return { data: bytes.slice(0, bytes.length - 2), sw1, sw2, sw: (sw1 << 8) | sw2 };
}

/** `9000`, `6A82`: the form technicians search for. */
export function formatStatusWord(sw: number): string {
  return toHex([(sw >> 8) & 0xff, sw & 0xff], '');
}

function outOfRange(field: string, value: unknown) {
  return cardErrors.create('ApduFieldOutOfRange', { details: { field, value: String(value) } });
}

function malformed(bytes: Uint8Array, reason: string) {
  // The header alone: the body could hold a PIN.
  return cardErrors.create('ApduMalformed', {
    details: { reason, length: bytes.length, header: toHex(bytes.subarray(0, 4), '') },
  });
}
