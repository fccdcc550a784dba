/**
 * Builds the Electron entry points (`npm run build:electron`, run by the hosted workflow before
 * electron-builder; it also runs here, Electron itself is never loaded):
 *
 *   dist/electron/main.mjs     src-main/shell/electron-main.ts, ESM, Node platform; `electron`
 *                              and `pcsc-mini` (native, computed require per platform) external
 *   dist/electron/preload.cjs  src-preload/preload.ts, CommonJS (sandboxed preloads cannot load
 *                              ESM nor npm modules), `electron` external
 *   dist/electron/fixtures/, dist/electron/directory.json
 *                              the sandbox authority's data: those modules locate them with
 *                              `new URL('./…', import.meta.url)`, which is the bundle's folder
 *
 * package.json "main" is dist/electron/main.mjs; dist/renderer comes from `vite build`.
 */
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const ELECTRON_MAIN_BUNDLE = 'dist/electron/main.mjs';
export const ELECTRON_PRELOAD_BUNDLE = 'dist/electron/preload.cjs';

/** Data files read next to their module (import.meta.url), copied next to the bundle. */
export const BUNDLE_SIDE_FILES: ReadonlyArray<{ from: string; to: string }> = [
  { from: 'simulators/pki/fixtures', to: 'fixtures' },
  { from: 'simulators/authority/directory.json', to: 'directory.json' },
];

export async function bundleElectron(options: { root?: string; outDir?: string } = {}): Promise<{ main: string; preload: string }> {
  const root = options.root ?? ROOT;
  const outDir = options.outDir ?? path.join(root, 'dist', 'electron');
  mkdirSync(outDir, { recursive: true });
  const main = path.join(outDir, 'main.mjs');
  const preload = path.join(outDir, 'preload.cjs');
  await build({
    entryPoints: [path.join(root, 'src-main/shell/electron-main.ts')],
    outfile: main,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['electron', 'pcsc-mini'],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: { js: "import { createRequire as __ecpsCreateRequire } from 'node:module'; const require = __ecpsCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  await build({
    entryPoints: [path.join(root, 'src-preload/preload.ts')],
    outfile: preload,
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
    logLevel: 'warning',
  });
  for (const file of BUNDLE_SIDE_FILES) cpSync(path.join(root, file.from), path.join(outDir, file.to), { recursive: true });
  return { main, preload };
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const { main, preload } = await bundleElectron();
  process.stdout.write(`${path.relative(ROOT, main)}\n${path.relative(ROOT, preload)}\n`);
}
