#!/usr/bin/env node
// `npm start`: rebuilds what a source change made stale (tools/build.mjs — nothing when nothing
// changed), then starts the app from its bundle (dist/node/start.mjs, src-main/shell/start.ts):
// Electron where its binary exists or can be fetched, otherwise the web shell.
// ECPS_FROM_SOURCE=1 runs the TypeScript sources through tsx instead (development).
if (process.env.ECPS_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src-main/shell/start.ts');
} else {
  const { ensureBuilt, staleTargets, TARGETS } = await import('../tools/build-state.mjs');
  const stale = staleTargets(TARGETS);
  if (stale.length > 0) {
    // On stderr: stdout carries the URL line that scripts read.
    process.stderr.write(`Compagnon e-CPS : construction (${stale.join(', ')})… / building (${stale.join(', ')})…\n`);
    const started = Date.now();
    await ensureBuilt(TARGETS);
    process.stderr.write(`Compagnon e-CPS : construit en ${((Date.now() - started) / 1000).toFixed(1)} s / built.\n`);
  }
  await import('../dist/node/start.mjs');
}
