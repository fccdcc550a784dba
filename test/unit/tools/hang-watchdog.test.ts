/**
 * The hang guard's watchdog (test/support/hang-watchdog.mjs) against a real process that
 * blocks its main thread the way a native call does: it must name the test, kill the process
 * and its children, and stay out of the way of a process that keeps beating.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const watchdogScript = path.resolve(here, '..', '..', 'support', 'hang-watchdog.mjs');
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecps-hang-'));

afterAll(() => fs.rmSync(reportDir, { recursive: true, force: true }));

/**
 * A stand-in for a vitest worker: starts the watchdog as hang-guard.ts does, announces a file
 * and a test, beats `beats` times, starts a child, then blocks its main thread (or exits).
 */
function fakeWorker(beats: number, then: 'block' | 'exit') {
  const source = `
    const { spawn } = require('node:child_process');
    const dog = spawn(process.execPath, [${JSON.stringify(watchdogScript)}, String(process.pid), '1500', ${JSON.stringify(reportDir)}], { stdio: ['pipe', 'ignore', 'ignore'] });
    dog.unref(); dog.stdin.unref();
    const send = (m) => dog.stdin.write(JSON.stringify(m) + '\\n');
    send({ type: 'file', file: 'test/integration/fake.test.ts' });
    send({ type: 'test-start', name: 'suite > the stuck test' });
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    process.stdout.write(child.pid + ' ' + dog.pid + '\\n');
    let n = 0;
    const beat = setInterval(() => {
      send({ type: 'beat' });
      if (++n < ${beats}) return;
      clearInterval(beat);
      if (${JSON.stringify(then)} === 'exit') { child.kill(); dog.stdin.end(); return; }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
    }, 300);
  `;
  const proc = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = new Promise<{ child: number; dog: number }>((resolve) =>
    proc.stdout.once('data', (chunk: Buffer) => {
      const [child, dog] = chunk.toString().trim().split(' ').map(Number);
      resolve({ child: child!, dog: dog! });
    }),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { proc, pids, exited };
}

/** Running, not just a zombie waiting for a parent that does not reap (as pid 1 may not here). */
const alive = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('hang watchdog', () => {
  it('reports the running test and kills a worker whose main thread stopped, with its children', async () => {
    const worker = fakeWorker(3, 'block');
    const { child } = await worker.pids;
    const exit = await worker.exited;
    expect(exit.signal).toBe('SIGKILL');
    const reports = fs.readdirSync(reportDir).filter((name) => name.includes(String(worker.proc.pid)));
    expect(reports).toHaveLength(1);
    const report = fs.readFileSync(path.join(reportDir, reports[0]!), 'utf8');
    expect(report).toMatch(/HANG GUARD: the test worker \d+ stopped responding/);
    expect(report).toContain('file: test/integration/fake.test.ts');
    expect(report).toContain('test running: suite > the stuck test');
    expect(report).toMatch(/sleep 60/); // the child process list
    expect(report).toMatch(/main \d+ node state S/); // the kernel's view of the main thread
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(child)).toBe(false);
  }, 20_000);

  it('leaves a beating worker alone and exits with it', async () => {
    const worker = fakeWorker(8, 'exit'); // 8 beats 300 ms apart: past the 1.5 s limit in total
    const { dog } = await worker.pids;
    const exit = await worker.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(dog)).toBe(false);
    expect(fs.readdirSync(reportDir).filter((name) => name.includes(String(worker.proc.pid)))).toEqual([]);
  }, 20_000);
});
