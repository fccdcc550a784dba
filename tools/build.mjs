#!/usr/bin/env node
/**
 * The one build step (`npm run build`, run by `npm ci`'s `prepare` and by bin/start.mjs /
 * bin/ecps.mjs when a source changed; never a rebuild when nothing did):
 *
 *   node      dist/node/{cli,cli-worker,start}.mjs + shared chunks (esbuild, code splitting):
 *             the `ecps` CLI, its card worker and the web shell / launcher — plain JavaScript,
 *             no TypeScript compiled at run time (tsx is for development tools only)
 *   electron  dist/electron/main.mjs (ESM) + preload.cjs (CommonJS, sandboxed preloads cannot
 *             load ESM) + the sandbox authority's data files next to them
 *   renderer  dist/renderer (Vite, vite.config.ts)
 *   phone     dist/phone, the reference phone page (Vite, vite.phone.config.ts)
 *
 *   node tools/build.mjs [--force] [--check] [TARGET…]
 *     --force  rebuild even what is up to date     --check  only say what is stale (exit 1 if any)
 *
 * What each build read is recorded in dist/.build-state.json (tools/build-state.mjs).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, STATE_FILE, TARGETS, fingerprint, readState, staleReason, ensureBuilt } from './build-state.mjs';

/** Files every target depends on besides what it imports: dependencies and this build itself. */
const COMMON_INPUTS = ['package-lock.json', 'tools/build.mjs', 'tools/build-state.mjs'];

/** Data files read next to their module (import.meta.url), copied next to the Electron bundle. */
export const ELECTRON_SIDE_FILES = [
  { from: 'simulators/pki/fixtures', to: 'fixtures' },
  { from: 'simulators/authority/directory.json', to: 'directory.json' },
];

/** The banner of every ESM Node bundle: CommonJS dependencies bundled into ESM still call require(). */
const REQUIRE_BANNER = "import { createRequire as __ecpsCreateRequire } from 'node:module'; const require = __ecpsCreateRequire(import.meta.url);";

/** Old chunks are kept this long: a process started before a rebuild may still import them. */
const OLD_CHUNK_MS = 24 * 3600_000;

const rel = (root, file) => path.relative(root, file).split(path.sep).join('/');

/** Writes a file so that no reader ever sees it half-written (a CLI may start during a build). */
function writeAtomically(file, contents) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/**
 * The sources keep reading their data files with `new URL('../../resources/…', import.meta.url)`.
 * In a bundle, import.meta.url is the bundle's: each source file's own URL is rebuilt from it,
 * so every such path resolves exactly as it does from the sources (dist/node is inside the
 * checkout, next to resources/ and simulators/).
 */
function sourceUrlPlugin(root, outDir) {
  return {
    name: 'ecps-source-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const { readFile } = await import('node:fs/promises');
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const fromBundle = path.relative(outDir, args.path).split(path.sep).join('/');
        const contents = `const __ecpsSourceUrl = new URL(${JSON.stringify(fromBundle)}, import.meta.url).href;\n${text.replaceAll('import.meta.url', '__ecpsSourceUrl')}`;
        return { contents, loader: 'ts' };
      });
    },
  };
}

async function esbuildTarget(root, options) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({ ...options, absWorkingDir: root, bundle: true, metafile: true, write: false, logLevel: 'warning' });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const outputs = result.outputFiles.map((f) => rel(root, f.path)).filter((f) => !f.endsWith('.map'));
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  return { inputs, outputs };
}

async function buildNode(root) {
  const outDir = path.join(root, 'dist', 'node');
  const built = await esbuildTarget(root, {
    entryPoints: { cli: 'src-main/cli/main.ts', 'cli-worker': 'src-main/cli/worker.ts', start: 'src-main/shell/start.ts' },
    outdir: outDir,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    // pcsc-mini: native addon, computed require per platform. ws's optional speed-ups.
    external: ['pcsc-mini', 'bufferutil', 'utf-8-validate', 'electron'],
    banner: { js: REQUIRE_BANNER },
    sourcemap: 'linked',
    plugins: [sourceUrlPlugin(root, outDir)],
  });
  // Chunks of earlier builds that this one no longer uses, once no process can still need them.
  const current = new Set(built.outputs.map((f) => path.basename(f)));
  for (const name of readdirSync(outDir)) {
    if (!name.startsWith('chunk-') || current.has(name.replace(/\.map$/, ''))) continue;
    const file = path.join(outDir, name);
    if (Date.now() - statSync(file).mtimeMs > OLD_CHUNK_MS) rmSync(file, { force: true });
  }
  return built;
}

async function buildElectron(root) {
  const outDir = path.join(root, 'dist', 'electron');
  const main = await esbuildTarget(root, {
    entryPoints: ['src-main/shell/electron-main.ts'],
    outfile: path.join(outDir, 'main.mjs'),
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['electron', 'pcsc-mini', 'bufferutil', 'utf-8-validate'],
    banner: { js: REQUIRE_BANNER },
  });
  const preload = await esbuildTarget(root, {
    entryPoints: ['src-preload/preload.ts'],
    outfile: path.join(outDir, 'preload.cjs'),
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
  });
  const side = [];
  for (const file of ELECTRON_SIDE_FILES) {
    cpSync(path.join(root, file.from), path.join(outDir, file.to), { recursive: true });
    side.push(...listFiles(path.join(root, file.from)).map((f) => rel(root, f)));
  }
  return { inputs: [...main.inputs, ...preload.inputs, ...side], outputs: [...main.outputs, ...preload.outputs] };
}

function listFiles(file) {
  if (!statSync(file).isDirectory()) return [file];
  return readdirSync(file).flatMap((name) => listFiles(path.join(file, name)));
}

/** A Vite build; its inputs are the module graph Vite itself walked (plus the config files). */
async function buildVite(root, configFile, outDir, extraInputs) {
  const { build } = await import('vite');
  const ids = new Set();
  await build({
    configFile: path.join(root, configFile),
    logLevel: 'warn',
    plugins: [
      {
        name: 'ecps-record-inputs',
        buildEnd() {
          for (const id of this.getModuleIds()) ids.add(id);
        },
      },
    ],
  });
  const inputs = [...ids]
    .map((id) => id.split('?')[0])
    .filter((id) => id.startsWith(root) && !id.includes('/node_modules/'))
    .map((id) => rel(root, id));
  return { inputs: [...new Set([...inputs, configFile, ...extraInputs])], outputs: [`${outDir}/index.html`] };
}

const BUILDERS = {
  node: buildNode,
  electron: buildElectron,
  renderer: (root) => buildVite(root, 'vite.config.ts', 'dist/renderer', []),
  phone: (root) => buildVite(root, 'vite.phone.config.ts', 'dist/phone', ['vite.config.ts']),
};

/**
 * Builds `targets` now (the caller decided they are stale; bin/* go through ensureBuilt) and
 * records what each read. A file changed while it was being built gets no fingerprint, so the
 * next check rebuilds rather than trusting a bundle made from its older text.
 */
export async function buildTargets(targets, options = {}) {
  const root = options.root ?? ROOT;
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const results = {};
  // esbuild targets together (esbuild runs in its own threads), Vite ones one after the other.
  await Promise.all(targets.filter((t) => t === 'node' || t === 'electron').map(async (t) => (results[t] = await BUILDERS[t](root))));
  for (const t of targets.filter((t) => t === 'renderer' || t === 'phone')) results[t] = await BUILDERS[t](root);

  const state = readState(root) ?? { version: 1, targets: {} };
  for (const [target, { inputs, outputs }] of Object.entries(results)) {
    const fingerprints = {};
    for (const file of [...new Set([...inputs, ...COMMON_INPUTS])]) {
      const print = fingerprint(path.join(root, file));
      if (print) fingerprints[file] = print[1] >= startedAt - 1000 ? [print[0], -1] : print;
    }
    state.targets[target] = { inputs: fingerprints, outputs, builtAt: new Date().toISOString() };
    log(`${target}: ${outputs.length} file(s), ${Object.keys(fingerprints).length} inputs`);
  }
  writeAtomically(path.join(root, STATE_FILE), `${JSON.stringify(state)}\n`);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const args = process.argv.slice(2);
  const asked = args.filter((a) => !a.startsWith('--'));
  const unknown = asked.filter((t) => !TARGETS.includes(t));
  if (unknown.length > 0 || args.some((a) => a.startsWith('--') && a !== '--force' && a !== '--check')) {
    console.error(`usage: node tools/build.mjs [--force] [--check] [${TARGETS.join('|')}]…`);
    process.exit(2);
  }
  const targets = asked.length > 0 ? asked : TARGETS;
  const started = Date.now();
  if (args.includes('--check')) {
    const state = readState();
    let stale = 0;
    for (const t of targets) {
      const reason = staleReason(t, ROOT, state);
      if (reason) stale++;
      console.log(`${t}: ${reason ? `à reconstruire / stale (${reason})` : 'à jour / up to date'}`);
    }
    process.exit(stale > 0 ? 1 : 0);
  }
  const log = (line) => console.log(`  ${line}`);
  const built = await ensureBuilt(targets, { log, force: args.includes('--force'), buildTargets });
  console.log(built.length > 0 ? `build: ${built.join(', ')} (${Date.now() - started} ms)` : 'build: à jour / up to date');
}
