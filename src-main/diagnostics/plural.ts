/**
 * Counts said with each language's plural rule, never « essai(s) » (issue 12 item 12):
 * French takes the plural from 2 (« 0 essai », « 1 essai », « 2 essais »), English for every
 * count but 1. `count(n, 'essai', 'essais')` → « 2 essais ».
 */
export function frCount(n: number, one: string, many: string): string {
  return `${n} ${n >= 2 ? many : one}`;
}

export function enCount(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
