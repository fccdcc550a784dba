/**
 * Vitest global setup: the tests that run `node bin/ecps.mjs` / `node bin/start.mjs` exercise
 * the built bundles (dist/node). Built here, once, if a source changed since the last build
 * (tools/build-state.mjs), before any test starts — so no test ever runs an older bundle, and
 * the launchers of parallel tests find it up to date instead of waiting for one another.
 */
import { ensureBuilt } from '../../tools/build-state.mjs';

export default async function setup(): Promise<void> {
  const built = await ensureBuilt(['node']);
  if (built.length > 0) console.log(`(bundles reconstruits avant les tests / bundles rebuilt: ${built.join(', ')})`);
}
