/**
 * The help topics, as data (resources/help/help.json, documented in resources/help/README.md):
 * one file, every text carrying its French and English version side by side, so the two
 * languages cannot drift apart. Validated here (and in test/unit/help/): every topic of the
 * contract present once, no empty text, https links only. Served to the renderer by `help.get`
 * (the renderer may not read resources/).
 *
 * The links of this file are also the ONLY addresses the Electron shell opens outside the app
 * (`helpLinkAllowlist`, used by electron-wiring.ts's new-window handler).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Lang } from '../../src-shared/errors';
import { HELP_TOPIC_IDS, helpTopicIdSchema, type HelpTopicView } from '../../src-shared/ipc-contract';
import { settingsError } from './errors';

export const DEFAULT_HELP_FILE = new URL('../../resources/help/help.json', import.meta.url);

const text = z.object({ fr: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const httpsUrl = z
  .string()
  .url()
  .refine((u) => new URL(u).protocol === 'https:', { message: 'links must be https' });

export const helpFileSchema = z
  .object({
    version: z.literal(1),
    topics: z.array(
      z
        .object({
          id: helpTopicIdSchema,
          title: text,
          paragraphs: z.array(text),
          steps: z.array(text),
          links: z.array(z.object({ label: text, url: httpsUrl }).strict()),
          phones: z.array(z.object({ label: text, number: z.string().regex(/^\+?[0-9][0-9 ]{3,20}$/) }).strict()),
        })
        .strict()
        .refine((t) => t.paragraphs.length + t.steps.length > 0, { message: 'a topic needs a paragraph or a step' }),
    ),
  })
  .strict()
  .superRefine((file, ctx) => {
    const ids = file.topics.map((t) => t.id);
    for (const id of HELP_TOPIC_IDS) {
      const count = ids.filter((i) => i === id).length;
      if (count !== 1) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `topic ${id} appears ${count} times` });
    }
  });

export type HelpFile = z.infer<typeof helpFileSchema>;

/** Reads and validates the help file; an invalid file is a coded error (a packaging bug). */
export function loadHelpFile(file: URL | string = DEFAULT_HELP_FILE): HelpFile {
  const where = typeof file === 'string' ? file : fileURLToPath(file);
  try {
    return helpFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw settingsError('HelpDataInvalid', { file: where }, error);
  }
}

/** The topics in one language, in the file's order. */
export function helpTopicsIn(help: HelpFile, lang: Lang): HelpTopicView[] {
  return help.topics.map((t) => ({
    id: t.id,
    title: t.title[lang],
    paragraphs: t.paragraphs.map((p) => p[lang]),
    steps: t.steps.map((s) => s[lang]),
    links: t.links.map((l) => ({ label: l.label[lang], url: l.url })),
    phones: t.phones.map((p) => ({ label: p.label[lang], number: p.number })),
  }));
}

/** The exact https URLs of the help file (normalised by the URL parser). */
export function helpLinkAllowlist(help: HelpFile): Set<string> {
  return new Set(help.topics.flatMap((t) => t.links.map((l) => new URL(l.url).href)));
}

/** True only for an https URL that is, exactly, one of the help file's links. */
export function isAllowedHelpLink(allowlist: ReadonlySet<string>, url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && !parsed.username && !parsed.password && allowlist.has(parsed.href);
  } catch {
    return false;
  }
}
