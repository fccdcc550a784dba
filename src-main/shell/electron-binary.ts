/**
 * Electron's binary for `npm start`. The `electron` npm package (a devDependency, pinned) has
 * no install script since Electron 45: its binary is fetched the first time it is asked for.
 * We ask by running the package's own fetcher (node_modules/electron/install.js) in a child
 * process — never `require('electron')`, whose fetch is synchronous and unbounded — with a
 * time limit, and remember a failure for an hour so that a machine that cannot reach the
 * download host (ours: no internet) starts the web shell at once next time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ElectronLaunch {
  binary: string;
  /** The app folder given to Electron (package.json "main" is the built main bundle). */
  entry: string;
}

/** Why the web shell runs instead of Electron, in the user's language. */
export type ElectronUnavailable = { fr: string; en: string };

export type ElectronOutcome = { ok: ElectronLaunch } | { unavailable: ElectronUnavailable };

/** How long the fetcher may run (a ~100 MB download on a slow line fits; a dead network fails fast). */
export const FETCH_TIMEOUT_MS = 120_000;
/** A failed fetch is not retried before this (ECPS_ELECTRON_RETRY=1 retries now). */
export const FAILURE_MEMORY_MS = 3600_000;
/** After this long without an answer, say that a download is under way. */
const PROGRESS_AFTER_MS = 2000;

const FAILURE_FILE = 'node_modules/.cache/compagnon-ecps/electron-fetch-failed.json';

/** Electron's binary and an Electron entry point (package.json "main"), when both exist. */
export function findElectron(root: string): ElectronLaunch | undefined {
  const dist = path.join(root, 'node_modules', 'electron', 'dist');
  if (!existsSync(dist)) return undefined;
  const binary = ['electron', 'electron.exe', 'Electron.app/Contents/MacOS/Electron'].map((b) => path.join(dist, b)).find((b) => existsSync(b));
  if (!binary) return undefined;
  try {
    const main = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string }).main;
    if (main && existsSync(path.join(root, main))) return { binary, entry: root };
  } catch {
    // no entry
  }
  return undefined;
}

export interface ObtainOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  /** Progress line (the fetch is taking a while). */
  say: (text: ElectronUnavailable) => void;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * The binary if it is there, else one bounded attempt to fetch it (unless one failed within
 * the hour, or there is no display to show a window on), else why not.
 */
export async function obtainElectron(options: ObtainOptions): Promise<ElectronOutcome> {
  const { root, env } = options;
  const now = options.now ?? Date.now;
  const found = findElectron(root);
  if (found) return { ok: found };
  const installer = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) {
    return { unavailable: { fr: 'paquet electron non installé (npm ci)', en: 'electron package not installed (npm ci)' } };
  }
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { unavailable: { fr: 'pas d’écran graphique', en: 'no graphical display' } };
  }
  const memoFile = path.join(root, FAILURE_FILE);
  const memo = readFailure(memoFile);
  if (memo && env.ECPS_ELECTRON_RETRY !== '1' && now() - memo.failedAt < FAILURE_MEMORY_MS) {
    const minutes = Math.max(1, Math.round((now() - memo.failedAt) / 60_000));
    return {
      unavailable: {
        fr: `binaire non téléchargeable (échec il y a ${minutes} min : ${memo.reason} ; ECPS_ELECTRON_RETRY=1 pour réessayer)`,
        en: `binary could not be downloaded (failed ${minutes} min ago: ${memo.reason}; ECPS_ELECTRON_RETRY=1 to retry)`,
      },
    };
  }
  const reason = await runFetcher(installer, env, options.timeoutMs ?? FETCH_TIMEOUT_MS, options.say);
  const fetched = reason === undefined ? findElectron(root) : undefined;
  if (fetched) return { ok: fetched };
  const why = reason ?? { fr: 'binaire toujours absent après le téléchargement', en: 'binary still missing after the download' };
  // Remembered in English only: the next start quotes it as the download tool's own words.
  writeFailure(memoFile, { failedAt: now(), reason: why.en });
  return { unavailable: { fr: `binaire non téléchargeable (${why.fr})`, en: `binary could not be downloaded (${why.en})` } };
}

/** Runs Electron's fetcher; resolves with why it failed, or undefined when it succeeded. */
function runFetcher(installer: string, env: NodeJS.ProcessEnv, timeoutMs: number, say: ObtainOptions['say']): Promise<ElectronUnavailable | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { cwd: path.dirname(installer), env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    const progress = setTimeout(() => say({ fr: 'Téléchargement du binaire Electron (une seule fois)…', en: 'Downloading Electron’s binary (once)…' }), PROGRESS_AFTER_MS);
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      const s = Math.round(timeoutMs / 1000);
      finish({ fr: `pas de réponse en ${s} s`, en: `no answer within ${s} s` });
    }, timeoutMs);
    let done = false;
    const finish = (why: ElectronUnavailable | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(progress);
      clearTimeout(limit);
      resolve(why);
    };
    // The fetcher's own message ("TypeError: fetch failed") is technical English in both languages.
    const technical = (text: string) => ({ fr: text, en: text });
    child.on('error', (error) => finish(technical(error.message)));
    child.on('exit', (code) => finish(code === 0 ? undefined : technical(firstErrorLine(stderr) ?? `exit ${code}`)));
  });
}

/** The fetcher prints a stack: its first line says what failed ("TypeError: fetch failed"). */
function firstErrorLine(text: string): string | undefined {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('at '));
  return line?.slice(0, 160);
}

function readFailure(file: string): { failedAt: number; reason: string } | undefined {
  try {
    const memo = JSON.parse(readFileSync(file, 'utf8')) as { failedAt?: unknown; reason?: unknown };
    return typeof memo.failedAt === 'number' && typeof memo.reason === 'string' ? { failedAt: memo.failedAt, reason: memo.reason } : undefined;
  } catch {
    return undefined;
  }
}

function writeFailure(file: string, memo: { failedAt: number; reason: string }): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(memo)}\n`);
  } catch {
    // Not remembered: the next start tries again, no worse than that.
  }
}
