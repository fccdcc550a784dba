/**
 * The knowledge bases are data with sources (issue 6 §4): every file validates against its
 * schema, every source an entry names is declared, and the lookups the checks rely on work.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { galssErrorsFileSchema, localizedTextSchema, readersFileSchema, undeclaredSources } from '../../../src-main/diagnostics/knowledge-schema';
import { loadReaderKnowledge, lookupGalssError, readKnowledgeJson } from '../../../src-main/diagnostics/knowledge';
import { parseGalssIni } from '../../../src-main/diagnostics/galss-ini';
import { parseSlotName } from '../../../src-main/diagnostics/reader-facts';

const resource = (p: string) => JSON.parse(readFileSync(new URL(`../../../resources/${p}`, import.meta.url), 'utf8')) as unknown;

/** The card layer's files (resources/cards/atr-knowledge.json, resources/status-words.json), reused by the diagnostics. */
const atrFileSchema = z.object({
  $comment: z.string().min(1),
  entries: z.array(z.object({ id: z.string(), type: z.string(), atr: z.string().regex(/^[0-9A-F]{2}( [0-9A-F]{2})*$/), mask: z.string().regex(/^[0-9A-F]{2}( [0-9A-F]{2})*$/), label: localizedTextSchema, source: z.string().min(1) }).strict()).min(1),
});
const statusWordsSchema = z.object({
  $comment: z.string().min(1),
  sources: z.record(z.string()),
  entries: z.array(z.object({ pattern: z.string().regex(/^[0-9A-F]{2}(?:[0-9A-F]{2}|[0-9A-F]x|xx)$/), kind: z.enum(['success', 'warning', 'error']), source: z.string(), fr: z.string().min(1), en: z.string().min(1), notes: z.record(localizedTextSchema).optional() }).strict()).min(1),
});

describe('knowledge base files', () => {
  it('readers.json validates, and every source it names is declared', () => {
    const file = readersFileSchema.parse(readKnowledgeJson('readers.json'));
    const named = [...file.slotConvention.sources, ...file.readers.flatMap((r) => [...r.sources, ...r.quirks.flatMap((q) => q.sources)])];
    expect(undeclaredSources(file, named)).toEqual([]);
    expect(new Set(file.readers.map((r) => r.id)).size).toBe(file.readers.length);
  });

  it('galss-errors.json validates, with the codes of the research notes', () => {
    const file = galssErrorsFileSchema.parse(readKnowledgeJson('galss-errors.json'));
    expect(undeclaredSources(file, [...file.errors, ...file.pssStatuses].flatMap((e) => e.sources))).toEqual([]);
    expect(file.errors.map((e) => e.code)).toEqual(expect.arrayContaining(['0x0004', '0x0200', '0x0400', '0x0800', '0x8001', '0x8002']));
  });

  it('the card layer files reused by the diagnostics validate too', () => {
    expect(() => atrFileSchema.parse(resource('cards/atr-knowledge.json'))).not.toThrow();
    const sw = statusWordsSchema.parse(resource('status-words.json'));
    for (const e of sw.entries) expect(Object.keys(sw.sources)).toContain(e.source);
  });

  it('the schema refuses a broken entry (bad USB id, bad regex, missing remedy language)', () => {
    const file = readKnowledgeJson('readers.json') as { readers: Record<string, unknown>[] };
    const bad = structuredClone(file);
    bad.readers[0] = { ...bad.readers[0], usb: [{ vendorId: '0B00', productId: '90' }] };
    expect(readersFileSchema.safeParse(bad).success).toBe(false);
    const badRegex = structuredClone(file);
    badRegex.readers[0] = { ...badRegex.readers[0], namePatterns: ['(unclosed'] };
    expect(readersFileSchema.safeParse(badRegex).success).toBe(false);
    const galss = structuredClone(readKnowledgeJson('galss-errors.json')) as { errors: { remedy: unknown }[] };
    galss.errors[0]!.remedy = { fr: 'seulement en français' };
    expect(galssErrorsFileSchema.safeParse(galss).success).toBe(false);
  });
});

describe('lookups', () => {
  const kb = loadReaderKnowledge();
  it('USB ids: exact id beats the Kapelse 01xx family; Ingenico SESAM-Vitale; unknown → undefined', () => {
    expect(kb.byUsb('2947', '0105')?.id).toBe('kapelse-kap-link2');
    expect(kb.byUsb('2947', '0113')?.id).toBe('kapelse-family');
    expect(kb.byUsb('0B00', '0090')?.id).toBe('ingenico-sesam-vitale');
    expect(kb.byUsb('0f14', '0038')?.id).toBe('xiring-family');
    expect(kb.byUsb('dead', 'beef')).toBeUndefined();
  });

  it('PC/SC names: vendor/OS variants by pattern', () => {
    expect(kb.byName('KAPELSE KAP-LINK (0042) 00 00')?.id).toBe('kapelse-kap-link');
    expect(kb.byName('Kapelse KAP-LINK2 [CCID Interface] 00 00')?.id).toBe('kapelse-kap-link2');
    expect(kb.byName('Ingenico TL TELIUM (25005334) 00 02')?.id).toBe('ingenico-sesam-vitale');
    expect(kb.byName('ACS ACR33U-A1 3SAM ICC Reader 00 00')?.id).toBe('acs-acr33');
    expect(kb.byName('Virtual PCD 00 01')?.id).toBe('vpcd-virtual');
    expect(kb.byName('Some Unknown Reader 00 00')).toBeUndefined();
    expect(kb.slotRoles()).toEqual(['cps', 'vitale']);
  });

  it('GALSS codes by hex text or number', () => {
    expect(lookupGalssError('0x8002')?.name).toBe('galss-server-missing');
    expect(lookupGalssError(4)?.name).toBe('exclusivity-held');
    expect(lookupGalssError('17')?.name).toBe('no-card');
    expect(lookupGalssError('0x9999')).toBeUndefined();
  });

  it('slot names: pcsc-lite "XX YY", a trailing digit, or none', () => {
    expect(parseSlotName('Virtual PCD 00 01')).toEqual({ base: 'Virtual PCD', readerIndex: 0, slotIndex: 1 });
    expect(parseSlotName('Ingenico TL TELIUM 1')).toEqual({ base: 'Ingenico TL TELIUM', slotIndex: 1 });
    expect(parseSlotName('Reader')).toEqual({ base: 'Reader', slotIndex: 0 });
  });

  it('galss.ini parsing: BOM, CRLF, comments, accents in keys, quoted values', () => {
    const ini = parseGalssIni('\uFEFF; test\r\n[CANAL2]\r\nCaractéristiques="Lecteur B 00 01"\r\n[canal1]\r\ncaracteristiques = Lecteur A 00 00\r\nIndex=1\r\n[PAD1]\r\nNom=CPS\r\n');
    expect(ini.channels.map((c) => [c.number, c.reader])).toEqual([[1, 'Lecteur A 00 00'], [2, 'Lecteur B 00 01']]);
    expect(ini.channels[0]!.fields).toMatchObject({ index: '1' });
    expect(ini.sections).toEqual(['CANAL2', 'canal1', 'PAD1']);
  });
});
