/**
 * Issue 13 #11: settings.json is in a folder the user (or anything running as the user)
 * controls. A symlink to /dev/zero or /dev/urandom made the app read for ever (2.9 GB RSS in
 * 20 s, never started); a FIFO blocks a plain read. Each is now refused at once, with its own
 * warning and the defaults. And the BOM Windows Notepad writes is not "corrupt".
 * The special files are read in a child process with a deadline: a regression must fail the
 * test, not hang or swamp the test runner.
 */
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SETTINGS_BYTES, readSettingsFile, SettingsStore } from '../../../src-main/settings/settings-store';

const STORE = fileURLToPath(new URL('../../../src-main/settings/settings-store.ts', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ecps-settings-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** readSettingsFile(file) in a child process, killed after `ms`: its result or 'hung'. */
function readInChild(file: string, ms = 15_000): { code?: string; settings?: unknown; ms: number } | 'hung' {
  const script = path.join(dir, 'read.mts');
  writeFileSync(
    script,
    `import { readSettingsFile } from ${JSON.stringify(STORE)};\nconst t = Date.now();\nconst r = readSettingsFile(${JSON.stringify(file)});\n` +
      `process.stdout.write(JSON.stringify({ code: r.warning?.code, settings: r.settings, ms: Date.now() - t }));\n`,
  );
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { timeout: ms, encoding: 'utf8', killSignal: 'SIGKILL' });
  if (child.error || child.status !== 0) return 'hung';
  return JSON.parse(child.stdout) as { code?: string; settings?: unknown; ms: number };
}

describe('settings.json that is not a small regular file', () => {
  it.each(['/dev/zero', '/dev/urandom'])('a symlink to %s is refused at once (SettingsFileNotRegular), defaults used', (target) => {
    const file = path.join(dir, 'settings.json');
    symlinkSync(target, file);
    const result = readInChild(file);
    expect(result).not.toBe('hung');
    expect(result).toMatchObject({ code: 'SettingsFileNotRegular', settings: { authority: 'sandbox', language: 'fr' } });
  }, 30_000);

  it('a FIFO does not block the start', () => {
    const file = path.join(dir, 'settings.json');
    execFileSync('mkfifo', [file]);
    expect(readInChild(file)).toMatchObject({ code: 'SettingsFileNotRegular' });
  }, 30_000);

  it('a folder in its place is refused the same way', () => {
    const file = path.join(dir, 'settings.json');
    mkdirSync(file);
    expect(readSettingsFile(file).warning?.code).toBe('SettingsFileNotRegular');
  });

  it('a file over the size limit is not read (SettingsFileTooLarge)', () => {
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, `{"version":1,${' '.repeat(MAX_SETTINGS_BYTES)}}`);
    const read = readSettingsFile(file);
    expect(read.warning?.code).toBe('SettingsFileTooLarge');
    expect(read.warning?.text('fr')).toMatch(/anormalement gros/);
    expect(read.settings.authority).toBe('sandbox');
  });

  it('a symlink to a regular settings file is followed (a managed profile may link it)', () => {
    const real = path.join(dir, 'real.json');
    writeFileSync(real, JSON.stringify({ version: 1, authority: 'sandbox', language: 'en', pairingAddress: 'auto' }));
    const file = path.join(dir, 'settings.json');
    symlinkSync(real, file);
    expect(readSettingsFile(file)).toEqual({ settings: { authority: 'sandbox', language: 'en', pairingAddress: 'auto' } });
  });

  it('saving over a refused file replaces it with a real one', () => {
    const file = path.join(dir, 'settings.json');
    mkdirSync(path.join(dir, 'elsewhere'));
    symlinkSync(path.join(dir, 'elsewhere'), file); // in process: never a device here (a regression would hang the runner)
    const store = new SettingsStore({ file });
    expect(store.warning?.code).toBe('SettingsFileNotRegular');
    store.update({ language: 'en' });
    expect(readSettingsFile(file)).toEqual({ settings: { authority: 'sandbox', language: 'en', pairingAddress: 'auto' } });
  });
});

describe('settings.json written by Windows Notepad', () => {
  it('valid JSON with a UTF-8 BOM is accepted, not called corrupt', () => {
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, `\uFEFF${JSON.stringify({ version: 1, authority: 'sandbox', language: 'en', pairingAddress: 'loopback' })}\r\n`, 'utf8');
    expect(readSettingsFile(file)).toEqual({ settings: { authority: 'sandbox', language: 'en', pairingAddress: 'loopback' } });
  });

  it('a BOM in front of garbage is still corrupt', () => {
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, '\uFEFF{nope', 'utf8');
    expect(readSettingsFile(file).warning?.code).toBe('SettingsFileCorrupt');
  });
});
