/**
 * Errors are values: a stable code, a French and an English message and, where it
 * helps, a remedy. Every layer declares its codes in a catalogue (see `defineErrorCatalog`)
 * so the CLI, the logs and the UI can show the same text in the user's language.
 *
 * Never put a PIN, a PUK or any other secret in `details`: details are shown to
 * technicians and written to reports.
 */

export type Lang = 'fr' | 'en';

export interface LocalizedText {
  fr: string;
  en: string;
}

export interface ErrorDefinition {
  message: LocalizedText;
  remedy?: LocalizedText;
}

export class EcpsError extends Error {
  override readonly name = 'EcpsError';
  readonly code: string;
  readonly messages: LocalizedText;
  readonly remedy: LocalizedText | undefined;
  /** Non-secret facts that help a technician (reader name, status word, native code…). */
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(
    code: string,
    definition: ErrorDefinition,
    options: { details?: Record<string, string | number | boolean>; cause?: unknown } = {},
  ) {
    // Error.message is the French text: French first, and it is what ends up in a stack trace.
    super(definition.message.fr, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.messages = definition.message;
    this.remedy = definition.remedy;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  text(lang: Lang): string {
    return this.messages[lang];
  }

  remedyText(lang: Lang): string | undefined {
    return this.remedy?.[lang];
  }

  /** A plain object for `--json` output and IPC: code, message in one language, remedy. */
  toJSON(lang: Lang = 'fr'): { code: string; message: string; remedy?: string; details?: Record<string, unknown> } {
    const out: { code: string; message: string; remedy?: string; details?: Record<string, unknown> } = {
      code: this.code,
      message: this.text(lang),
    };
    const remedy = this.remedyText(lang);
    if (remedy !== undefined) out.remedy = remedy;
    if (Object.keys(this.details).length > 0) out.details = { ...this.details };
    return out;
  }
}

export function isEcpsError(value: unknown, code?: string): value is EcpsError {
  return value instanceof EcpsError && (code === undefined || value.code === code);
}

/**
 * A catalogue turns a table of definitions into a typed factory:
 *   const cardErrors = defineErrorCatalog({ CardRemoved: { message: {...} } });
 *   throw cardErrors.create('CardRemoved', { details: { reader } });
 */
export function defineErrorCatalog<const T extends Record<string, ErrorDefinition>>(definitions: T) {
  type Code = keyof T & string;
  return {
    definitions,
    codes: Object.keys(definitions) as Code[],
    has(code: string): code is Code {
      return Object.prototype.hasOwnProperty.call(definitions, code);
    },
    create(code: Code, options?: { details?: Record<string, string | number | boolean>; cause?: unknown }): EcpsError {
      return new EcpsError(code, definitions[code] as ErrorDefinition, options);
    },
  };
}
