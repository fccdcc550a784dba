/**
 * vitest setup file (integration project): starts a watchdog process for this worker
 * (hang-watchdog.mjs) and keeps it informed — a heartbeat every second from this thread's
 * event loop, the file, and each test as it starts and ends. A test whose main thread blocks
 * in a native call cannot be stopped by vitest's timeouts; the watchdog then reports which
 * test it was, with the native stack, and kills the worker so the run fails instead of
 * hanging CI. Limit: ECPS_HANG_GUARD_SECONDS (default 120; 0 disables).
 *
 * Nothing here keeps the worker alive: the child, its pipe and the heartbeat are unref()'d.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_LIMIT_S = 120;
const HEARTBEAT_MS = 1000;

const configured = Number(process.env.ECPS_HANG_GUARD_SECONDS ?? DEFAULT_LIMIT_S);
const limitS = Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_LIMIT_S;

interface Named {
  name: string;
  suite?: Named | undefined;
}

function fullName(task: Named): string {
  const names: string[] = [];
  for (let t: Named | undefined = task; t; t = t.suite) if (t.name) names.unshift(t.name);
  return names.join(' > ');
}

if (limitS > 0) {
  const reportDir = path.resolve(here, '..', '..', 'test-results', 'hang-guard');
  const watchdog = spawn(process.execPath, [path.join(here, 'hang-watchdog.mjs'), String(process.pid), String(limitS * 1000), reportDir], {
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  watchdog.unref();
  const pipe = watchdog.stdin!;
  (pipe as unknown as { unref?: () => void }).unref?.();
  pipe.on('error', () => undefined); // the watchdog gone: nothing to tell
  const send = (message: Record<string, unknown>) => {
    if (!pipe.destroyed) pipe.write(`${JSON.stringify(message)}\n`);
  };
  setInterval(() => send({ type: 'beat' }), HEARTBEAT_MS).unref();

  // vitest 4 wants the first argument of a hook destructured (fixtures); the suite comes second.
  beforeAll(({}, suite) => send({ type: 'file', file: path.relative(process.cwd(), suite.file.filepath) }));
  beforeEach((context) => send({ type: 'test-start', name: fullName(context.task) }));
  afterEach((context) => send({ type: 'test-end', name: fullName(context.task) }));
}
