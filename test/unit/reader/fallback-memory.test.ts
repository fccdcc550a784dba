/** ReaderMemory: persisted per reader, atomic writes, forget, corrupt files set aside. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReaderMemory } from '../../../src-main/reader/reader-memory';
import { defaultStrategy, familiesFor, nextRung } from '../../../src-main/reader/fallback-strategy';
import { parseFaultSpec, parseFaultSpecs, formatFaultSpec } from '../../../simulators/cards/faults';
import { t0OnlyAtr } from '../../../simulators/cards/legacy-faults';
import { parseReaderFaultSpecs } from '../../../simulators/cards/legacy-reader';
import { offeredProtocols } from '../../../simulators/cards/atr-protocols';
import { CPS3_ATR } from '../../../simulators/cards/cps3';
import { CPS4_ATR } from '../../../simulators/cards/cps4';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecps-memory-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ReaderMemory', () => {
  it('remembers per reader, in a JSON file another instance reads; no temp file left', async () => {
    const memory = new ReaderMemory({ directory: path.join(dir, 'nested'), now: () => new Date('2025-01-02T03:04:05Z') });
    const strategy = { ...defaultStrategy(), protocol: 'T0' as const, timeoutMs: 45_000 };
    await memory.remember('Reader A 00 00', strategy, { rungs: ['protocol:T0', 'timeout:45000'], atr: '3BAC' });
    await memory.remember('Reader A 00 01', defaultStrategy());
    const other = new ReaderMemory({ directory: path.join(dir, 'nested') });
    expect(await other.get('Reader A 00 00')).toEqual({ strategy, rememberedAt: '2025-01-02T03:04:05.000Z', rungs: ['protocol:T0', 'timeout:45000'], atr: '3BAC' });
    expect(fs.readdirSync(path.join(dir, 'nested'))).toEqual(['reader-strategies.json']);
    expect(JSON.parse(fs.readFileSync(other.file, 'utf8')).version).toBe(1);
  });

  it('forget one reader, or all', async () => {
    const memory = new ReaderMemory({ directory: dir });
    await memory.remember('A', defaultStrategy());
    await memory.remember('B', defaultStrategy());
    expect(await memory.forget('A')).toBe(true);
    expect(await memory.forget('A')).toBe(false);
    expect((await memory.list()).map((e) => e.reader)).toEqual(['B']);
    expect(await memory.forget()).toBe(true);
    expect(await new ReaderMemory({ directory: dir }).list()).toEqual([]);
  });

  it('concurrent remembers from one instance all land', async () => {
    const memory = new ReaderMemory({ directory: dir });
    await Promise.all(['A', 'B', 'C', 'D'].map((r) => memory.remember(r, defaultStrategy())));
    expect((await new ReaderMemory({ directory: dir }).list()).map((e) => e.reader).sort()).toEqual(['A', 'B', 'C', 'D']);
  });

  it('a corrupt or invalid file is set aside and treated as empty', async () => {
    fs.writeFileSync(path.join(dir, 'reader-strategies.json'), '{"version":1,"readers":{"A":{"strategy":{"protocol":"T9"}}}}');
    const memory = new ReaderMemory({ directory: dir });
    expect(await memory.get('A')).toBeUndefined();
    expect(fs.readdirSync(dir).some((f) => f.startsWith('reader-strategies.json.corrupt-'))).toBe(true);
  });
});

describe('rungs and faults', () => {
  it('a file that is not a regular one (a link to a folder) or an oversized one is set aside, never read (issue 13 #11)', async () => {
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    const memory = new ReaderMemory({ directory: dir });
    fs.symlinkSync(path.join(dir, 'elsewhere'), memory.file);
    expect(await memory.list()).toEqual([]);
    await memory.remember('A', defaultStrategy());
    expect((await new ReaderMemory({ directory: dir }).list()).map((e) => e.reader)).toEqual(['A']);
    fs.writeFileSync(memory.file, `{"version":1,"readers":{}${' '.repeat(1024 * 1024)}}`);
    expect(await new ReaderMemory({ directory: dir }).list()).toEqual([]);
  });

  it('ladders: T=1 → T=0 → ANY, 231 → 128 → 64, 15 s → 45 s', () => {
    let s = defaultStrategy();
    const ids: string[] = [];
    for (const family of ['protocol', 'protocol', 'chunk', 'chunk', 'timeout', 'reset', 'reset'] as const) {
      const rung = nextRung(family, s, [15_000, 45_000])!;
      ids.push(rung.id);
      s = rung.apply(s);
    }
    expect(ids).toEqual(['protocol:T0', 'protocol:any', 'chunk:128', 'chunk:64', 'timeout:45000', 'reset:warm', 'reset:cold']);
    expect(nextRung('protocol', s, [])).toBeUndefined();
    expect(familiesFor({ step: 'connect', code: 'NoCard' })).toEqual([]);
  });

  it('legacy faults parse and format like the others', () => {
    for (const text of ['t0-only', 'needs-cold-reset', 'no-case4', 'max-read:128', 'no-extended']) {
      expect(formatFaultSpec(parseFaultSpec(text))).toBe(text);
    }
    expect(parseFaultSpecs('t0-only,slow:2000').map((f) => f.kind)).toEqual(['t0-only', 'slow']);
    expect(() => parseFaultSpec('max-read')).toThrow();
    expect(parseReaderFaultSpecs('fail-pps,lose-response:3')).toEqual([{ kind: 'fail-pps' }, { kind: 'lose-response', atCommand: 3 }]);
    expect(() => parseReaderFaultSpecs('melt')).toThrow();
  });

  it('t0-only: CPS3 unchanged, CPS4 loses T=1', () => {
    expect(t0OnlyAtr(CPS3_ATR)).toEqual(CPS3_ATR);
    expect(offeredProtocols(CPS4_ATR)).toContain('T1');
    expect(offeredProtocols(t0OnlyAtr(CPS4_ATR))).toEqual(['T0']);
  });
});
