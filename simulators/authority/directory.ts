/**
 * The sandbox's directory of professionals (the ANS directory's stand-in): who exists, and
 * which contact details are on file. Activation without the card needs both an e-mail (for the
 * QR code) and a mobile (for the SMS code); ADELI professionals need the card (domain.md §1).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseNationalId, type ProfessionalLookup } from '../../src-shared/activation-authority';

const entrySchema = z
  .object({
    idNat: z.string().regex(/^(8\d{11}|0\d{9})$/),
    surname: z.string().min(1),
    givenName: z.string().min(1),
    profession: z.string().min(1),
    email: z.string().email().optional(),
    /** E.164, French mobile. */
    mobile: z.string().regex(/^\+33[67]\d{8}$/).optional(),
    note: z.string().optional(),
  })
  .strict();
export type DirectoryEntry = z.infer<typeof entrySchema>;

const fileSchema = z.object({ comment: z.string().optional(), professionals: z.array(entrySchema) }).strict();

export const DEFAULT_DIRECTORY_FILE = new URL('./directory.json', import.meta.url);

export class ProfessionalDirectory {
  private readonly byIdNat: Map<string, DirectoryEntry>;

  constructor(entries: readonly DirectoryEntry[]) {
    this.byIdNat = new Map(entries.map((e) => [e.idNat, { ...e }]));
  }

  static load(file: URL | string = DEFAULT_DIRECTORY_FILE): ProfessionalDirectory {
    const parsed = fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    return new ProfessionalDirectory(parsed.professionals);
  }

  entries(): DirectoryEntry[] {
    return [...this.byIdNat.values()].map((e) => ({ ...e }));
  }

  find(idNat: string): DirectoryEntry | undefined {
    return this.byIdNat.get(idNat);
  }

  /** Lookup answer for an entry: masked contact details only (the full ones stay here). */
  static describe(entry: DirectoryEntry): ProfessionalLookup {
    const parsed = parseNationalId(entry.idNat);
    const kind = parsed?.kind ?? (entry.idNat.startsWith('0') ? 'adeli' : 'rpps');
    return {
      idNat: entry.idNat,
      kind,
      contactOnFile: entry.email !== undefined && entry.mobile !== undefined,
      ...(entry.email !== undefined ? { maskedEmail: maskEmail(entry.email) } : {}),
      ...(entry.mobile !== undefined ? { maskedPhone: maskMobile(entry.mobile) } : {}),
      cardRequired: kind === 'adeli',
    };
  }
}

/** `marie.dupont@exemple.test` → `ma•••@exemple.test`: enough to recognise one's own address. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, Math.min(2, Math.max(1, at - 1)))}•••${email.slice(at)}`;
}

/** `+33639980013` → `06 •• •• •• 13` (French national format). */
export function maskMobile(e164: string): string {
  const national = `0${e164.slice(3)}`;
  return `${national.slice(0, 2)} •• •• •• ${national.slice(-2)}`;
}
