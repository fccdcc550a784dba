/**
 * Historical bytes of an ATR (ISO 7816-4 §12.1.1 "Historical bytes"): a category indicator,
 * then compact-TLV objects (one byte: tag in the high nibble, length in the low nibble).
 *   00 → compact-TLV objects, then a mandatory 3-byte status indicator (LCS, SW1, SW2);
 *   80 → compact-TLV objects only (a status indicator may appear as tag 8);
 *   10 → the next byte is a DIR data reference;
 *   81–8F → reserved; anything else → proprietary.
 * Informational only: a malformed object is reported (`malformed`), never thrown.
 */

export type HistoricalCategory = 'compact-tlv-with-status' | 'compact-tlv' | 'dir-reference' | 'reserved' | 'proprietary' | 'none';

export interface CompactTlvObject {
  tag: number;
  name: string;
  value: Uint8Array;
}

export interface StatusIndicator {
  /** Life cycle status byte (ISO 7816-4 table 15). */
  lcs?: number;
  sw?: number;
}

export interface HistoricalBytes {
  category: HistoricalCategory;
  categoryByte: number | undefined;
  objects: CompactTlvObject[];
  status?: StatusIndicator;
  dirReference?: number;
  /** A compact-TLV object announced more bytes than are left. */
  malformed: boolean;
}

/** Names from ISO 7816-4 §12.1.1 (compact-TLV tags of the historical bytes). */
const TAG_NAMES: Record<number, string> = {
  0x1: 'country code',
  0x2: 'issuer identification number',
  0x3: 'card service data',
  0x4: 'initial access data',
  0x5: "card issuer's data",
  0x6: 'pre-issuing data',
  0x7: 'card capabilities',
  0x8: 'status indicator',
  0xf: 'application identifier',
};

export function parseHistoricalBytes(bytes: Uint8Array): HistoricalBytes {
  const categoryByte = bytes[0];
  const base = { categoryByte, objects: [] as CompactTlvObject[], malformed: false };
  if (categoryByte === undefined) return { ...base, category: 'none' };
  const rest = bytes.subarray(1);
  if (categoryByte === 0x00) {
    if (rest.length < 3) return { ...base, category: 'compact-tlv-with-status', malformed: true };
    const parsed = parseCompactTlv(rest.subarray(0, rest.length - 3));
    const [lcs, sw1, sw2] = rest.subarray(rest.length - 3) as unknown as [number, number, number];
    return { ...base, ...parsed, category: 'compact-tlv-with-status', status: { lcs, sw: (sw1 << 8) | sw2 } };
  }
  if (categoryByte === 0x80) {
    const parsed = parseCompactTlv(rest);
    const indicator = parsed.objects.find((o) => o.tag === 0x8);
    const status = indicator ? statusFromObject(indicator.value) : undefined;
    return status ? { ...base, ...parsed, category: 'compact-tlv', status } : { ...base, ...parsed, category: 'compact-tlv' };
  }
  if (categoryByte === 0x10) {
    const ref = rest[0];
    return ref === undefined
      ? { ...base, category: 'dir-reference', malformed: true }
      : { ...base, category: 'dir-reference', dirReference: ref };
  }
  if (categoryByte >= 0x81 && categoryByte <= 0x8f) return { ...base, category: 'reserved' };
  return { ...base, category: 'proprietary' };
}

function parseCompactTlv(bytes: Uint8Array): { objects: CompactTlvObject[]; malformed: boolean } {
  const objects: CompactTlvObject[] = [];
  let i = 0;
  while (i < bytes.length) {
    const head = bytes[i] as number;
    const tag = head >> 4;
    const length = head & 0x0f;
    if (i + 1 + length > bytes.length) return { objects, malformed: true };
    objects.push({ tag, name: TAG_NAMES[tag] ?? 'unknown', value: bytes.slice(i + 1, i + 1 + length) });
    i += 1 + length;
  }
  return { objects, malformed: false };
}

/** Tag 8: 1 byte = LCS, 2 bytes = SW, 3 bytes = LCS + SW (ISO 7816-4 §12.1.1.11). */
function statusFromObject(value: Uint8Array): StatusIndicator | undefined {
  if (value.length === 1) return { lcs: value[0] as number };
  if (value.length === 2) return { sw: ((value[0] as number) << 8) | (value[1] as number) };
  if (value.length === 3) return { lcs: value[0] as number, sw: ((value[1] as number) << 8) | (value[2] as number) };
  return undefined;
}
