/**
 * The deterministic ATR sample of the agreement test, and the ATRs where ATR_analysis
 * itself is wrong (each with the reason; they are excluded from the comparison).
 */

/** CPS and Vitale ATRs are always part of the sample (domain.md §2). */
export const FRENCH_HEALTH_ATRS = [
  '3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00',
  '3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00',
  '3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E',
  '3B 75 13 00 00 43 09 EA 90 00',
  '3B 75 13 00 00 45 09 FA 90 00',
  '3F 65 25 00 52 09 6A 90 00',
];

/** mulberry32: a tiny seeded PRNG, so the sample is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleAtrs(all: readonly string[], size = 150, seed = 0xc0ffee): string[] {
  const random = prng(seed);
  const pool = [...all];
  const picked = new Set<string>();
  while (picked.size < Math.min(size, pool.length)) picked.add(pool[Math.floor(random() * pool.length)]!);
  for (const atr of FRENCH_HEALTH_ATRS) if (all.includes(atr)) picked.add(atr);
  return [...picked];
}

/** ATR → why ATR_analysis's reading is wrong (ISO 7816-3 clause). */
export const KNOWN_ATR_ANALYSIS_DIFFERENCES: Record<string, string> = {
  // ATR_analysis exits as soon as its byte list is empty, before it compares what is left
  // with K: these ATRs end right after their interface bytes although T0 announces
  // historical bytes, and it says nothing. ISO 7816-3 §8.2.2: K historical bytes must
  // follow, so our strict parser rejects them as truncated (lenient: 'historical-truncated').
  '3B 6D 00 00': 'K = 13 but no historical byte follows TB1 TC1; ATR_analysis stops silently',
  '3B BA 94 00 40 14': 'K = 10 but no historical byte follows TC2; ATR_analysis stops silently',
};
