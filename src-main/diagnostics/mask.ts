/**
 * Personal data in a diagnostic report is masked unless the user asks (issue 6 §3): a name
 * keeps its first letter (`DUPONT` → `D***`), a number its first and last three digits
 * (`99700075122` → `997*****122`). Belt and braces: every string of the report is scrubbed of
 * the holder's values (certificate subjects in check evidence, error texts…), and the file
 * data the card returned (READ BINARY / GET RESPONSE: the certificate, with name and RPPS) is
 * left out of the APDU trace.
 */
import type { CpsIdentity } from '../card/cps/index';

export function maskName(value: string): string {
  const first = [...value.trim()][0];
  return first === undefined ? '' : `${first}***`;
}

export function maskDigits(value: string): string {
  if (value.length <= 6) return `${value.slice(0, 1)}${'*'.repeat(Math.max(0, value.length - 1))}`;
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 6)}${value.slice(-3)}`;
}

/** The holder's values and their masked forms, longest first (an idNat contains its RPPS). */
export function personalValues(identity: Partial<CpsIdentity>): [string, string][] {
  const pairs: [string, string][] = [];
  const add = (value: string | undefined, mask: (v: string) => string) => {
    if (value && value.trim().length >= 2) pairs.push([value, mask(value)]);
  };
  add(identity.surname, maskName);
  add(identity.givenName, maskName);
  add(identity.organization, maskName);
  add(identity.idNat, maskDigits);
  add(identity.rpps, maskDigits);
  add(identity.adeli, maskDigits);
  add(identity.finess, maskDigits);
  add(identity.employeeId, maskDigits);
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

/** Replaces every personal value in every string of `value` (deep copy). */
export function scrub<T>(value: T, pairs: readonly [string, string][]): T {
  if (pairs.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return pairs.reduce((text, [plain, masked]) => text.split(plain).join(masked), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** INS whose response data is card file content: READ BINARY (B0, B1) and GET RESPONSE (C0). GET DATA (CA, CB) stays: PIN counters. */
const FILE_DATA_INS = new Set([0xb0, 0xb1, 0xc0]);

/** A trace response without its file data: `** 231 bytes of card data hidden ** 90 00`. */
export function hideFileData(command: string, response: string): string {
  const bytes = command.replace(/\s+/g, '').match(/^[0-9A-Fa-f]{2}([0-9A-Fa-f]{2})/);
  const ins = bytes ? parseInt(bytes[1]!, 16) : -1;
  const hex = response.replace(/\s+/g, '');
  if (!FILE_DATA_INS.has(ins) || hex.length <= 4) return response;
  const sw = hex.slice(-4).toUpperCase();
  return `** ${hex.length / 2 - 2} octets de données carte masqués (card data hidden) ** ${sw.slice(0, 2)} ${sw.slice(2)}`;
}
