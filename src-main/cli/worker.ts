/**
 * The process that runs a card command for bin/ecps.mjs (bundled as dist/node/cli-worker.mjs).
 * It reports its exit code to the launcher before exiting: if a PC/SC call stuck on a mute
 * card keeps this process from exiting (Node joins its thread pool on exit), the launcher
 * exits with that code anyway and kills it.
 */
import { main } from './main';

const code = await main(process.argv.slice(2));
// stdout/stderr are synchronous for files, pipes and terminals on Linux: the output is out.
if (process.send) process.send({ type: 'exit', code }, () => process.exit(code));
else process.exit(code);
