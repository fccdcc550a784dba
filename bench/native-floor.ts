/** Compiles and runs the C SCardTransmit loop (bench/c/transmit-loop.c): the native floor. */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Path of the compiled program, or a reason why there is none (no compiler, no headers). */
export function buildNativeFloor(): { binary?: string; reason?: string } {
  const source = path.join(here, 'c', 'transmit-loop.c');
  if (!fs.existsSync('/usr/include/PCSC/winscard.h')) return { reason: 'libpcsclite-dev is not installed' };
  const hash = createHash('sha256').update(fs.readFileSync(source)).digest('hex').slice(0, 12);
  const dir = path.resolve(here, '..', 'node_modules', '.cache', 'ecps-bench');
  const binary = path.join(dir, `transmit-loop-${hash}`);
  if (fs.existsSync(binary)) return { binary };
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('cc', ['-O2', '-o', binary, source, '-I/usr/include/PCSC', '-lpcsclite'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { reason: `cc failed: ${r.error?.message ?? r.stderr}` };
  return { binary };
}

/**
 * Per-APDU times in µs measured by the C program itself. Asynchronous on purpose: the
 * virtual card answering it lives in this very process (a synchronous spawn would deadlock).
 */
export function runNativeFloor(binary: string, reader: string, count: number, apduHex: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [reader, String(count), apduHex], { env: process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`transmit-loop failed (${code}): ${err}`));
      else resolve(out.trim().split('\n').map(Number));
    });
  });
}
