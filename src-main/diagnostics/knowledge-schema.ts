/**
 * Schemas of the diagnostics knowledge bases in `resources/knowledge/` (issue 6 §4), with zod
 * (already a dependency). The test test/unit/diagnostics/knowledge.test.ts validates every data
 * file against them, and checks that every `sources` key an entry names is declared.
 */
import { z } from 'zod';

export const localizedTextSchema = z.object({ fr: z.string().min(1), en: z.string().min(1) }).strict();

const hex4 = /^[0-9a-f]{4}$/;
const hexFamily = /^[0-9a-f]{2}(?:[0-9a-f]{2}|xx)$/;

/** A namePattern must compile as a JavaScript regular expression. */
const regexString = z.string().min(1).refine((text) => {
  try {
    new RegExp(text, 'i');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

export const readerQuirkSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    level: z.enum(['info', 'warn']),
    text: localizedTextSchema,
    remedy: localizedTextSchema.optional(),
    sources: z.array(z.string()).min(1),
  })
  .strict();

export const slotRoleSchema = z.enum(['cps', 'vitale']);

export const readerEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    vendor: z.string().min(1),
    model: z.string().min(1),
    /** The model's name per language, when it is words rather than a product reference. */
    label: localizedTextSchema.optional(),
    usb: z.array(z.object({ vendorId: z.string().regex(hex4), productId: z.string().regex(hexFamily) }).strict()),
    namePatterns: z.array(regexString),
    dualSlot: z.boolean(),
    /** Role of each slot, by slot index, when this model differs from the general convention. */
    slotRoles: z.array(slotRoleSchema).optional(),
    confidence: z.enum(['C', 'I']),
    sources: z.array(z.string()).min(1),
    quirks: z.array(readerQuirkSchema),
  })
  .strict()
  .refine((entry) => entry.usb.length > 0 || entry.namePatterns.length > 0, 'an entry needs USB ids or name patterns');

export const readersFileSchema = z
  .object({
    $comment: z.string().min(1),
    sources: z.record(z.string().min(1)),
    slotConvention: z
      .object({
        dualSlotRoles: z.array(slotRoleSchema).min(2),
        confidence: z.enum(['C', 'I']),
        note: z.string().min(1),
        sources: z.array(z.string()).min(1),
      })
      .strict(),
    readers: z.array(readerEntrySchema).min(1),
  })
  .strict();

const galssEntrySchema = z
  .object({
    code: z.string().regex(/^0x[0-9A-F]{2,4}$/),
    name: z.string().regex(/^[a-z0-9-]+$/),
    meaning: localizedTextSchema,
    remedy: localizedTextSchema,
    sources: z.array(z.string()).min(1),
  })
  .strict();

export const galssErrorsFileSchema = z
  .object({
    $comment: z.string().min(1),
    sources: z.record(z.string().min(1)),
    errors: z.array(galssEntrySchema).min(1),
    pssStatuses: z.array(galssEntrySchema),
  })
  .strict();

export type ReaderQuirk = z.infer<typeof readerQuirkSchema>;
export type ReaderEntry = z.infer<typeof readerEntrySchema>;
export type ReadersFile = z.infer<typeof readersFileSchema>;
export type SlotRole = z.infer<typeof slotRoleSchema>;
export type GalssErrorsFile = z.infer<typeof galssErrorsFileSchema>;
export type GalssErrorEntry = z.infer<typeof galssEntrySchema>;

/** Source keys named by entries but not declared in the file's `sources` (should be empty). */
export function undeclaredSources(file: { sources: Record<string, string> }, named: readonly string[]): string[] {
  return [...new Set(named.filter((key) => !(key in file.sources)))];
}
