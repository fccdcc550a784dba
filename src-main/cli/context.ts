/** What every CLI command receives: language, output mode and the process's streams. */
import { EcpsError, isEcpsError, type Lang } from '../../src-shared/errors';
import type { ReaderPort } from '../../src-shared/reader-port';
import type { ApduTrace } from '../reader/apdu-trace';
import { exitCodeForError, type ExitCode } from './exit-codes';
import { localized, t, type MessageKey } from './messages';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream;
  /** Aborted on Ctrl-C (SIGINT/SIGTERM) for the long-running commands. */
  signal: AbortSignal;
  /**
   * The process exits right after the command (the real CLI). Then a PC/SC port is not
   * stopped: pcsc-mini's Client.stop() can block the main thread inside SCardReleaseContext
   * until the next reader event (seen once in ~10 runs); exiting releases the contexts anyway.
   */
  exitsAfterCommand?: boolean;
}

export interface CliContext extends CliIo {
  lang: Lang;
  json: boolean;
  demo: boolean;
  timeoutMs: number;
  /** `--trace FILE`: the card commands record their exchanges here (PIN data redacted). */
  trace?: ApduTrace;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** Prints a line of text (human mode). */
  line(text?: string): void;
  /** `label : value` in French, `label: value` in English. */
  field(label: string, value: string | number): string;
  /** « text » in French, "text" in English. */
  quote(text: string): string;
  /** Prints one JSON document on one line. */
  emitJson(value: unknown): void;
  /** Reports an error in the chosen mode and returns the matching exit code. */
  fail(error: unknown): ExitCode;
  /** Stops a reader port at the end of a command (see CliIo.exitsAfterCommand). */
  release(port: ReaderPort): Promise<void>;
}

/** A wrong command line (exit code 2); `key` names the problem in messages.ts. */
export function usageError(key: MessageKey, params: Record<string, string | number> = {}): EcpsError {
  const detail = localized(key, params);
  return new EcpsError('UsageError', {
    message: { fr: t('fr', 'usageInvalid', { detail: detail.fr }), en: t('en', 'usageInvalid', { detail: detail.en }) },
    remedy: localized('usageRemedy'),
  });
}

/** Turns anything thrown into an EcpsError without leaking internals to the user. */
export function asEcpsError(error: unknown): EcpsError {
  if (isEcpsError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EcpsError(
    'UnexpectedError',
    { message: localized('unexpectedError', { message }), remedy: localized('unexpectedErrorRemedy') },
    { cause: error },
  );
}

export function createContext(io: CliIo, options: { lang: Lang; json: boolean; demo: boolean; timeoutMs: number; trace?: ApduTrace }): CliContext {
  const ctx: CliContext = {
    ...io,
    ...options,
    t: (key, params) => t(options.lang, key, params),
    line: (text = '') => io.stdout(`${text}\n`),
    field: (label, value) => t(options.lang, 'field', { label, value }),
    quote: (text) => t(options.lang, 'quoted', { text }),
    emitJson: (value) => io.stdout(`${JSON.stringify(value)}\n`),
    fail(error) {
      const err = asEcpsError(error);
      if (ctx.json) {
        ctx.emitJson({ error: err.toJSON(ctx.lang) });
      } else {
        io.stderr(`${err.text(ctx.lang)}\n`);
        const remedy = err.remedyText(ctx.lang);
        if (remedy) io.stderr(`${t(ctx.lang, 'remedyLine', { remedy })}\n`);
      }
      return exitCodeForError(err.code);
    },
    async release(port) {
      if (io.exitsAfterCommand && port.kind === 'pcsc') return;
      await port.stop();
    },
  };
  return ctx;
}
