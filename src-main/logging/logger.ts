/**
 * The app's logger (issue 5 §1): JSON lines (`{"time","level","event",…fields}`) in a rotating
 * file at the platform's usual log place (log-dir.ts), every line through the redaction pass
 * (redact.ts) — whatever a caller hands in, no PIN, PUK, password, token or QR payload reaches
 * the disk. Logging never throws and never stops the app (rotating-file.ts).
 */
import { redact } from './redact';
import { RotatingFile, type RotatingFileOptions } from './rotating-file';
import { resolveLogDir } from './log-dir';

export type LogLevel = 'info' | 'warn' | 'error';

export interface AppLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  /** An internal error: where it happened and the error (message, code, stack — redacted). */
  error(event: string, error?: unknown, fields?: Record<string, unknown>): void;
  /** The current log file (undefined for a logger without file). */
  readonly file: string | undefined;
}

export interface LoggerOptions extends Partial<Omit<RotatingFileOptions, 'dir'>> {
  /** Default: ECPS_LOG_DIR, then the platform's log folder. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): AppLogger {
  const dir = options.dir ?? resolveLogDir(options.env ? { env: options.env } : {});
  const file = new RotatingFile({ ...options, dir });
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, event: string, fields: Record<string, unknown>) => {
    let line: string;
    try {
      line = JSON.stringify(redact({ time: now().toISOString(), level, event, ...fields }));
    } catch {
      line = JSON.stringify({ time: now().toISOString(), level, event: String(redact(event)), unloggable: true });
    }
    file.write(line);
  };
  return {
    info: (event, fields = {}) => write('info', event, fields),
    warn: (event, fields = {}) => write('warn', event, fields),
    error: (event, error, fields = {}) => write('error', event, { ...fields, ...(error !== undefined ? { error } : {}) }),
    get file() {
      return file.file;
    },
  };
}

/** A logger that writes nothing (tests, or when a caller wants none). */
export const silentLogger: AppLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, file: undefined };

/** What every start writes first: enough for a technician to know what ran. */
export interface StartupFacts {
  version: string;
  shell: 'electron' | 'web';
  demo: boolean;
  /** 'sandbox' or the authority's URL. */
  authority: string;
  language: string;
  platform?: string;
  node?: string;
  electron?: string;
  settingsFile?: string;
}

export function logStartup(logger: AppLogger, facts: StartupFacts): void {
  logger.info('startup', { platform: process.platform, node: process.versions.node, ...facts });
}
