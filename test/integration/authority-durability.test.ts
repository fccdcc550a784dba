/**
 * A crash in the middle of a write loses or corrupts nothing (issue 4 §2): a child process
 * writes activations through the real store and is SIGKILLed at a random moment, several
 * times over the same file; after each kill the store must open, validate (every record
 * whole) and contain every activation whose write the child had acknowledged, each with the
 * e-mail written in the same update.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicJsonFile, authorityStateCodec } from '../../simulators/authority/index';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs the writer until it has acknowledged `atLeast` writes, then kills it after a random delay. */
function writeThenKill(file: string, atLeast: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'test/unit/authority/store-writer.ts', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: string[] = [];
    let buffer = '';
    let stderr = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) if (line !== 'ready') acknowledged.push(line);
      if (!armed && acknowledged.length >= atLeast) {
        armed = true;
        // A random moment, from "right now" to a few writes later: inside a write most of the time.
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close', not 'exit': the acknowledgements the child printed before the kill may still
    // sit in the pipe when 'exit' fires; 'close' comes after stdout is drained.
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: ${stderr}`));
      else resolve(acknowledged);
    });
  });
}

describe('the authority store under crashes', () => {
  it('keeps every acknowledged activation, whole, after SIGKILLs at random moments', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecps-authority-crash-'));
    const file = path.join(dir, 'authority-state.json');
    const all: string[] = [];
    for (let round = 0; round < 4; round++) {
      all.push(...(await writeThenKill(file, 10 + Math.floor(Math.random() * 30))));
      // Opening validates the whole document against the schema: a torn record would throw.
      const store = await AtomicJsonFile.open(file, authorityStateCodec);
      const { activations, outbox } = store.read();
      for (const id of all) expect(activations[id]?.status, `activation ${id} (round ${round})`).toBe('request-sent');
      for (const a of Object.values(activations)) {
        expect(outbox.filter((m) => m.activationId === a.activationId && m.qrPayload?.length === 2048)).toHaveLength(1);
      }
      // At most one write per kill (the one in flight) is extra: acknowledged or not, it is
      // whole. The file keeps every round's records, so the bound grows with the rounds.
      expect(Object.keys(activations).length - all.length).toBeLessThanOrEqual(round + 1);
      expect(readdirSync(dir)).toEqual(['authority-state.json']); // open() swept the torn temporary file
    }
  });
});
