/**
 * Where the log files go: the platform's usual place for an application's logs.
 *   Linux & co  $XDG_STATE_HOME/compagnon-ecps/logs, else ~/.local/state/compagnon-ecps/logs
 *               (XDG Base Directory: logs are "state data")
 *   Windows     %LOCALAPPDATA%\Compagnon e-CPS\logs (else ~\AppData\Local\…): per machine user, not roaming
 *   macOS       ~/Library/Logs/Compagnon e-CPS (what Console.app lists)
 * ECPS_LOG_DIR overrides it (tests, kiosks, a technician collecting logs elsewhere).
 */
import os from 'node:os';
import path from 'node:path';
import { APP_DIR_NAME, XDG_DIR_NAME, type StateDirEnvironment } from '../reader/state-dir';

export const LOG_DIR_ENV = 'ECPS_LOG_DIR';

export function defaultLogDir(options: StateDirEnvironment = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? os.homedir();
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA && env.LOCALAPPDATA.trim() !== '' ? env.LOCALAPPDATA : path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(local, APP_DIR_NAME, 'logs');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Logs', APP_DIR_NAME);
  // A relative $XDG_STATE_HOME is invalid and must be ignored (XDG Base Directory spec).
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'state');
  return path.posix.join(base, XDG_DIR_NAME, 'logs');
}

export function resolveLogDir(options: StateDirEnvironment = {}): string {
  const fromEnv = (options.env ?? process.env)[LOG_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return defaultLogDir(options);
}
