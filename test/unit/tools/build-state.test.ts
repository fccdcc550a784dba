/**
 * tools/build-state.mjs: a bundle is rebuilt when — and only when — a file its build read
 * changed, vanished, or an output is missing; concurrent launchers wait for one build.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt, fingerprint, staleReason, staleTargets, STATE_FILE } from '../../../tools/build-state.mjs';

let root: string;

function writeState(inputs: string[], outputs: string[]): void {
  const state = { version: 1, targets: { node: { inputs: Object.fromEntries(inputs.map((f) => [f, fingerprint(path.join(root, f))])), outputs, builtAt: '' } } };
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  writeFileSync(path.join(root, STATE_FILE), JSON.stringify(state));
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'ecps-build-state-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/a.ts'), 'export const a = 1;\n');
  writeFileSync(path.join(root, 'dist-out.mjs'), '');
  writeState(['src/a.ts'], ['dist-out.mjs']);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('staleReason', () => {
  it('is up to date when nothing changed, and says which file changed otherwise', () => {
    expect(staleReason('node', root)).toBeUndefined();
    writeFileSync(path.join(root, 'src/a.ts'), 'export const a = 22;\n');
    expect(staleReason('node', root)).toBe('src/a.ts changed');
  });

  it('sees a same-size edit by its modification time', () => {
    const file = path.join(root, 'src/a.ts');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(staleReason('node', root)).toBe('src/a.ts changed');
  });

  it('is stale when an input was removed, an output is missing, or the target was never built', () => {
    rmSync(path.join(root, 'dist-out.mjs'));
    expect(staleReason('node', root)).toBe('dist-out.mjs missing');
    writeFileSync(path.join(root, 'dist-out.mjs'), '');
    rmSync(path.join(root, 'src/a.ts'));
    expect(staleReason('node', root)).toBe('src/a.ts removed');
    expect(staleReason('renderer', root)).toBe('never built');
    expect(staleTargets(['node', 'renderer'], root)).toEqual(['node', 'renderer']);
  });

  it('treats an unreadable state file as never built', () => {
    writeFileSync(path.join(root, STATE_FILE), '{ not json');
    expect(staleReason('node', root)).toBe('never built');
  });
});

describe('ensureBuilt', () => {
  it('builds nothing when everything is up to date, and only the stale targets otherwise', async () => {
    const calls: string[][] = [];
    const buildTargets = async (targets: string[]) => {
      calls.push(targets);
      writeState(['src/a.ts'], ['dist-out.mjs']);
    };
    expect(await ensureBuilt(['node'], { root, buildTargets })).toEqual([]);
    writeFileSync(path.join(root, 'src/a.ts'), 'export const a = 333;\n');
    expect(await ensureBuilt(['node'], { root, buildTargets })).toEqual(['node']);
    expect(calls).toEqual([['node']]);
    expect(await ensureBuilt(['node'], { root, buildTargets })).toEqual([]);
  });

  it('runs one build for launchers that find the same stale bundle at once', async () => {
    writeFileSync(path.join(root, 'src/a.ts'), 'export const a = 4444;\n');
    let builds = 0;
    const buildTargets = async () => {
      builds++;
      await new Promise((resolve) => setTimeout(resolve, 150));
      writeState(['src/a.ts'], ['dist-out.mjs']);
    };
    const results = await Promise.all([1, 2, 3].map(() => ensureBuilt(['node'], { root, buildTargets })));
    expect(builds).toBe(1);
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
  });
});
