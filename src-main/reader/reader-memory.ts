/**
 * What worked, per reader: the strategy the fallback ladder found, kept in one JSON file so
 * the next session starts with it (issue 6 §2: "remember per reader… used first next time,
 * forgettable"). Keyed by the PC/SC reader name, which includes the slot ("… 00 00"): the
 * two slots of a dual-slot reader can hold cards that need different strategies.
 *
 * Writes are atomic (temp file in the same folder + fsync + rename + fsync of the folder):
 * a crash or a power cut in a pharmacy leaves either the old file or the new one, never half
 * of one. A file that does not parse is set aside (`.corrupt-<time>`) and treated as empty:
 * losing what was learnt only costs one more climb of the ladder.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readSmallTextFile, SmallFileRefused } from '../settings/small-file';
import type { ReaderStrategy } from './fallback-strategy';

/** Remembered strategies of a few readers: kilobytes. A bigger file is not ours. */
const MAX_MEMORY_BYTES = 1024 * 1024;

export const READER_MEMORY_FILE = 'reader-strategies.json';

const strategySchema = z.object({
  protocol: z.enum(['T0', 'T1', 'any']),
  share: z.enum(['shared', 'exclusive']),
  reset: z.enum(['none', 'warm', 'cold']),
  extended: z.boolean(),
  case4AsCase3: z.boolean(),
  maxReadChunk: z.number().int().min(1).max(256),
  timeoutMs: z.number().int().positive().max(600_000),
  retries: z.number().int().min(0).max(10),
});

const entrySchema = z.object({
  strategy: strategySchema,
  /** ISO 8601 time the strategy was (last) found to work. */
  rememberedAt: z.string(),
  /** Rungs the ladder climbed to get there, for the report (`protocol:T0`, `timeout:45000`…). */
  rungs: z.array(z.string()),
  /** ATR of the card it worked with (hex), for the report: a different card may need less. */
  atr: z.string().optional(),
});

const fileSchema = z.object({ version: z.literal(1), readers: z.record(z.string(), entrySchema) });

export type ReaderMemoryEntry = z.infer<typeof entrySchema>;

export interface ReaderMemoryOptions {
  /** Folder of the file (created if needed), e.g. the app's user-data folder. */
  directory: string;
  /** File name inside it. Default reader-strategies.json. */
  fileName?: string;
  now?: () => Date;
}

export class ReaderMemory {
  readonly file: string;
  private cache: Map<string, ReaderMemoryEntry> | undefined;
  /** Serialises writes of this instance (two ladders on two slots may finish together). */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ReaderMemoryOptions) {
    this.file = path.join(options.directory, options.fileName ?? READER_MEMORY_FILE);
  }

  async get(reader: string): Promise<ReaderMemoryEntry | undefined> {
    return (await this.load()).get(reader);
  }

  async list(): Promise<Array<ReaderMemoryEntry & { reader: string }>> {
    return [...(await this.load())].map(([reader, entry]) => ({ reader, ...entry }));
  }

  async remember(reader: string, strategy: ReaderStrategy, info: { rungs?: string[]; atr?: string } = {}): Promise<ReaderMemoryEntry> {
    const entry: ReaderMemoryEntry = {
      strategy: strategySchema.parse(strategy),
      rememberedAt: (this.options.now?.() ?? new Date()).toISOString(),
      rungs: info.rungs ?? [],
      ...(info.atr ? { atr: info.atr } : {}),
    };
    await this.update((map) => map.set(reader, entry));
    return entry;
  }

  /** Forgets one reader (true if it was known), or every reader when `reader` is omitted. */
  async forget(reader?: string): Promise<boolean> {
    let found = false;
    await this.update((map) => {
      found = reader === undefined ? map.size > 0 : map.has(reader);
      if (reader === undefined) map.clear();
      else map.delete(reader);
    });
    return found;
  }

  /** Drops the cache: the next call reads the file again (another process may have written it). */
  reload(): void {
    this.cache = undefined;
  }

  private update(change: (map: Map<string, ReaderMemoryEntry>) => void): Promise<void> {
    const run = async () => {
      this.cache = undefined; // re-read: another instance or process may have written meanwhile
      const map = await this.load();
      change(map);
      await this.write(map);
    };
    const result = this.writing.then(run, run);
    this.writing = result.catch(() => undefined);
    return result;
  }

  private async load(): Promise<Map<string, ReaderMemoryEntry>> {
    if (this.cache) return this.cache;
    let text: string;
    try {
      // Bounded, regular files only (a link to /dev/zero must not hang the diagnosis).
      text = readSmallTextFile(this.file, MAX_MEMORY_BYTES);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && !(error instanceof SmallFileRefused)) throw error;
      if (error instanceof SmallFileRefused) await fs.rename(this.file, `${this.file}.refused-${Date.now()}`).catch(() => undefined);
      this.cache = new Map();
      return this.cache;
    }
    let parsed: z.infer<typeof fileSchema> | undefined;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await fs.rename(this.file, aside).catch(() => undefined);
    }
    this.cache = new Map(Object.entries(parsed?.readers ?? {}));
    return this.cache;
  }

  private async write(map: Map<string, ReaderMemoryEntry>): Promise<void> {
    await fs.mkdir(this.options.directory, { recursive: true });
    const body = `${JSON.stringify({ version: 1, readers: Object.fromEntries(map) }, null, 2)}\n`;
    const temp = path.join(this.options.directory, `.${path.basename(this.file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await fs.open(temp, 'w', 0o644);
    try {
      await handle.writeFile(body, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temp, this.file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(this.options.directory);
    this.cache = map;
  }
}

/** fsync of the folder makes the rename itself durable (POSIX); not possible on Windows. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(directory, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM on Windows: the rename is still atomic there, only its durability differs.
  } finally {
    await handle?.close();
  }
}
