/** Small statistics for the benchmarks: medians and quartiles of per-round ratios. */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

export function fmt(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** "1.03× (IQR 1.01–1.05)" */
export function ratioSummary(ratios: readonly number[]): string {
  return `${fmt(median(ratios), 3)}× (IQR ${fmt(quantile(ratios, 0.25), 3)}–${fmt(quantile(ratios, 0.75), 3)})`;
}

/** Rotates the order of the methods each round so none always runs first (warm caches, CPU boost). */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
