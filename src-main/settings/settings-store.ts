/**
 * The persisted settings: one small JSON file, validated by zod on every read (a corrupt or
 * foreign file gives the defaults and a warning — never a crash) and written atomically (a
 * temporary file in the same folder, then a rename), so a crash mid-write never leaves half a
 * file. Nothing secret is ever stored here.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { EcpsError, Lang } from '../../src-shared/errors';
import { authoritySettingSchema, langSchema, pairingAddressSettingSchema } from '../../src-shared/ipc-contract';
import { checkAuthoritySetting } from './authority-check';
import { settingsError } from './errors';
import { readSmallTextFile, SmallFileRefused } from './small-file';

export const settingsFileSchema = z
  .object({
    version: z.literal(1),
    authority: authoritySettingSchema,
    language: langSchema,
    pairingAddress: pairingAddressSettingSchema,
  })
  .strict();

/** Far above any real settings file (~200 bytes); a bigger one is not ours. */
export const MAX_SETTINGS_BYTES = 64 * 1024;

export type Settings = Omit<z.infer<typeof settingsFileSchema>, 'version'>;
export type SettingsPatch = Partial<Settings>;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({ authority: 'sandbox', language: 'fr' as Lang, pairingAddress: 'auto' });

export interface SettingsStoreOptions {
  /** The settings file (default: src-main/settings/config-dir.ts `defaultSettingsFile()`). */
  file: string;
  /** A corrupt file at start (the store then runs on defaults). */
  onWarning?: (warning: EcpsError) => void;
}

export class SettingsStore {
  readonly file: string;
  private current: Settings;
  /** Why the saved file was not used, until the next successful save. */
  private loadWarning: EcpsError | undefined;
  private readonly listeners = new Set<(settings: Settings, changed: (keyof Settings)[]) => void>();

  constructor(options: SettingsStoreOptions) {
    this.file = options.file;
    const loaded = readSettingsFile(options.file);
    this.current = loaded.settings;
    this.loadWarning = loaded.warning;
    if (loaded.warning) options.onWarning?.(loaded.warning);
  }

  get(): Settings {
    return { ...this.current };
  }

  get warning(): EcpsError | undefined {
    return this.loadWarning;
  }

  /**
   * Checks, saves, then applies a change. The authority URL is normalised (checkAuthoritySetting);
   * other checks needing the machine (pairing address) are the caller's. On a failed write the
   * settings stay as they were and `SettingsWriteFailed` is thrown.
   */
  update(patch: SettingsPatch): Settings {
    const next: Settings = { ...this.current };
    if (patch.authority !== undefined) next.authority = checkAuthoritySetting(patch.authority);
    if (patch.language !== undefined) next.language = patch.language;
    if (patch.pairingAddress !== undefined) next.pairingAddress = patch.pairingAddress;
    const checked = settingsFileSchema.parse({ version: 1, ...next });
    writeAtomically(this.file, `${JSON.stringify(checked, null, 2)}\n`);
    const changed = (Object.keys(next) as (keyof Settings)[]).filter((k) => next[k] !== this.current[k]);
    this.current = next;
    this.loadWarning = undefined;
    for (const listener of this.listeners) listener(this.get(), changed);
    return this.get();
  }

  onChange(listener: (settings: Settings, changed: (keyof Settings)[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The saved settings, or the defaults: a missing file is normal, anything unusable is a warning. */
export function readSettingsFile(file: string): { settings: Settings; warning?: EcpsError } {
  let text: string;
  try {
    text = readSmallTextFile(file, MAX_SETTINGS_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: { ...DEFAULT_SETTINGS } };
    if (error instanceof SmallFileRefused) {
      const code = error.problem === 'not-regular' ? 'SettingsFileNotRegular' : 'SettingsFileTooLarge';
      return { settings: { ...DEFAULT_SETTINGS }, warning: settingsError(code, { file, max: String(MAX_SETTINGS_BYTES / 1024) }) };
    }
    return { settings: { ...DEFAULT_SETTINGS }, warning: settingsError('SettingsFileCorrupt', { file }, error) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { settings: { ...DEFAULT_SETTINGS }, warning: settingsError('SettingsFileCorrupt', { file }, error) };
  }
  const parsed = settingsFileSchema.safeParse(json);
  if (!parsed.success) return { settings: { ...DEFAULT_SETTINGS }, warning: settingsError('SettingsFileCorrupt', { file }) };
  const { version: _version, ...settings } = parsed.data;
  try {
    // A URL edited by hand must pass the same rule as one typed in the app (https, or http to localhost).
    settings.authority = checkAuthoritySetting(settings.authority);
  } catch (error) {
    return { settings: { ...DEFAULT_SETTINGS }, warning: settingsError('SettingsFileCorrupt', { file }, error) };
  }
  return { settings };
}

/** Temp file in the same folder (same file system), then rename over the target. */
export function writeAtomically(file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, text, { encoding: 'utf8', mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // the folder itself is unusable: nothing was written
    }
    throw settingsError('SettingsWriteFailed', { file }, error);
  }
}
