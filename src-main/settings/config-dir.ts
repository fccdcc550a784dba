/**
 * Where the settings file lives: the same per-user configuration folder as the reader memory
 * (src-main/reader/state-dir.ts: Linux `$XDG_CONFIG_HOME/compagnon-ecps` or ~/.config/…,
 * Windows `%APPDATA%\Compagnon e-CPS`, macOS ~/Library/Application Support/Compagnon e-CPS).
 * ECPS_CONFIG_DIR overrides it (tests, kiosks, a shared pharmacy account).
 */
import path from 'node:path';
import { defaultStateDir, type StateDirEnvironment } from '../reader/state-dir';

export const CONFIG_DIR_ENV = 'ECPS_CONFIG_DIR';
export const SETTINGS_FILE_NAME = 'settings.json';

export function resolveConfigDir(options: StateDirEnvironment = {}): string {
  const fromEnv = (options.env ?? process.env)[CONFIG_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return defaultStateDir(options);
}

export function defaultSettingsFile(options: StateDirEnvironment = {}): string {
  const dir = resolveConfigDir(options);
  return (options.platform ?? process.platform) === 'win32' ? path.win32.join(dir, SETTINGS_FILE_NAME) : path.join(dir, SETTINGS_FILE_NAME);
}
