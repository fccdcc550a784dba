/**
 * pcscd whose socket is there but who does not answer — frozen with SIGSTOP here; the same as
 * a pcscd still starting (it creates its socket, then waits for each reader's first status,
 * i.e. for the ATR of a card in it) or hung. pcsc-mini's Client.start() and Client.stop()
 * wait for pcscd ON THE MAIN THREAD with no timeout: before the port probed pcscd first
 * (native-bindings/pcsc/service-probe.ts), each of these cases froze the event loop — in the
 * Electron app, a window that no longer repaints; in a test that serves the virtual card
 * itself, a deadlock.
 *
 * Each case arms an outside safety net (a shell that thaws pcscd after SAFETY_MS) so that a
 * regression fails on the event-loop measurement instead of hanging the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import { createPcscReaderPort, type PcscReaderPortOptions } from '../../native-bindings/pcsc';
import type { ReaderEvent, ReaderPort } from '../../src-shared/reader-port';

/** pcscd answers the probe in ~1 ms; this is "not answering" for these tests. */
const PROBE_TIMEOUT_MS = 400;
/** How long pcscd stays frozen while the event loop is watched. */
const FROZEN_MS = 2500;
/** The outside thaw, for a regression: the blocked thread then resumes and the test fails. */
const SAFETY_MS = FROZEN_MS + 3000;
/** Longest event-loop gap accepted while pcscd is frozen (a blocked call lasts ≥ FROZEN_MS). */
const MAX_GAP_MS = FROZEN_MS / 2;
const blockedMessage = (gap: number) => `the event loop was blocked for ${gap} ms while pcscd was frozen (a native call waited for it)`;

let rig: PcscRig;
const ports: ReaderPort[] = [];
let safety: ChildProcess | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\npcscd:\n${rig.log().split('\n').slice(-10).join('\n')}`);
    await sleep(20);
  }
}

interface Probed {
  port: ReaderPort;
  events: ReaderEvent[];
  /** Probes that found pcscd silent (logged by the port). */
  silentProbes: () => number;
}

function newPort(options: PcscReaderPortOptions = {}): Probed {
  let silent = 0;
  const port = createPcscReaderPort({
    serviceProbeTimeoutMs: PROBE_TIMEOUT_MS,
    ...options,
    logger: {
      debug: (message, details) => void (details?.probe === 'silent' && silent++),
      warn: (message, details) => void (details?.probe === 'silent' && silent++),
    },
  });
  ports.push(port);
  const events: ReaderEvent[] = [];
  port.onEvent((event) => events.push(event));
  return { port, events, silentProbes: () => silent };
}

/** Largest gap between two turns of the event loop while it runs. */
function watchEventLoop(): () => number {
  let last = Date.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    max = Math.max(max, now - last);
    last = now;
  }, 10);
  return () => {
    clearInterval(timer);
    return Math.max(max, Date.now() - last);
  };
}

/** Freezes pcscd, with a thaw from outside this process after SAFETY_MS. */
function freeze(): void {
  const pid = rig.pid;
  // The rig's process is pcscd itself (exec chain): freezing anything else would prove nothing.
  expect(pid && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('pcscd');
  rig.freezeService();
  safety = spawn('sh', ['-c', `sleep ${SAFETY_MS / 1000}; kill -CONT ${pid}`], { stdio: 'ignore' });
}

function frozen(): boolean {
  const pid = rig.pid;
  if (!pid) return false;
  // Field 3 of /proc/PID/stat: T = stopped.
  return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('T') ?? false;
}

function thaw(): void {
  rig?.thawService();
  if (safety?.exitCode === null) safety.kill('SIGKILL');
  safety = undefined;
}

beforeAll(async () => {
  rig = await startPcscRig();
});

afterEach(() => thaw());

afterAll(async () => {
  thaw();
  for (const port of ports) await port.stop();
  await rig?.dispose();
});

describe('pcscd is there but not answering (frozen): the event loop keeps running', () => {
  it('port.start() reports the service down after the probe, then comes up once pcscd answers', async () => {
    const { port, events, silentProbes } = newPort({ recovery: { initialDelayMs: 100, maxDelayMs: 200 } });
    freeze();
    const gap = watchEventLoop();
    const started = Date.now();
    await port.start();
    const startMs = Date.now() - started;
    const available = port.serviceAvailable();
    await sleep(FROZEN_MS - startMs);
    const maxGap = gap();
    expect(maxGap, blockedMessage(maxGap)).toBeLessThan(MAX_GAP_MS);
    expect(frozen(), 'pcscd was thawed early').toBe(true);
    expect(available).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['service-down']);
    thaw();
    await until('service-up with both readers', () => port.serviceAvailable() && port.readers().length === 2, 8000);
    console.log(`[measured] start() with pcscd frozen: resolved in ${startMs} ms; largest event-loop gap ${maxGap} ms; silent probes ${silentProbes()}`);
    expect(silentProbes()).toBeGreaterThan(1); // the first one and at least one retry
    expect(events.map((e) => e.type)).toEqual(['service-down', 'service-up', 'reader-added', 'reader-added']);
  });

  it('pcscd restarted and frozen before it answers: the reconnect loop waits without blocking', async () => {
    // Retries 800 ms apart: pcscd is restarted and frozen before the first one (checked below).
    const { port, events, silentProbes } = newPort({ recovery: { initialDelayMs: 800, maxDelayMs: 800 } });
    await port.start();
    expect(port.readers()).toHaveLength(2);
    let attempts = 0;
    for (;;) {
      await rig.stopService();
      await until('service-down', () => !port.serviceAvailable(), 5000);
      await rig.startService();
      freeze();
      if (!port.serviceAvailable()) break;
      // The machine was slow enough for the port to reconnect first: try again.
      thaw();
      expect(++attempts, 'the port always reconnected before pcscd could be frozen').toBeLessThan(3);
    }
    const gap = watchEventLoop();
    await sleep(FROZEN_MS);
    const maxGap = gap();
    expect(maxGap, blockedMessage(maxGap)).toBeLessThan(MAX_GAP_MS);
    expect(frozen(), 'pcscd was thawed early').toBe(true);
    expect(port.serviceAvailable()).toBe(false);
    thaw();
    await until('service-up with both readers', () => port.serviceAvailable() && port.readers().length === 2, 8000);
    console.log(`[measured] reconnect loop with pcscd frozen: largest event-loop gap ${maxGap} ms; silent probes ${silentProbes()}`);
    expect(silentProbes()).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'service-up').length).toBeGreaterThan(0);
  });

  it('port.stop() returns while pcscd is frozen, and a new port works once it answers', async () => {
    const { port } = newPort();
    await port.start();
    expect(port.readers()).toHaveLength(2);
    freeze();
    const gap = watchEventLoop();
    const started = Date.now();
    await port.stop();
    const stopMs = Date.now() - started;
    const maxGap = gap();
    expect(maxGap, blockedMessage(maxGap)).toBeLessThan(MAX_GAP_MS);
    expect(frozen(), 'pcscd was thawed before stop() returned').toBe(true);
    thaw();
    console.log(`[measured] stop() with pcscd frozen: ${stopMs} ms; largest event-loop gap ${maxGap} ms`);
    const { port: next } = newPort();
    await next.start();
    expect(next.serviceAvailable()).toBe(true);
    expect(next.readers()).toHaveLength(2);
  });
});
