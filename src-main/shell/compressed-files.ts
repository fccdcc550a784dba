/**
 * The renderer's text files compressed for the web shell (issue 12 #13: the 339 KB bundle went
 * over the wire as is). Each file is compressed once — when the shell starts (warm), or at its
 * first request — in zlib's thread pool (never the event loop), and kept in memory while its
 * size and mtime stay the same: gzip level 9 and brotli quality 6. Measured on our bundle:
 * 339 KB → gzip 109 KB, brotli q6 104 KB in ~16 ms; q11 would save 8 KB more for ~1 s of CPU at
 * every start of a pharmacy PC, not worth it on a loopback link. A request always gets the
 * coding the browser prefers (waiting for it if it is still being computed), so the answer does
 * not depend on timing. Small files and binary formats (PNG, WOFF2) are served as they are.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type ContentEncoding = 'br' | 'gzip' | 'identity';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Below this, compression saves less than a TCP packet. */
export const MIN_COMPRESS_BYTES = 1024;
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.md', '.map']);

export function isCompressible(file: string, size: number): boolean {
  return size >= MIN_COMPRESS_BYTES && COMPRESSIBLE.has(path.extname(file).toLowerCase());
}

/**
 * The coding to use for an `Accept-Encoding` value (RFC 9110 §12.5.3): the highest q among
 * `available`, brotli before gzip on a tie; `identity` when none is acceptable. `q=0` refuses a
 * coding, `*` stands for every coding not named. A malformed value means identity.
 */
export function chooseEncoding(acceptEncoding: string | undefined, available: readonly ContentEncoding[] = ['br', 'gzip']): ContentEncoding {
  if (!acceptEncoding || acceptEncoding.length > 512) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [rawName, ...params] = part.trim().split(';');
    const name = (rawName ?? '').trim().toLowerCase();
    if (name === '') continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) weight = Math.min(1, Number(m[1]));
    }
    q.set(name === 'x-gzip' ? 'gzip' : name, weight);
  }
  let best: ContentEncoding = 'identity';
  let bestQ = 0;
  for (const coding of ['br', 'gzip'] as const) {
    if (!available.includes(coding)) continue;
    const weight = q.get(coding) ?? q.get('*') ?? 0;
    if (weight > bestQ) {
      best = coding;
      bestQ = weight;
    }
  }
  return best;
}

interface Entry {
  size: number;
  mtimeMs: number;
  gzip: Promise<Buffer>;
  br: Promise<Buffer>;
}

export class CompressedFiles {
  private readonly entries = new Map<string, Entry>();

  /** Starts compressing every compressible file under `dir` (at most `limit` files). */
  warm(dir: string, limit = 200): void {
    const files: string[] = [];
    const walk = (d: string, depth: number) => {
      if (depth > 4 || files.length >= limit) return;
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const name of names) {
        if (name.startsWith('.')) continue;
        const full = path.join(d, name);
        try {
          const st = statSync(full);
          if (st.isDirectory()) walk(full, depth + 1);
          else if (st.isFile() && isCompressible(full, st.size) && files.length < limit) files.push(full);
        } catch {
          // vanished meanwhile: compressed at first request instead
        }
      }
    };
    walk(dir, 0);
    for (const file of files) {
      try {
        this.entry(file, statSync(file));
      } catch {
        // idem
      }
    }
  }

  /**
   * The body to send for `file` (already resolved inside the renderer folder) and its coding.
   * `body` is the file itself when it is not worth compressing or the client accepts neither.
   */
  async body(file: string, acceptEncoding: string | undefined): Promise<{ body: Buffer; encoding: ContentEncoding }> {
    const st = statSync(file);
    if (!isCompressible(file, st.size)) return { body: readFileSync(file), encoding: 'identity' };
    const wanted = chooseEncoding(acceptEncoding);
    if (wanted === 'identity') return { body: readFileSync(file), encoding: 'identity' };
    const entry = this.entry(file, st);
    try {
      return { body: await entry[wanted], encoding: wanted };
    } catch {
      return { body: readFileSync(file), encoding: 'identity' };
    }
  }

  private entry(file: string, st: { size: number; mtimeMs: number }): Entry {
    const known = this.entries.get(file);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known;
    const raw = readFileSync(file);
    const gz = gzipAsync(raw, { level: 9 });
    const br = brotli(raw, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    });
    // A failure is handled where the promise is awaited; never an unhandled rejection.
    gz.catch(() => undefined);
    br.catch(() => undefined);
    const entry: Entry = { size: st.size, mtimeMs: st.mtimeMs, gzip: gz, br };
    this.entries.set(file, entry);
    return entry;
  }
}
