/**
 * `ecps readers --strategies | --forget NAME | --forget-all [--state-dir DIR]`: list and forget
 * what the fallback ladder remembered (reader-memory.ts), French by default, JSON with --json,
 * exit codes from the table; and where the state folder is (state-dir.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { ReaderMemory } from '../../../src-main/reader/reader-memory';
import { defaultStrategy } from '../../../src-main/reader/fallback-strategy';
import { defaultStateDir, resolveStateDir } from '../../../src-main/reader/state-dir';
import { jsonLines, runMain } from '../../support/cli';

const A = 'Lecteur ancien 00 00';
const B = 'Lecteur ancien 00 01';
let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ecps-readers-state-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env.ECPS_STATE_DIR;
});

async function rememberTwo(): Promise<void> {
  const memory = new ReaderMemory({ directory: dir, now: () => new Date('2026-03-01T10:00:00Z') });
  await memory.remember(A, { ...defaultStrategy(), protocol: 'T0', timeoutMs: 45_000 }, { rungs: ['protocol:T0', 'timeout:45000'], atr: '3BAC00402A' });
  await memory.remember(B, { ...defaultStrategy(), protocol: 'T0' }, { rungs: ['protocol:T0'] });
}

describe('ecps readers --strategies', () => {
  it('nothing remembered: says so (exit 0), JSON an empty list with the folder', async () => {
    const human = await runMain(['readers', '--strategies', '--state-dir', dir]);
    expect(human.code).toBe(EXIT.ok);
    expect(human.stdout).toBe(`Aucune stratégie de repli mémorisée (${dir}).\n`);
    const json = await runMain(['readers', '--strategies', '--json', '--state-dir', dir]);
    expect(jsonLines(json.stdout)[0]).toEqual({ directory: dir, source: 'option', strategies: [] });
  });

  it('lists each reader with its rungs, date, settings and ATR (French; English with --lang en)', async () => {
    await rememberTwo();
    const run = await runMain(['readers', '--strategies', '--state-dir', dir]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`Stratégies de repli mémorisées (${dir}) :`);
    expect(run.stdout).toContain(`« ${A} » : protocol:T0 → timeout:45000 — mémorisée le 2026-03-01 10:00:00`);
    expect(run.stdout).toContain('réglages : protocol=T0 share=shared reset=none extended=true case4AsCase3=false maxReadChunk=231 timeoutMs=45000 retries=0');
    expect(run.stdout).toContain('ATR 3BAC00402A');
    const en = await runMain(['readers', '--strategies', '--lang', 'en', '--state-dir', dir]);
    expect(en.stdout).toContain(`"${A}": protocol:T0 → timeout:45000 — remembered on 2026-03-01 10:00:00`);
    const json = jsonLines((await runMain(['readers', '--strategies', '--json', '--state-dir', dir])).stdout)[0] as { strategies: { reader: string; rungs: string[]; strategy: { protocol: string } }[] };
    expect(json.strategies.map((s) => [s.reader, s.rungs, s.strategy.protocol])).toEqual([[A, ['protocol:T0', 'timeout:45000'], 'T0'], [B, ['protocol:T0'], 'T0']]);
  });

  it('ECPS_STATE_DIR when --state-dir is not given', async () => {
    await rememberTwo();
    process.env.ECPS_STATE_DIR = dir;
    const json = jsonLines((await runMain(['readers', '--strategies', '--json'])).stdout)[0];
    expect(json).toMatchObject({ directory: dir, source: 'env' });
  });
});

describe('ecps readers --forget NAME / --forget-all', () => {
  it('--forget NAME: that reader only, reported; the other stays', async () => {
    await rememberTwo();
    const run = await runMain(['readers', '--forget', A, '--state-dir', dir]);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stdout).toBe(`Stratégie oubliée pour « ${A} » : le prochain essai repartira de la stratégie par défaut.\n`);
    expect(Object.keys((JSON.parse(readFileSync(path.join(dir, 'reader-strategies.json'), 'utf8')) as { readers: object }).readers)).toEqual([B]);
    const json = await runMain(['readers', '--forget', B, '--json', '--state-dir', dir]);
    expect(jsonLines(json.stdout)[0]).toEqual({ directory: dir, source: 'option', forgotten: [B] });
  });

  it('--forget of a name not remembered: exit 4 (ReaderNotRemembered) naming the remembered readers', async () => {
    await rememberTwo();
    const run = await runMain(['readers', '--forget', 'Lecteur ancien', '--state-dir', dir]);
    expect(run.code).toBe(EXIT.noReader);
    expect(run.stderr).toContain(`Aucune stratégie mémorisée pour le lecteur « Lecteur ancien » (lecteurs mémorisés : « ${A} », « ${B} »).`);
    expect(run.stderr).toContain('Que faire : Donnez le nom exact');
    const json = await runMain(['readers', '--forget', 'x', '--json', '--state-dir', dir]);
    expect(jsonLines(json.stdout)[0]).toMatchObject({ error: { code: 'ReaderNotRemembered' } });
  });

  it('--forget-all: every reader, reported; nothing remembered → nothing to forget (exit 0, no file written)', async () => {
    const none = await runMain(['readers', '--forget-all', '--state-dir', path.join(dir, 'new')]);
    expect(none.code).toBe(EXIT.ok);
    expect(none.stdout).toContain('Aucune stratégie mémorisée : rien à oublier');
    await rememberTwo();
    const run = await runMain(['readers', '--forget-all', '--json', '--state-dir', dir]);
    expect(jsonLines(run.stdout)[0]).toEqual({ directory: dir, source: 'option', forgotten: [A, B] });
    expect((await runMain(['readers', '--strategies', '--state-dir', dir])).stdout).toContain('Aucune stratégie de repli mémorisée');
  });

  it('a state folder that is a file: exit 1 (StateDirUnusable) with what to do', async () => {
    const file = path.join(dir, 'file');
    writeFileSync(file, 'x');
    const run = await runMain(['readers', '--strategies', '--json', '--state-dir', path.join(file, 'sub')]);
    expect(run.code).toBe(EXIT.failure);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ error: { code: 'StateDirUnusable', remedy: expect.stringContaining('--state-dir') } });
  });

  it('usage errors (exit 2): options that clash, --state-dir alone, --forget without a name', async () => {
    for (const argv of [['readers', '--strategies', '--forget-all'], ['readers', '--forget', A, '--forget-all'], ['readers', '--state-dir', dir], ['readers', '--forget']]) {
      const run = await runMain(argv);
      expect(run.code, argv.join(' ')).toBe(EXIT.usage);
      expect(run.stderr).toMatch(/^Ligne de commande invalide : /);
    }
  });
});

describe('the state folder (state-dir.ts)', () => {
  it('per platform: XDG on Linux, %APPDATA% on Windows, Application Support on macOS', () => {
    expect(defaultStateDir({ platform: 'linux', env: {}, home: '/home/u' })).toBe('/home/u/.config/compagnon-ecps');
    expect(defaultStateDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/cfg' }, home: '/home/u' })).toBe('/cfg/compagnon-ecps');
    expect(defaultStateDir({ platform: 'linux', env: { XDG_CONFIG_HOME: 'relative' }, home: '/home/u' })).toBe('/home/u/.config/compagnon-ecps');
    expect(defaultStateDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, home: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Compagnon e-CPS');
    expect(defaultStateDir({ platform: 'win32', env: {}, home: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Compagnon e-CPS');
    expect(defaultStateDir({ platform: 'darwin', env: {}, home: '/Users/u' })).toBe('/Users/u/Library/Application Support/Compagnon e-CPS');
  });

  it('--state-dir, then ECPS_STATE_DIR, then the default', () => {
    const env = { ECPS_STATE_DIR: '/from/env' };
    expect(resolveStateDir('/opt/x', { env })).toEqual({ directory: '/opt/x', source: 'option' });
    expect(resolveStateDir(undefined, { env })).toEqual({ directory: '/from/env', source: 'env' });
    expect(resolveStateDir(undefined, { env: {}, platform: 'linux', home: '/h' })).toEqual({ directory: '/h/.config/compagnon-ecps', source: 'default' });
    expect(resolveStateDir('rel', { env: {} }).directory).toBe(path.resolve('rel'));
  });
});
