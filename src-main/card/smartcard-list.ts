/**
 * Names a card our knowledge base does not know from pcsc-tools' `smartcard_list.txt`
 * (Ludovic Rousseau's public list of ATRs, Debian package pcsc-tools), the way its
 * ATR_analysis does: each entry is an ATR written as a regular expression over the spaced
 * upper-case hex ATR ("3B AC 00 40 2A …", `.` for any digit), followed by tab-indented lines
 * describing the card. Every matching entry is kept, in file order.
 *
 * The file is looked for where ATR_analysis looks (its own cache first, then the system
 * copies); ECPS_SMARTCARD_LIST names another one (`none`: none). Read only when a card is unknown.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { toHex } from '../../src-shared/hex';

export interface SmartcardListMatch {
  /** The list file the names come from. */
  file: string;
  /** One entry per matching ATR pattern: its description lines (name first, then links…). */
  entries: { pattern: string; descriptions: string[] }[];
}

/** Where the list is looked for; ECPS_SMARTCARD_LIST alone when set (`none`: no list at all). */
export function smartcardListFiles(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  if (env.ECPS_SMARTCARD_LIST) return env.ECPS_SMARTCARD_LIST === 'none' ? [] : [env.ECPS_SMARTCARD_LIST];
  return [
    path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'smartcard_list.txt'),
    path.join(home, '.smartcard_list.txt'),
    '/usr/local/pcsc/smartcard_list.txt',
    '/usr/share/pcsc/smartcard_list.txt',
    '/usr/local/share/pcsc/smartcard_list.txt',
  ];
}

interface ListEntry {
  pattern: string;
  /** Whether the spaced upper-case ATR matches the whole pattern. */
  matches: (spaced: string) => boolean;
  descriptions: string[];
}

/** Hex digits, `.` and spaces only: the regular expression matches position by position. */
const POSITIONAL = /^[0-9A-F. ]*$/;
const DOT = 0x2e;

/**
 * Nearly all of the list's 3,000-odd patterns are plain hex with `.` wildcards: compiling a
 * RegExp for each (and the garbage it leaves) was most of `ecps atr`'s run — 120 of 270 ms
 * (issue 11 §2). Those are compared character by character, which is exactly what their
 * expression means (no quantifier: same length, `.` any character); the few others
 * (`0[1-5]`, `3[1,3]`…) get their RegExp, compiled the first time it is needed.
 */
function matcherOf(pattern: string): (spaced: string) => boolean {
  const upper = pattern.toUpperCase();
  if (POSITIONAL.test(upper)) {
    return (spaced) => {
      if (spaced.length !== upper.length) return false;
      for (let i = 0; i < upper.length; i++) {
        const p = upper.charCodeAt(i);
        if (p !== DOT && p !== spaced.charCodeAt(i)) return false;
      }
      return true;
    };
  }
  let regex: RegExp | null | undefined;
  return (spaced) => {
    if (regex === undefined) {
      try {
        regex = new RegExp(`^${pattern}$`, 'i');
      } catch {
        regex = null; // a pattern JavaScript cannot read: skipped, like a non-matching one
      }
    }
    return regex !== null && regex.test(spaced);
  };
}

const parsed = new Map<string, ListEntry[]>();

function entriesOf(file: string): ListEntry[] {
  const cached = parsed.get(file);
  if (cached) return cached;
  const entries: ListEntry[] = [];
  let current: ListEntry | undefined;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (line.startsWith('\t')) {
      const text = line.trim();
      if (current && text) current.descriptions.push(text);
      continue;
    }
    if (line.trim() === '' || line.startsWith('#')) {
      current = undefined;
      continue;
    }
    const pattern = line.trim();
    current = { pattern, matches: matcherOf(pattern), descriptions: [] };
    entries.push(current);
  }
  parsed.set(file, entries);
  return entries;
}

/** The entries of the first (non-empty) list file found that match `atr`; undefined when no file is installed. */
export function lookupSmartcardList(atr: Uint8Array, files: readonly string[] = smartcardListFiles()): SmartcardListMatch | undefined {
  // An empty file is skipped: ATR_analysis leaves one in its cache when its update fails.
  const file = files.find((f) => {
    try {
      return statSync(f).size > 0;
    } catch {
      return false;
    }
  });
  if (!file) return undefined;
  let entries: ListEntry[];
  try {
    entries = entriesOf(file);
  } catch {
    return undefined;
  }
  const spaced = toHex(atr, ' ').toUpperCase();
  const matches = entries.filter((e) => e.descriptions.length > 0 && e.matches(spaced));
  return { file, entries: matches.map((e) => ({ pattern: e.pattern, descriptions: e.descriptions })) };
}
