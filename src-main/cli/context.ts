/** What every CLI command receives: language, output mode and the process's streams. */
import { EcpsError, isEcpsError, type Lang } from '../../src-shared/errors';
import { EXIT, exitCodeForError, type ExitCode } from './exit-codes';
import { t, type MessageKey } from './messages';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream;
  /** Aborted on Ctrl-C (SIGINT/SIGTERM) for the long-running commands. */
  signal: AbortSignal;
}

export interface CliContext extends CliIo {
  lang: Lang;
  json: boolean;
  demo: boolean;
  timeoutMs: number;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** Prints a line of text (human mode). */
  line(text?: string): void;
  /** Prints one JSON document on one line. */
  emitJson(value: unknown): void;
  /** Reports an error in the chosen mode and returns the matching exit code. */
  fail(error: unknown): ExitCode;
}

export function usageError(detail: string): EcpsError {
  return new EcpsError('UsageError', {
    message: { fr: `Ligne de commande invalide : ${detail}`, en: `Invalid command line: ${detail}` },
    remedy: { fr: 'Tapez « ecps --help » pour la liste des commandes.', en: 'Type "ecps --help" for the list of commands.' },
  });
}

/** Turns anything thrown into an EcpsError without leaking internals to the user. */
export function asEcpsError(error: unknown): EcpsError {
  if (isEcpsError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EcpsError(
    'UnexpectedError',
    {
      message: { fr: `Erreur inattendue : ${message}`, en: `Unexpected error: ${message}` },
      remedy: {
        fr: 'Relancez la commande ; si l’erreur revient, joignez cette sortie à votre demande de support.',
        en: 'Run the command again; if the error persists, attach this output to your support request.',
      },
    },
    { cause: error },
  );
}

export function createContext(io: CliIo, options: { lang: Lang; json: boolean; demo: boolean; timeoutMs: number }): CliContext {
  const ctx: CliContext = {
    ...io,
    ...options,
    t: (key, params) => t(options.lang, key, params),
    line: (text = '') => io.stdout(`${text}\n`),
    emitJson: (value) => io.stdout(`${JSON.stringify(value)}\n`),
    fail(error) {
      const err = asEcpsError(error);
      if (ctx.json) {
        ctx.emitJson({ error: err.toJSON(ctx.lang) });
      } else {
        io.stderr(`${err.text(ctx.lang)}\n`);
        const remedy = err.remedyText(ctx.lang);
        if (remedy) io.stderr(`${t(ctx.lang, 'remedy')} : ${remedy}\n`.replace(' :', ctx.lang === 'fr' ? ' :' : ':'));
      }
      return err.code === 'UsageError' ? EXIT.usage : exitCodeForError(err.code);
    },
  };
  return ctx;
}
