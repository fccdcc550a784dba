import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isEcpsError } from '../../../src-shared/errors';
import { DEFAULT_SETTINGS, SettingsStore, readSettingsFile } from '../../../src-main/settings/settings-store';
import { checkAuthoritySetting } from '../../../src-main/settings/authority-check';
import { createAuthority } from '../../../src-main/settings/authority-setting';
import { defaultSettingsFile, resolveConfigDir } from '../../../src-main/settings/config-dir';
import { AuthorityHttpClient } from '../../../src-main/activation/authority-http-client';
import { SandboxAuthority } from '../../../simulators/authority/index';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ecps-settings-'));
  file = path.join(dir, 'conf', 'settings.json');
});
afterEach(() => {
  try {
    chmodSync(dir, 0o700);
  } catch {
    // already gone
  }
  rmSync(dir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isEcpsError(error) ? error.code : 'not-an-EcpsError';
  }
  return undefined;
}

describe('SettingsStore', () => {
  it('no file yet: the defaults, no warning', () => {
    const store = new SettingsStore({ file });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.get()).toEqual({ authority: 'sandbox', language: 'fr', pairingAddress: 'auto' });
    expect(store.warning).toBeUndefined();
  });

  it('saves atomically (folder created, no temporary file left) and a new store reads it back', () => {
    const store = new SettingsStore({ file });
    store.update({ authority: 'https://authority.example/api/', language: 'en', pairingAddress: 'loopback' });
    expect(readdirSync(path.dirname(file))).toEqual(['settings.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, authority: 'https://authority.example/api', language: 'en', pairingAddress: 'loopback' });
    expect(new SettingsStore({ file }).get()).toEqual({ authority: 'https://authority.example/api', language: 'en', pairingAddress: 'loopback' });
  });

  it('tells listeners what changed', () => {
    const store = new SettingsStore({ file });
    const listener = vi.fn();
    store.onChange(listener);
    store.update({ language: 'en', authority: 'sandbox' });
    expect(listener).toHaveBeenCalledWith(expect.objectContaining({ language: 'en' }), ['language']);
  });

  it.each([
    ['not JSON', '{ "version": 1, "authority": '],
    ['a foreign shape', '{"version":2,"authority":"sandbox","language":"fr","pairingAddress":"auto"}'],
    ['a wrong language', '{"version":1,"authority":"sandbox","language":"de","pairingAddress":"auto"}'],
    ['an http authority off this computer', '{"version":1,"authority":"http://authority.example","language":"en","pairingAddress":"auto"}'],
    ['an array', '[]'],
  ])('a corrupt file (%s) gives the defaults and a warning, never a crash', (_name, text) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    const onWarning = vi.fn();
    const store = new SettingsStore({ file, onWarning });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.warning?.code).toBe('SettingsFileCorrupt');
    expect(onWarning).toHaveBeenCalledTimes(1);
    // Saving again replaces the file and clears the warning.
    store.update({ language: 'en' });
    expect(store.warning).toBeUndefined();
    expect(readSettingsFile(file).settings.language).toBe('en');
  });

  it('a failed write throws SettingsWriteFailed and keeps the settings as they were', () => {
    const blocker = path.join(dir, 'blocker');
    writeFileSync(blocker, 'a file where the folder should be');
    const store = new SettingsStore({ file: path.join(blocker, 'settings.json') });
    expect(codeOf(() => store.update({ language: 'en' }))).toBe('SettingsWriteFailed');
    expect(store.get().language).toBe('fr');
  });

  it('a refused authority changes nothing and writes nothing', () => {
    const store = new SettingsStore({ file });
    expect(codeOf(() => store.update({ authority: 'http://authority.example', language: 'en' }))).toBe('SettingsAuthorityHttpRefused');
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(existsSync(file)).toBe(false);
  });
});

describe('the authority setting', () => {
  it.each([
    ['sandbox', 'sandbox'],
    ['https://authority.example', 'https://authority.example'],
    ['  https://authority.example/v1/  ', 'https://authority.example/v1'],
    ['http://127.0.0.1:8123', 'http://127.0.0.1:8123'],
    ['http://localhost:8123/', 'http://localhost:8123'],
    ['http://[::1]:8123', 'http://[::1]:8123'],
  ])('accepts %s', (input, saved) => {
    expect(checkAuthoritySetting(input)).toBe(saved);
  });

  it.each([
    ['http://authority.example', 'SettingsAuthorityHttpRefused'],
    ['http://192.168.1.10:8123', 'SettingsAuthorityHttpRefused'],
    ['http://127.0.0.1.evil.example', 'SettingsAuthorityHttpRefused'],
    ['ftp://authority.example', 'SettingsAuthorityUrlInvalid'],
    ['javascript:alert(1)', 'SettingsAuthorityUrlInvalid'],
    ['authority.example', 'SettingsAuthorityUrlInvalid'],
    ['https://user:secret@authority.example', 'SettingsAuthorityUrlInvalid'],
    ['https://authority.example/?token=abc', 'SettingsAuthorityUrlInvalid'],
  ])('refuses %s (%s), with a French message and a remedy', (input, code) => {
    let caught: unknown;
    try {
      checkAuthoritySetting(input);
    } catch (error) {
      caught = error;
    }
    expect(isEcpsError(caught, code)).toBe(true);
    if (isEcpsError(caught)) {
      expect(caught.text('fr').length).toBeGreaterThan(10);
      expect(caught.remedyText('fr')).toBeTruthy();
      expect(caught.text('fr')).not.toContain('secret');
    }
  });

  it('builds the sandbox in process, an HTTP client for a URL', () => {
    expect(createAuthority('sandbox')).toBeInstanceOf(SandboxAuthority);
    expect(createAuthority('https://authority.example')).toBeInstanceOf(AuthorityHttpClient);
  });
});

describe('where the settings file lives', () => {
  it('per platform, with ECPS_CONFIG_DIR first', () => {
    expect(defaultSettingsFile({ env: {}, platform: 'linux', home: '/home/ph' })).toBe('/home/ph/.config/compagnon-ecps/settings.json');
    expect(defaultSettingsFile({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/ph' })).toBe('/xdg/compagnon-ecps/settings.json');
    expect(defaultSettingsFile({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home: '/home/ph' })).toBe('/home/ph/.config/compagnon-ecps/settings.json');
    expect(defaultSettingsFile({ env: { APPDATA: 'C:\\Users\\ph\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\ph' })).toBe(
      'C:\\Users\\ph\\AppData\\Roaming\\Compagnon e-CPS\\settings.json',
    );
    expect(defaultSettingsFile({ env: {}, platform: 'darwin', home: '/Users/ph' })).toBe('/Users/ph/Library/Application Support/Compagnon e-CPS/settings.json');
    expect(resolveConfigDir({ env: { ECPS_CONFIG_DIR: '/tmp/cfg' }, platform: 'linux', home: '/home/ph' })).toBe('/tmp/cfg');
  });
});
