/**
 * ATR parser (ISO/IEC 7816-3 §8 "Answer-to-Reset").
 *
 *   TS  T0  [TAi TBi TCi TDi]…  historical bytes (K = T0 low nibble)  [TCK]
 * T0 and each TDi carry a presence map (high nibble: TA, TB, TC, TD of the next group);
 * TDi's low nibble names the protocol the next group is about. T=15 marks global bytes.
 * TCK is present iff a protocol other than T=0 is indicated; then the XOR of T0..TCK is 0.
 *
 * `parseAtr` is strict by default (a malformed ATR throws an `EcpsError`). With
 * `{ strict: false }` nothing but an empty ATR throws: the slips real cards make — a missing,
 * superfluous or wrong TCK, historical bytes cut or overlong, interface bytes missing, a TS
 * that is neither 3B nor 3F — are listed in `issues` instead, read the way pcsc-tools'
 * ATR_analysis reads them, so a technician still gets an analysis (`ecps atr`).
 */
import { toHex } from '../../src-shared/hex';
import { parseHistoricalBytes, type HistoricalBytes } from './atr-historical';
import { cardErrors } from './errors';

export type { HistoricalBytes } from './atr-historical';

/** ISO 7816-3 table 7: clock rate conversion Fi and the matching fmax (MHz); undefined = RFU. */
const FI: readonly (readonly [number, number] | undefined)[] = [
  [372, 4], [372, 5], [558, 6], [744, 8], [1116, 12], [1488, 16], [1860, 20], undefined,
  undefined, [512, 5], [768, 7.5], [1024, 10], [1536, 15], [2048, 20], undefined, undefined,
];
/** ISO 7816-3 table 8: baud rate adjustment Di; undefined = RFU. */
const DI: readonly (number | undefined)[] = [
  undefined, 1, 2, 4, 8, 16, 32, 64, 12, 20, undefined, undefined, undefined, undefined, undefined, undefined,
];
const MAX_ATR_LENGTH = 33; // TS + at most 32 characters (ISO 7816-3 §8.2.1)

export interface InterfaceByteGroup {
  /** i of TAi/TBi/TCi/TDi, from 1. */
  index: number;
  /** Protocol the group is about: TD(i-1)'s T; undefined for group 1 (global). */
  protocol: number | undefined;
  ta?: number;
  tb?: number;
  tc?: number;
  td?: number;
}

export interface ClockRate {
  fiIndex: number;
  diIndex: number;
  fi: number | undefined;
  di: number | undefined;
  fmaxMHz: number | undefined;
  /** Fi or Di is reserved for future use (RFU) in ISO 7816-3. */
  rfu: boolean;
}

export interface SpecificMode {
  protocol: number;
  /** b8 = 0: the card can switch between negotiable and specific mode. */
  canChange: boolean;
  /** b5 = 1: parameters implicit, not from the interface bytes. */
  implicitParameters: boolean;
}

export type AtrIssue =
  | 'ts-invalid'
  | 't0-missing'
  | 'interface-bytes-missing'
  | 'tck-missing'
  | 'tck-unexpected'
  | 'tck-invalid'
  | 'historical-truncated'
  | 'trailing-bytes'
  | 'over-max-length';

export interface ParsedAtr {
  bytes: Uint8Array;
  hex: string;
  /** From TS; 'unknown' when TS is neither 3B nor 3F (lenient parsing only). */
  convention: 'direct' | 'inverse' | 'unknown';
  t0: number;
  historicalLength: number;
  groups: InterfaceByteGroup[];
  /** T of every TD, in order (T=15 included): what ATR_analysis lists. */
  indicatedProtocols: number[];
  /** Transmission protocols offered (T=15 excluded); T=0 when TD1 is absent. */
  protocols: number[];
  /** From TA1 when present. Absent: defaults Fi = 372, Di = 1. */
  clockRate?: ClockRate;
  /** TC1: extra guard time N in ETUs (255 = minimum guard time). */
  extraGuardTime?: number;
  /** TA2: the card runs in specific mode. */
  specificMode?: SpecificMode;
  /** TC2 for T=0: work waiting integer WI (default 10). */
  workWaitingInteger?: number;
  /** First TA/TB/TC after a TD announcing T=1 (ISO 7816-3 §11.4). */
  t1?: { ifsc?: number; bwi?: number; cwi?: number; errorDetection?: 'LRC' | 'CRC' };
  historicalBytes: Uint8Array;
  historical: HistoricalBytes;
  tck?: { value: number; valid: boolean };
  /** Non-fatal problems, only with `{ strict: false }`. */
  issues: AtrIssue[];
}

export function parseAtr(bytes: Uint8Array, options: { strict?: boolean } = {}): ParsedAtr {
  const strict = options.strict !== false;
  const issues: AtrIssue[] = [];
  const details = { atr: toHex(bytes.subarray(0, 40), '') };
  if (bytes.length === 0) throw cardErrors.create('AtrEmpty');
  const ts = bytes[0] as number;
  if (ts !== 0x3b && ts !== 0x3f) {
    if (strict) throw cardErrors.create('AtrBadTs', { details: { ...details, ts: toHex([ts]) } });
    issues.push('ts-invalid'); // ATR_analysis: "TS = 3A --> UNDEFINED", and it reads on
  }
  if (bytes.length > MAX_ATR_LENGTH) {
    if (strict) throw cardErrors.create('AtrOverMaxLength', { details: { ...details, length: bytes.length } });
    issues.push('over-max-length');
  }
  if (bytes.length < 2) {
    if (strict) throw cardErrors.create('AtrTooShort', { details });
    issues.push('t0-missing');
  }

  const t0 = bytes[1] ?? 0;
  const k = t0 & 0x0f;
  const groups: InterfaceByteGroup[] = [];
  let presence = t0 >> 4;
  let pos = 2;
  let protocol: number | undefined;
  // Lenient: interface bytes announced but absent end the analysis there (what is left is
  // read, the rest reported missing), as ATR_analysis prints what it could read.
  let cut = bytes.length < 2;
  const take = (): number | undefined => {
    if (cut) return undefined;
    if (pos >= bytes.length) {
      if (strict) throw cardErrors.create('AtrTruncated', { details: { ...details, missing: 'interface bytes' } });
      issues.push('interface-bytes-missing');
      cut = true;
      return undefined;
    }
    return bytes[pos++] as number;
  };
  for (let index = 1; !cut || index === 1; index++) {
    const group: InterfaceByteGroup = { index, protocol };
    if (presence & 0x1) assign(group, 'ta', take());
    if (presence & 0x2) assign(group, 'tb', take());
    if (presence & 0x4) assign(group, 'tc', take());
    if (presence & 0x8) assign(group, 'td', take());
    groups.push(group);
    if (group.td === undefined || cut) break;
    presence = group.td >> 4;
    protocol = group.td & 0x0f;
  }

  const indicatedProtocols = groups.filter((g) => g.td !== undefined).map((g) => (g.td as number) & 0x0f);
  const tckExpected = indicatedProtocols.some((t) => t !== 0);
  const left = Math.max(0, bytes.length - pos);
  let tckPresent = tckExpected && !cut;
  let historicalEnd = pos + k;
  if (cut) historicalEnd = pos;
  else if (left !== k + (tckExpected ? 1 : 0)) {
    if (strict) {
      const code = left < k + (tckExpected ? 1 : 0) ? 'AtrTruncated' : 'AtrTooLong';
      throw cardErrors.create(code, { details: { ...details, expected: k + (tckExpected ? 1 : 0), found: left } });
    }
    // ATR_analysis's reading: exactly one byte more than K is a TCK, whatever the protocols.
    tckPresent = left === k + 1;
    if (tckExpected && !tckPresent) issues.push('tck-missing');
    if (!tckExpected && tckPresent) issues.push('tck-unexpected');
    if (left < k) issues.push('historical-truncated');
    if (left > k + 1) issues.push('trailing-bytes');
    historicalEnd = Math.min(pos + k, bytes.length);
  }

  const historicalBytes = bytes.slice(pos, historicalEnd);
  const result: ParsedAtr = {
    bytes: bytes.slice(),
    hex: toHex(bytes),
    convention: ts === 0x3b ? 'direct' : ts === 0x3f ? 'inverse' : 'unknown',
    t0,
    historicalLength: k,
    groups,
    indicatedProtocols,
    protocols: offeredProtocols(indicatedProtocols),
    historicalBytes,
    historical: parseHistoricalBytes(historicalBytes),
    issues,
  };
  if (tckPresent) {
    let xor = 0;
    for (let i = 1; i < bytes.length; i++) xor ^= bytes[i] as number;
    result.tck = { value: bytes[bytes.length - 1] as number, valid: xor === 0 };
    if (!strict && xor !== 0) issues.push('tck-invalid');
  }
  describeInterfaceBytes(result, groups);
  return result;
}

function assign(group: InterfaceByteGroup, key: 'ta' | 'tb' | 'tc' | 'td', value: number | undefined): void {
  if (value !== undefined) group[key] = value;
}

function offeredProtocols(indicated: number[]): number[] {
  const offered = [...new Set(indicated.filter((t) => t !== 15))];
  return offered.length > 0 ? offered : [0];
}

function describeInterfaceBytes(result: ParsedAtr, groups: InterfaceByteGroup[]): void {
  const [g1, g2] = groups;
  if (g1?.ta !== undefined) {
    const fiIndex = g1.ta >> 4;
    const diIndex = g1.ta & 0x0f;
    const fi = FI[fiIndex];
    const di = DI[diIndex];
    result.clockRate = { fiIndex, diIndex, fi: fi?.[0], di, fmaxMHz: fi?.[1], rfu: fi === undefined || di === undefined };
  }
  if (g1?.tc !== undefined) result.extraGuardTime = g1.tc;
  if (g2?.ta !== undefined) {
    result.specificMode = {
      protocol: g2.ta & 0x0f,
      canChange: (g2.ta & 0x80) === 0,
      implicitParameters: (g2.ta & 0x10) !== 0,
    };
  }
  // TC2 is specific to T=0 (ISO 7816-3 §10.2): it only means WI when TD1 announced T=0.
  if (g2?.tc !== undefined && g2.protocol === 0) result.workWaitingInteger = g2.tc;
  const firstT1 = groups.find((g) => g.index >= 3 && g.protocol === 1);
  if (firstT1) {
    const t1: NonNullable<ParsedAtr['t1']> = {};
    if (firstT1.ta !== undefined) t1.ifsc = firstT1.ta;
    if (firstT1.tb !== undefined) {
      t1.bwi = firstT1.tb >> 4;
      t1.cwi = firstT1.tb & 0x0f;
    }
    if (firstT1.tc !== undefined) t1.errorDetection = (firstT1.tc & 0x01) === 1 ? 'CRC' : 'LRC';
    result.t1 = t1;
  }
}

