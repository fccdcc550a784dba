#!/usr/bin/env node
// Entry point of the `ecps` CLI. It runs the built bundle (dist/node, tools/build.mjs), rebuilt
// first if a source changed since (a few ms to check); ECPS_FROM_SOURCE=1 runs the TypeScript
// sources through tsx instead (development).
//
// Card commands run in a worker process: a PC/SC call that never returns (a mute card behind a
// driver with no timeout, e.g. vpcd) pins a libuv thread, and process.exit() then blocks for
// ever, because Node joins its thread pool before exiting. The worker reports its exit code
// first, so this launcher can exit with it and, if the worker is stuck in that join, kill it.
// Output goes straight to the terminal (inherited stdio); Ctrl-C / SIGTERM sent to the launcher
// alone are passed on to the worker. Commands that never touch PC/SC (`ecps atr`, help,
// version) run here, without the second process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How long a worker that reported its exit code may take to exit by itself. */
const EXIT_GRACE_MS = 300;

const argv = process.argv.slice(2);
const fromSource = process.env.ECPS_FROM_SOURCE === '1';

/**
 * A first guess, with no module loaded: the first word that is not an option (nor the value of
 * a global option taking one) is `atr`, or there is no command word. The bundle's exact
 * parser confirms it before anything runs here; a wrong guess the other way only costs the
 * worker's start-up. Card commands thus spawn their worker at once.
 */
function looksCardFree(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--lang' || arg === '--timeout' || arg === '--trace') i++;
    else if (arg === '--help' || arg === '-h' || arg === '--version' || arg === '-v') return true;
    else if (arg === '--') return args[i + 1] === undefined || args[i + 1] === 'atr';
    else if (!arg.startsWith('-') || arg === '-') return arg === 'atr';
  }
  return true;
}

/**
 * A card command's worker is started before anything else: Node's own start-up overlaps the
 * freshness check below, and the worker loads its module only once told to (a 'go' message after the
 * check or the rebuild; bin/ecps-worker-boot.mjs).
 */
const early = !fromSource && !looksCardFree(argv)
  ? spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL('./ecps-worker-boot.mjs', import.meta.url)), ...argv], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
  : undefined;

let entries;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  entries = { cli: new URL('../src-main/cli/main.ts', import.meta.url), worker: new URL('../src-main/cli/worker.ts', import.meta.url) };
} else {
  const { ensureBuilt } = await import('../tools/build-state.mjs');
  try {
    await ensureBuilt(['node'], { log: () => undefined });
  } catch (error) {
    early?.kill('SIGKILL');
    throw error;
  }
  entries = { cli: new URL('../dist/node/cli.mjs', import.meta.url), worker: new URL('../dist/node/cli-worker.mjs', import.meta.url) };
}

const cli = looksCardFree(argv) ? await import(entries.cli.href) : undefined;
if (cli?.runsWithoutCard(argv)) {
  const code = await cli.main(argv);
  process.exit(code);
} else {
  const workerArgs = [...process.execArgv, ...(fromSource ? ['--import', 'tsx'] : []), fileURLToPath(entries.worker), ...argv];
  const worker = early ?? spawn(process.execPath, workerArgs, { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  if (early) worker.send({ type: 'go', entry: entries.worker.href }, () => undefined);
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
  // The early worker may already be gone (it died while the bundles were checked).
  if (worker.exitCode !== null || worker.signalCode !== null) finish(worker.exitCode ?? 1);
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
