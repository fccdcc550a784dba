/**
 * Where the companion keeps what it learnt on this machine (the fallback ladder's per-reader
 * strategies, reader-memory.ts): a per-user configuration folder.
 *   Linux & co  $XDG_CONFIG_HOME/compagnon-ecps, else ~/.config/compagnon-ecps
 *   Windows     %APPDATA%\Compagnon e-CPS (else ~\AppData\Roaming\Compagnon e-CPS)
 *   macOS       ~/Library/Application Support/Compagnon e-CPS
 * `--state-dir DIR` wins, then the environment variable ECPS_STATE_DIR (tests, kiosks, a
 * shared pharmacy account). Nothing is created here: ReaderMemory creates the folder on its
 * first write.
 */
import os from 'node:os';
import path from 'node:path';

export const STATE_DIR_ENV = 'ECPS_STATE_DIR';
export const APP_DIR_NAME = 'Compagnon e-CPS';
export const XDG_DIR_NAME = 'compagnon-ecps';

export interface StateDirEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

export interface ResolvedStateDir {
  directory: string;
  /** Where the folder came from: `--state-dir`, ECPS_STATE_DIR, or the platform default. */
  source: 'option' | 'env' | 'default';
}

/** The platform's per-user configuration folder for the companion. */
export function defaultStateDir(options: StateDirEnvironment = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? os.homedir();
  if (platform === 'win32') {
    const appData = env.APPDATA && env.APPDATA.trim() !== '' ? env.APPDATA : path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_DIR_NAME);
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  // XDG Base Directory: a relative $XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.config');
  return path.posix.join(base, XDG_DIR_NAME);
}

/** `--state-dir` (made absolute), then ECPS_STATE_DIR, then the platform default. */
export function resolveStateDir(option: string | undefined, options: StateDirEnvironment = {}): ResolvedStateDir {
  if (option !== undefined && option !== '') return { directory: path.resolve(option), source: 'option' };
  const fromEnv = (options.env ?? process.env)[STATE_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { directory: path.resolve(fromEnv), source: 'env' };
  return { directory: defaultStateDir(options), source: 'default' };
}
