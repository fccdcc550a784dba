/**
 * Watchdog process for one vitest worker (started by test/support/hang-guard.ts).
 *
 * vitest's testTimeout and hookTimeout are JavaScript timers: they cannot fire while the
 * worker's main thread is blocked in a native call (pcsc-mini's Client.start() waiting for a
 * pcscd that waits for a virtual card served by that same thread: the run hung forever).
 * This separate process receives a heartbeat line every second on its stdin, plus the file
 * and the test being run. When the heartbeat stops for longer than the limit, it writes a
 * report (the test, the worker's main-thread stack when gdb is installed, the kernel's view
 * of every thread, the worker's child processes such as pcscd) to stderr and to
 * test-results/hang-guard/, then kills the worker and its descendants, so the run fails with
 * that report instead of never ending. When the worker exits, its end of the pipe closes and
 * this process exits too.
 *
 * Usage: node hang-watchdog.mjs <worker pid> <limit ms> <report dir>
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const [workerPid, limitMs, reportDir] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];

let lastBeat = Date.now();
let file = '(unknown file)';
/** The test running now, or the last one and the phase after it. */
let current = { name: '(no test started yet: file setup or beforeAll)', since: Date.now(), running: false };

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  lastBeat = Date.now();
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message.type === 'file') file = message.file;
  if (message.type === 'test-start') current = { name: message.name, since: Date.now(), running: true };
  if (message.type === 'test-end') current = { name: `${message.name} (finished; then hooks, the next test or teardown)`, since: Date.now(), running: false };
});
process.stdin.on('end', () => process.exit(0));

/** Linux x86-64 syscall numbers a blocked thread is usually found in. */
const SYSCALLS = { 0: 'read', 7: 'poll', 23: 'select', 35: 'nanosleep', 45: 'recvfrom', 61: 'wait4', 202: 'futex', 219: 'restart_syscall', 230: 'clock_nanosleep', 232: 'epoll_wait', 270: 'pselect6', 271: 'ppoll', 281: 'epoll_pwait', 441: 'epoll_pwait2' };

function read(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** One line per thread: name, state, and the syscall it sits in (needs root or ptrace rights). */
function threads(pid) {
  let tids;
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return ['  (process gone)'];
  }
  return tids.map((tid) => {
    const comm = read(`/proc/${pid}/task/${tid}/comm`)?.trim();
    const state = read(`/proc/${pid}/task/${tid}/stat`)?.split(') ')[1]?.[0];
    const number = read(`/proc/${pid}/task/${tid}/syscall`)?.split(' ')[0];
    const syscall = number === undefined ? '?' : number === 'running' ? 'running' : (SYSCALLS[number] ?? `syscall ${number}`);
    const wchan = read(`/proc/${pid}/task/${tid}/wchan`);
    return `  ${tid === String(pid) ? 'main ' : ''}${tid} ${comm} state ${state} in ${syscall}${wchan && wchan !== '0' ? ` (${wchan})` : ''}`;
  });
}

/** Every descendant of `pid`: [pid, command line, state]. */
function descendants(pid) {
  const parentOf = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    const after = stat?.split(') ')[1];
    if (after) parentOf.set(Number(entry), { ppid: Number(after.split(' ')[1]), state: after[0] });
  }
  const found = [];
  const walk = (parent) => {
    for (const [child, info] of parentOf) {
      if (info.ppid !== parent || child === process.pid) continue;
      const cmd = (read(`/proc/${child}/cmdline`) ?? '').split('\0').join(' ').trim().slice(0, 200);
      found.push({ pid: child, cmd, state: info.state });
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function nativeStack(pid) {
  const gdb = spawnSync('gdb', ['-p', String(pid), '-batch', '-nx', '-ex', 'thread 1', '-ex', 'bt 20'], { encoding: 'utf8', timeout: 30_000 });
  if (gdb.error) return ['  (gdb not installed: apt-get install gdb to get the native stack here)'];
  // `thread 1` prints the top frame once more before `bt`: keep each frame once.
  const frames = [...new Set(gdb.stdout.split('\n').filter((line) => line.startsWith('#')))];
  return frames.length > 0 ? frames.map((line) => `  ${line.slice(0, 220)}`) : [`  (gdb: ${gdb.stderr.trim().split('\n').pop() ?? 'no stack'})`];
}

function report() {
  const silentS = ((Date.now() - lastBeat) / 1000).toFixed(0);
  const sinceS = ((Date.now() - current.since) / 1000).toFixed(0);
  const children = descendants(workerPid);
  const lines = [
    '',
    `HANG GUARD: the test worker ${workerPid} stopped responding for ${silentS} s (limit ${limitMs / 1000} s): its main thread is blocked, so vitest's own timeouts cannot fire.`,
    `  file: ${file}`,
    `  ${current.running ? 'test running' : 'last test'}: ${current.name} (${sinceS} s ago)`,
    'Native stack of the main thread:',
    ...nativeStack(workerPid),
    'Threads of the worker:',
    ...threads(workerPid),
    'Child processes of the worker (state T = stopped):',
    ...(children.length ? children.map((c) => `  ${c.pid} [${c.state}] ${c.cmd}`) : ['  (none)']),
    ...children.filter((c) => /pcscd/.test(c.cmd)).flatMap((c) => [`Threads of pcscd ${c.pid}:`, ...threads(c.pid)]),
    `The worker and its child processes are killed now (set ECPS_HANG_GUARD_SECONDS to change the limit, 0 to disable).`,
    '',
  ];
  const text = lines.join('\n');
  process.stderr.write(text);
  try {
    fs.mkdirSync(reportDir, { recursive: true });
    const name = `${path.basename(file).replace(/[^\w.-]+/g, '_')}-${workerPid}.txt`;
    fs.writeFileSync(path.join(reportDir, name), text);
  } catch {
    // the report is on stderr already
  }
  return children;
}

setInterval(() => {
  if (Date.now() - lastBeat < limitMs) return;
  const children = report();
  for (const pid of [workerPid, ...children.map((c) => c.pid)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
}, Math.min(1000, limitMs / 4)).unref();
// The interval is unref()'d: stdin (the worker's pipe) is what keeps this process alive.
