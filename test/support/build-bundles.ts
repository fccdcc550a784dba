/**
 * Vitest global setup: the tests that run `node bin/ecps.mjs` / `node bin/start.mjs` exercise
 * the built bundles (dist/node; the web shell serves dist/renderer and dist/phone). Built
 * here, once, if a source changed since the last build (tools/build-state.mjs), before any
 * test starts — so no test ever runs an older bundle, none waits for a build inside its own
 * time limit, and the launchers of parallel tests find everything up to date.
 */
import { ensureBuilt, TARGETS } from '../../tools/build-state.mjs';

export default async function setup(): Promise<void> {
  const built = await ensureBuilt(TARGETS);
  if (built.length > 0) console.log(`(bundles reconstruits avant les tests / bundles rebuilt: ${built.join(', ')})`);
}
