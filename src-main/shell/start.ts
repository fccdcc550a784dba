/**
 * `npm start` (bin/start.mjs, bundled as dist/node/start.mjs): the desktop app — Electron where
 * its binary exists or can be fetched, otherwise the web shell (./launch.ts).
 * `npm start -- --no-open` serves without opening anything and prints the URL (with its secret
 * token) on a line of its own; `--demo` forces the virtual reader. The terminal companion stays
 * reachable as `npx ecps companion`.
 */
import { launch, parseLaunchArgs } from './launch';

const options = parseLaunchArgs(process.argv.slice(2));
if ('error' in options) {
  process.stderr.write(`${options.error}\nusage: npm start [-- --no-open] [--demo] [--lang fr|en]\n`);
  process.exit(2);
}
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => controller.abort());
const code = await launch(
  options,
  { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`), env: process.env },
  controller.signal,
).catch((error: unknown) => {
  process.stderr.write(`Compagnon e-CPS : ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});
// A PC/SC port is not stopped (pcsc-mini's stop can block until the next reader event): exit.
process.exit(code);
