/**
 * The reader and GALSS knowledge bases (`resources/knowledge/*.json`), loaded once, validated
 * with their schema, and the lookups the checks need: a USB id or a PC/SC reader name → the
 * model, its quirks and remedies. Read with `fs` like src-main/card/resource-files.ts: data
 * files stay editable by support staff.
 */
import { readFileSync } from 'node:fs';
import {
  galssErrorsFileSchema,
  readersFileSchema,
  type GalssErrorEntry,
  type GalssErrorsFile,
  type ReaderEntry,
  type ReadersFile,
  type SlotRole,
} from './knowledge-schema';

export function readKnowledgeJson(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../resources/knowledge/${name}`, import.meta.url), 'utf8')) as unknown;
}

export interface ReaderKnowledge {
  file: ReadersFile;
  /** The most specific entry for a USB id (exact product id beats an `xx` family). */
  byUsb(vendorId: string, productId: string): ReaderEntry | undefined;
  /** The entry whose name patterns match a PC/SC reader name (most specific USB id first, then file order). */
  byName(readerName: string): ReaderEntry | undefined;
  /** Whether this PC/SC reader name is one of the entry's names. */
  nameMatches(entry: ReaderEntry, readerName: string): boolean;
  /** Role of each slot of a dual-slot reader (the entry's own, else the general convention). */
  slotRoles(entry?: ReaderEntry): readonly SlotRole[];
}

export function createReaderKnowledge(file: ReadersFile): ReaderKnowledge {
  const compiled = new Map(file.readers.map((e) => [e, e.namePatterns.map((p) => new RegExp(p, 'i'))]));
  const specificity = (e: ReaderEntry) => (e.usb.some((u) => !u.productId.endsWith('xx')) ? 1 : 0);
  const byNameOrder = [...file.readers].sort((a, b) => specificity(b) - specificity(a));
  const nameMatches = (entry: ReaderEntry, name: string) => (compiled.get(entry) ?? []).some((re) => re.test(name));
  return {
    file,
    byUsb(vendorId, productId) {
      const vid = vendorId.toLowerCase();
      const pid = productId.toLowerCase();
      let family: ReaderEntry | undefined;
      for (const entry of file.readers) {
        for (const usb of entry.usb) {
          if (usb.vendorId !== vid) continue;
          if (usb.productId === pid) return entry;
          if (usb.productId.endsWith('xx') && pid.startsWith(usb.productId.slice(0, 2))) family ??= entry;
        }
      }
      return family;
    },
    byName(readerName) {
      return byNameOrder.find((entry) => nameMatches(entry, readerName));
    },
    nameMatches,
    slotRoles(entry) {
      return entry?.slotRoles ?? file.slotConvention.dualSlotRoles;
    },
  };
}

let readers: ReaderKnowledge | undefined;
let galss: GalssErrorsFile | undefined;

export function loadReaderKnowledge(): ReaderKnowledge {
  readers ??= createReaderKnowledge(readersFileSchema.parse(readKnowledgeJson('readers.json')));
  return readers;
}

export function loadGalssErrors(): GalssErrorsFile {
  galss ??= galssErrorsFileSchema.parse(readKnowledgeJson('galss-errors.json'));
  return galss;
}

/** A GALSS error (`0x8001`, `8001`, 32769) or PSS status (`0x17`) from the knowledge base. */
export function lookupGalssError(code: string | number): GalssErrorEntry | undefined {
  const value = typeof code === 'number' ? code : parseInt(code.replace(/^0x/i, ''), 16);
  if (!Number.isFinite(value)) return undefined;
  const file = loadGalssErrors();
  return [...file.errors, ...file.pssStatuses].find((e) => parseInt(e.code.slice(2), 16) === value);
}
