#!/usr/bin/env node
// Entry point of the `ecps` CLI: runs the TypeScript sources through tsx, so a checkout
// works right after `npm ci` with no build step.
//
// Two processes: this small launcher, and a worker that runs the command. A PC/SC call that
// never returns (a mute card behind a driver with no timeout, e.g. vpcd) pins a libuv
// thread; process.exit() then blocks for ever, because Node joins its thread pool before
// exiting. The worker reports its exit code first, so the launcher can exit with it and, if
// the worker is stuck in that join, kill it. Output goes straight to the terminal (inherited
// stdio); Ctrl-C / SIGTERM sent to the launcher alone are passed on to the worker.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER_ENV = 'ECPS_CLI_WORKER';
/** How long a worker that reported its exit code may take to exit by itself. */
const EXIT_GRACE_MS = 300;

if (process.env[WORKER_ENV] === '1' && typeof process.send === 'function') {
  delete process.env[WORKER_ENV];
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src-main/cli/main.ts');
  const code = await main(process.argv.slice(2));
  // stdout/stderr are synchronous for files, pipes and terminals on Linux: the output is out.
  process.send({ type: 'exit', code }, () => process.exit(code));
} else {
  const worker = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [WORKER_ENV]: '1' },
  });
  let reported;
  /** A signal received before the worker listens for it: passed on once it does ('ready'). */
  let pendingAbort;
  const finish = (code) => process.exit(code);
  const abort = (signal) => worker.send({ type: 'abort', signal }, () => undefined);
  worker.on('message', (message) => {
    if (message?.type === 'ready' && pendingAbort) abort(pendingAbort);
    if (message?.type !== 'exit' || reported !== undefined) return;
    reported = message.code;
    setTimeout(() => {
      worker.kill('SIGKILL');
      finish(reported);
    }, EXIT_GRACE_MS);
  });
  worker.on('exit', (code, signal) => {
    if (reported !== undefined) finish(reported);
    else if (code !== null) finish(code);
    else finish(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1);
  });
  worker.on('error', (error) => {
    process.stderr.write(`ecps: ${error.message}\n`);
    finish(1);
  });
  // A terminal's Ctrl-C reaches both processes; a signal sent to the launcher's pid alone
  // (a script, a test) is passed on. The worker stops at the first one either way.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      pendingAbort = signal;
      if (worker.connected) abort(signal);
      else worker.kill(signal);
    });
  }
}
