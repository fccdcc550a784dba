/**
 * Durable state of the sandbox authority: one JSON document, replaced atomically on every
 * change. Why atomic JSON files rather than better-sqlite3: the sandbox keeps tens to a few
 * thousand small records, so rewriting the whole document costs well under a millisecond of
 * CPU; and a native module is one more per-platform binary to build for Node, Electron and
 * every CI runner (pcsc-mini already shows what that costs us), for no benefit at this size.
 *
 * Crash safety (POSIX rename(2) is atomic within one file system):
 *   1. write the new document to a fresh temporary file in the same directory, fsync it;
 *   2. rename it over the old one: a reader sees the old document or the new one, never a mix;
 *   3. fsync the directory so the rename itself survives a power cut.
 * A crash before 3 leaves the old document plus, at worst, a stray temporary file that the next
 * open deletes. An update resolves only after 3, so an acknowledged change is never lost.
 * Updates are serialised in one queue; a failed write leaves the in-memory state unchanged.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { defineErrorCatalog } from '../../src-shared/errors';

export const storeErrors = defineErrorCatalog({
  StoreCorrupt: {
    message: { fr: 'Le fichier de données de l’autorité de test est illisible.', en: 'The sandbox authority data file cannot be read.' },
    remedy: {
      fr: 'Il a été modifié à la main ? Restaurez-le ou déplacez-le : l’autorité repartira d’un état vide.',
      en: 'Was it edited by hand? Restore it or move it away: the authority will start from an empty state.',
    },
  },
  StoreWriteFailed: {
    message: { fr: 'Impossible d’enregistrer les données de l’autorité de test.', en: 'Cannot save the sandbox authority data.' },
    remedy: { fr: 'Vérifiez l’espace disque et les droits du dossier de données.', en: 'Check disk space and the data folder permissions.' },
  },
});

export interface DocumentStore<T> {
  /** The current document. Treat as read-only: change it through `update`. */
  read(): T;
  /** Runs `change` on a copy; if it returns normally the copy is saved then becomes current. */
  update<R>(change: (draft: T) => R): Promise<R>;
}

export interface StoreCodec<T> {
  /** Validates what was read from disk; throws if it is not a document. */
  parse(value: unknown): T;
  initial(): T;
}

/** Volatile store (demo default): same semantics, nothing on disk. */
export class MemoryStore<T> implements DocumentStore<T> {
  private current: T;
  private queue: Promise<unknown> = Promise.resolve();
  constructor(initial: T) {
    this.current = initial;
  }
  read(): T {
    return this.current;
  }
  update<R>(change: (draft: T) => R): Promise<R> {
    const run = this.queue.then(() => {
      const draft = structuredClone(this.current);
      const result = change(draft);
      this.current = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

export class AtomicJsonFile<T> implements DocumentStore<T> {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private current: T,
  ) {}

  /** Opens (or creates on first write) `file`; removes temporary files a crash left behind. */
  static async open<T>(file: string, codec: StoreCodec<T>): Promise<AtomicJsonFile<T>> {
    const dir = path.dirname(file);
    mkdirSync(dir, { recursive: true });
    const prefix = `${path.basename(file)}.`;
    for (const name of await readdir(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) await unlink(path.join(dir, name)).catch(() => undefined);
    }
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) return new AtomicJsonFile(file, codec.initial());
    try {
      return new AtomicJsonFile(file, codec.parse(JSON.parse(text)));
    } catch (cause) {
      // Never start afresh silently: that would lose every activation without a word.
      throw storeErrors.create('StoreCorrupt', { details: { file }, cause });
    }
  }

  read(): T {
    return this.current;
  }

  update<R>(change: (draft: T) => R): Promise<R> {
    const run = this.queue.then(async () => {
      const draft = structuredClone(this.current);
      const result = change(draft);
      await this.write(draft);
      this.current = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(document: T): Promise<void> {
    const temporary = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(document), 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.file);
      await syncDirectory(path.dirname(this.file));
    } catch (cause) {
      await unlink(temporary).catch(() => undefined);
      throw storeErrors.create('StoreWriteFailed', { details: { file: this.file }, cause });
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on a directory (EINVAL/EISDIR); the rename still happened.
    if (!['EINVAL', 'EISDIR', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
