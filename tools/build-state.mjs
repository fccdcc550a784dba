/**
 * Is the build up to date? The light half of the build (tools/build.mjs): it only reads files,
 * so every launcher (bin/ecps.mjs, bin/start.mjs) can ask before each run for a few
 * milliseconds, and only loads esbuild / Vite when something must be rebuilt.
 *
 * dist/.build-state.json records, per target, every file the last build read (esbuild's
 * metafile, Vite's module graph, the configs, package-lock.json, this build's own scripts)
 * with its size and modification time. A target is stale when one of them changed, vanished,
 * or an output is missing. Exact inputs (not whole folders): a file nobody imports does not
 * trigger a rebuild, and a file someone imports always does.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const STATE_FILE = 'dist/.build-state.json';
const LOCK_DIR = 'dist/.build-lock';
/** A lock older than this was left by a build that died (a full build takes well under it). */
const STALE_LOCK_MS = 5 * 60_000;

/** The targets, in build order. */
export const TARGETS = ['node', 'electron', 'renderer', 'phone'];

/** @returns {{ version: 1, targets: Record<string, { inputs: Record<string, [number, number]>, outputs: string[], builtAt: string }> } | undefined} */
export function readState(root = ROOT) {
  try {
    const state = JSON.parse(readFileSync(path.join(root, STATE_FILE), 'utf8'));
    return state?.version === 1 && state.targets ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Size and modification time, the fingerprint of one input (undefined: the file is gone). */
export function fingerprint(file) {
  try {
    const s = statSync(file);
    return [s.size, Math.round(s.mtimeMs)];
  } catch {
    return undefined;
  }
}

/** Why `target` must be rebuilt, or undefined when it is up to date. */
export function staleReason(target, root = ROOT, state = readState(root)) {
  const entry = state?.targets?.[target];
  if (!entry) return 'never built';
  for (const output of entry.outputs) if (!existsSync(path.join(root, output))) return `${output} missing`;
  for (const [file, [size, mtime]] of Object.entries(entry.inputs)) {
    const now = fingerprint(path.join(root, file));
    if (!now) return `${file} removed`;
    if (now[0] !== size || now[1] !== mtime) return `${file} changed`;
  }
  return undefined;
}

export function staleTargets(targets = TARGETS, root = ROOT) {
  const state = readState(root);
  return targets.filter((target) => staleReason(target, root, state) !== undefined);
}

/**
 * Builds what is stale among `targets` (nothing when everything is up to date), then returns.
 * Concurrent callers (tests start many CLIs at once) wait for one build instead of racing.
 */
export async function ensureBuilt(targets, options = {}) {
  const root = options.root ?? ROOT;
  if (!options.force && staleTargets(targets, root).length === 0) return [];
  const buildTargets = options.buildTargets ?? (await import('./build.mjs')).buildTargets;
  return withBuildLock(root, async () => {
    // Another process may have built them while this one waited for the lock.
    const stale = options.force ? targets : staleTargets(targets, root);
    if (stale.length === 0) return [];
    await buildTargets(stale, { root, log: options.log });
    return stale;
  });
}

async function withBuildLock(root, work) {
  const lock = path.join(root, LOCK_DIR);
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
      const age = Date.now() - (fingerprint(lock)?.[1] ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
