/**
 * Status-word dictionary (ISO 7816-4 + IAS-ECC), kept as data in
 * `resources/status-words.json` so support can read and extend it.
 * Patterns are 4 characters, hex digits or `x` (any nibble): `63Cx`, `61xx`.
 * The most specific pattern (fewest wildcards) wins, so `6A82` beats `6Axx`.
 */
import type { Lang, LocalizedText } from '../../src-shared/errors';
import { formatStatusWord } from './apdu';
import { readResourceJson } from './resource-files';

export type StatusWordKind = 'success' | 'warning' | 'error';

export interface StatusWordEntry extends LocalizedText {
  pattern: string;
  kind: StatusWordKind;
  source: string;
  /** Card-specific readings, e.g. `cps4` for 6985 (re-select the applications). */
  notes?: Record<string, LocalizedText>;
}

export interface StatusWordFile {
  sources: Record<string, string>;
  entries: StatusWordEntry[];
}

export interface StatusWordDescription {
  /** `6A82` */
  sw: string;
  kind: StatusWordKind;
  text: LocalizedText;
  /** The matching pattern, or undefined for an unknown status word. */
  pattern: string | undefined;
}

/** SW1 always exact; SW2 exact, low nibble free (`63Cx`) or fully free (`61xx`). */
export const STATUS_WORD_PATTERN = /^[0-9A-F]{2}(?:[0-9A-F]{2}|[0-9A-F]x|xx)$/;

let table: { entry: StatusWordEntry; mask: number; value: number; wildcards: number }[] | undefined;

export function loadStatusWordFile(): StatusWordFile {
  return readResourceJson('status-words.json') as StatusWordFile;
}

function compiled() {
  if (table) return table;
  table = loadStatusWordFile().entries.map((entry) => {
    let mask = 0;
    let value = 0;
    let wildcards = 0;
    for (const ch of entry.pattern) {
      mask <<= 4;
      value <<= 4;
      if (ch === 'x') wildcards++;
      else {
        mask |= 0xf;
        value |= parseInt(ch, 16);
      }
    }
    return { entry, mask, value, wildcards };
  });
  table.sort((a, b) => a.wildcards - b.wildcards);
  return table;
}

/** The dictionary entry for a status word, most specific first; undefined when unknown. */
export function lookupStatusWord(sw: number): StatusWordEntry | undefined {
  return compiled().find((row) => (sw & row.mask) === row.value)?.entry;
}

/** Structured description in both languages, with `{x}` / `{xx}` filled in. */
export function statusWordDescription(sw: number, card?: string): StatusWordDescription {
  const hex = formatStatusWord(sw);
  const entry = lookupStatusWord(sw);
  if (!entry) {
    return {
      sw: hex,
      kind: (sw >> 8) === 0x90 ? 'success' : 'error',
      text: { fr: `Statut ${hex} inconnu.`, en: `Unknown status ${hex}.` },
      pattern: undefined,
    };
  }
  const fill = (text: string) => text.replace('{xx}', String(sw & 0xff)).replace('{x}', String(sw & 0x0f));
  const note = card ? entry.notes?.[card] : undefined;
  return {
    sw: hex,
    kind: entry.kind,
    text: {
      fr: fill(entry.fr) + (note ? ` ${note.fr}` : ''),
      en: fill(entry.en) + (note ? ` ${note.en}` : ''),
    },
    pattern: entry.pattern,
  };
}

/** `6A82 : Fichier ou application introuvable.` in the requested language. */
export function describeStatusWord(sw: number, lang: Lang, card?: string): string {
  const d = statusWordDescription(sw, card);
  // French typography puts a space before the colon.
  return lang === 'fr' ? `${d.sw} : ${d.text.fr}` : `${d.sw}: ${d.text.en}`;
}
