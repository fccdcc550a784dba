import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RotatingFile } from '../../../src-main/logging/rotating-file';
import { createLogger, logStartup } from '../../../src-main/logging/logger';
import { defaultLogDir, resolveLogDir } from '../../../src-main/logging/log-dir';
import { settingsError } from '../../../src-main/settings/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ecps-logs-'));
});
afterEach(() => {
  try {
    chmodSync(dir, 0o700);
  } catch {
    // gone
  }
  rmSync(dir, { recursive: true, force: true });
});

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('rotation by size', () => {
  it('never lets a file pass maxBytes, keeps maxFiles files, the newest lines in the current file', () => {
    const file = new RotatingFile({ dir, maxBytes: 1000, maxFiles: 3 });
    for (let i = 0; i < 100; i++) file.write(JSON.stringify({ n: i, pad: 'x'.repeat(40) }));
    const names = readdirSync(dir).sort();
    expect(names).toEqual(['compagnon-ecps.log', 'compagnon-ecps.log.1', 'compagnon-ecps.log.2']);
    for (const name of names) expect(readFileSync(path.join(dir, name)).length).toBeLessThanOrEqual(1000);
    const current = lines(path.join(dir, 'compagnon-ecps.log')).map((l) => l.n as number);
    const previous = lines(path.join(dir, 'compagnon-ecps.log.1')).map((l) => l.n as number);
    const oldest = lines(path.join(dir, 'compagnon-ecps.log.2')).map((l) => l.n as number);
    expect(current.at(-1)).toBe(99);
    // The three files hold consecutive lines, oldest to newest; anything older was dropped.
    expect([...oldest, ...previous, ...current]).toEqual(Array.from({ length: oldest.length + previous.length + current.length }, (_, i) => 100 - oldest.length - previous.length - current.length + i));
    expect(oldest[0]).toBeGreaterThan(0);
  });

  it('carries on from a file left by a previous run', () => {
    writeFileSync(path.join(dir, 'compagnon-ecps.log'), `${'y'.repeat(950)}\n`);
    const file = new RotatingFile({ dir, maxBytes: 1000, maxFiles: 2 });
    file.write('z'.repeat(100));
    expect(readFileSync(path.join(dir, 'compagnon-ecps.log.1'), 'utf8')).toContain('yyyy');
    expect(readFileSync(path.join(dir, 'compagnon-ecps.log'), 'utf8')).toBe(`${'z'.repeat(100)}\n`);
  });
});

describe('an unusable log folder', () => {
  it('one warning on stderr, then silence; never a throw', () => {
    const blocker = path.join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const warn = vi.fn();
    const logger = createLogger({ dir: path.join(blocker, 'logs'), warn });
    expect(() => {
      logger.info('startup', { version: '1' });
      logger.error('internal-error', new Error('boom'));
      logger.warn('again');
    }).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/journal désactivé.*log disabled/);
  });

  it('the default warning goes to process.stderr', () => {
    const blocker = path.join(dir, 'file');
    writeFileSync(blocker, '');
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      createLogger({ dir: path.join(blocker, 'x') }).info('startup');
      expect(spy).toHaveBeenCalledWith(expect.stringMatching(/log disabled/));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('log lines', () => {
  it('are JSON with time, level, event and the fields; errors with code and message', () => {
    const logger = createLogger({ dir, now: () => new Date('2025-01-02T03:04:05Z') });
    logStartup(logger, { version: '0.1.0', shell: 'web', demo: true, authority: 'sandbox', language: 'fr' });
    logger.error('internal-error', settingsError('SettingsWriteFailed', { file: '/x/settings.json' }), { where: 'settings.set' });
    const [startup, error] = lines(path.join(dir, 'compagnon-ecps.log'));
    expect(startup).toMatchObject({ time: '2025-01-02T03:04:05.000Z', level: 'info', event: 'startup', version: '0.1.0', shell: 'web', demo: true, authority: 'sandbox' });
    expect(error).toMatchObject({ level: 'error', event: 'internal-error', where: 'settings.set', error: { name: 'EcpsError', code: 'SettingsWriteFailed' } });
    expect((error!.error as { message: string }).message).toContain('/x/settings.json');
  });
});

describe('where the logs go', () => {
  it('per platform, with ECPS_LOG_DIR first', () => {
    expect(defaultLogDir({ env: {}, platform: 'linux', home: '/home/ph' })).toBe('/home/ph/.local/state/compagnon-ecps/logs');
    expect(defaultLogDir({ env: { XDG_STATE_HOME: '/st' }, platform: 'linux', home: '/home/ph' })).toBe('/st/compagnon-ecps/logs');
    expect(defaultLogDir({ env: { XDG_STATE_HOME: 'rel' }, platform: 'linux', home: '/home/ph' })).toBe('/home/ph/.local/state/compagnon-ecps/logs');
    expect(defaultLogDir({ env: { LOCALAPPDATA: 'C:\\Users\\ph\\AppData\\Local' }, platform: 'win32', home: 'C:\\Users\\ph' })).toBe('C:\\Users\\ph\\AppData\\Local\\Compagnon e-CPS\\logs');
    expect(defaultLogDir({ env: {}, platform: 'win32', home: 'C:\\Users\\ph' })).toBe('C:\\Users\\ph\\AppData\\Local\\Compagnon e-CPS\\logs');
    expect(defaultLogDir({ env: {}, platform: 'darwin', home: '/Users/ph' })).toBe('/Users/ph/Library/Logs/Compagnon e-CPS');
    expect(resolveLogDir({ env: { ECPS_LOG_DIR: '/var/tmp/ecps' } })).toBe('/var/tmp/ecps');
  });
});
