/**
 * An append-only log file with size-based rotation: when the next line would push
 * `compagnon-ecps.log` past `maxBytes`, it becomes `.1`, `.1` becomes `.2`… and the oldest
 * (`.{maxFiles-1}`) is dropped, so the logs never take more than about maxBytes × maxFiles.
 *
 * Writes are synchronous (a few lines a minute; the last line before a crash must be on disk).
 * Logging must never break the app: the first failure (folder not writable, disk full…) prints
 * ONE warning on stderr and turns the file off for the rest of the run.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export interface RotatingFileOptions {
  dir: string;
  /** Default `compagnon-ecps.log`. */
  baseName?: string;
  /** Default 1 MiB. */
  maxBytes?: number;
  /** The current file plus the rotated ones. Default 5. */
  maxFiles?: number;
  /** Where the one warning goes (default: process.stderr). */
  warn?: (line: string) => void;
}

export const DEFAULT_LOG_FILE = 'compagnon-ecps.log';
export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FILES = 5;

export class RotatingFile {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly warn: (line: string) => void;
  private size: number | undefined;
  private disabledBy: string | undefined;

  constructor(options: RotatingFileOptions) {
    this.file = path.join(options.dir, options.baseName ?? DEFAULT_LOG_FILE);
    this.maxBytes = Math.max(256, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.maxFiles = Math.max(1, options.maxFiles ?? DEFAULT_MAX_FILES);
    this.warn = options.warn ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Why the file was turned off (undefined while it works). */
  get disabled(): string | undefined {
    return this.disabledBy;
  }

  /** `compagnon-ecps.log`, `.1`, … `.{maxFiles-1}` */
  rotatedName(index: number): string {
    return index === 0 ? this.file : `${this.file}.${index}`;
  }

  /** Appends one line (a newline is added). Never throws. */
  write(line: string): void {
    if (this.disabledBy !== undefined) return;
    const data = `${line}\n`;
    const bytes = Buffer.byteLength(data);
    try {
      if (this.size === undefined) {
        mkdirSync(path.dirname(this.file), { recursive: true });
        this.size = fileSize(this.file);
      }
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      appendFileSync(this.file, data, { encoding: 'utf8', mode: 0o600 });
      this.size += bytes;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      this.disabledBy = code;
      try {
        this.warn(`Compagnon e-CPS : journal désactivé, impossible d’écrire dans ${this.file} (${code}) / log disabled, cannot write to ${this.file} (${code})`);
      } catch {
        // stderr itself is gone: nothing more to do
      }
    }
  }

  private rotate(): void {
    if (this.maxFiles === 1) {
      rmSync(this.file, { force: true });
    } else {
      rmSync(this.rotatedName(this.maxFiles - 1), { force: true });
      for (let i = this.maxFiles - 2; i >= 0; i--) {
        const from = this.rotatedName(i);
        if (exists(from)) renameSync(from, this.rotatedName(i + 1));
      }
    }
    this.size = 0;
  }
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
