/**
 * electron-builder.yml (issue 5 §5): release fuses, per-machine NSIS for silent `/S` installs,
 * native files unpacked, and the files it packs are the built app's (package.json "main",
 * the preload and the renderer the main bundle loads). Packaging itself runs only in the hosted
 * workflow (.github/workflows/desktop.yml).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ELECTRON_SIDE_FILES } from '../../../tools/build.mjs';
import { ensureBuilt } from '../../../tools/build-state.mjs';

const ELECTRON_MAIN_BUNDLE = 'dist/electron/main.mjs';
const ELECTRON_PRELOAD_BUNDLE = 'dist/electron/preload.cjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  win: { target: Array<{ target: string }> };
  nsis: Record<string, unknown>;
  linux: { target: string[]; executableName?: string };
}

const config = parse(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  main?: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Minimal glob → RegExp for electron-builder's `files` patterns (`**`, `*`, `{a,b}`). */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function isPacked(file: string): boolean {
  let packed = false;
  for (const pattern of config.files) {
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(file)) packed = false;
    } else if (globToRegExp(pattern).test(file)) packed = true;
  }
  return packed;
}

describe('electron-builder.yml', () => {
  it('names the app', () => {
    expect(config.productName).toBe('Compagnon e-CPS');
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });

  it('flips the release fuses (the test flavour only re-enables inspect, on the command line)', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    const workflow = readFileSync(path.join(ROOT, '.github/workflows/desktop.yml'), 'utf8');
    expect(workflow).toContain('-c.electronFuses.enableNodeCliInspectArguments=true');
  });

  it('packs into an asar and unpacks the native addons (pcsc-mini)', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('builds a per-machine assisted NSIS installer (silent /S) and Linux deb + AppImage', () => {
    expect(config.win.target.map((t) => t.target)).toContain('nsis');
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true });
    expect(config.linux.target).toEqual(expect.arrayContaining(['deb', 'AppImage']));
    // The hosted workflow launches and reads the fuses of exactly this file.
    expect(config.linux.executableName).toBe('compagnon-ecps');
    expect(readFileSync(new URL('../../../.github/workflows/desktop.yml', import.meta.url), 'utf8')).toContain('linux-unpacked/compagnon-ecps');
  });

  it('packs the built app: package.json "main", the preload, the renderer and resources — not the sources', () => {
    expect(pkg.main).toBe(ELECTRON_MAIN_BUNDLE);
    for (const file of ['package.json', ELECTRON_MAIN_BUNDLE, ELECTRON_PRELOAD_BUNDLE, 'dist/electron/directory.json', 'dist/electron/fixtures/x.pem', 'dist/renderer/index.html', 'dist/renderer/assets/index-abc.js', 'resources/cgu/cgu.fr.md']) {
      expect(isPacked(file), file).toBe(true);
    }
    for (const file of ['src-main/shell/electron-main.ts', 'src-renderer/App.vue', 'test/unit/shell/electron-builder-config.test.ts', 'dist/electron/main.mjs.map', '.ci/run', 'simulators/authority/directory.json']) {
      expect(isPacked(file), file).toBe(false);
    }
    // The main bundle loads ./preload.cjs and ../renderer/ relative to itself: both packed above.
    const main = readFileSync(path.join(ROOT, 'src-main/shell/electron-main.ts'), 'utf8');
    expect(main).toContain("new URL('./preload.cjs', import.meta.url)");
    expect(main).toContain("new URL('../renderer/', import.meta.url)");
    expect(path.posix.basename(ELECTRON_PRELOAD_BUNDLE)).toBe('preload.cjs');
  });

  it('pins electron and electron-builder exactly in devDependencies (no install script downloads anything at npm ci)', () => {
    for (const name of ['electron', 'electron-builder']) {
      expect(pkg.devDependencies?.[name], name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(pkg.dependencies ?? {}).not.toHaveProperty(name);
    }
    expect(pkg.dependencies).toHaveProperty('pcsc-mini');
    // Electron ≥ 45 fetches its binary when first asked for, not at install time.
    const electronPkg = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string; scripts?: Record<string, string> };
    expect(electronPkg.version).toBe(pkg.devDependencies?.electron);
    expect(electronPkg.scripts?.postinstall).toBeUndefined();
    expect(electronPkg.scripts?.install).toBeUndefined();
  });

  it('has the hosted workflow package with the versions of package.json, not versions of its own', () => {
    const workflow = readFileSync(path.join(ROOT, '.github/workflows/desktop.yml'), 'utf8');
    expect(workflow).not.toMatch(/npm install[^\n]*electron(-builder)?@/);
    expect(workflow).not.toMatch(/ELECTRON(_BUILDER)?_VERSION:/);
    expect(workflow).toContain('npm run dist');
  });
});

describe('npm run build:electron (tools/build.mjs, target electron)', () => {
  it('bundles main (ESM, electron + pcsc-mini external) and a self-contained CommonJS preload', async () => {
    await ensureBuilt(['electron']);
    const mainJs = readFileSync(path.join(ROOT, ELECTRON_MAIN_BUNDLE), 'utf8');
    expect(mainJs).toMatch(/from "electron"|from 'electron'/);
    expect(mainJs).not.toContain('node_modules/pcsc-mini');
    const preloadJs = readFileSync(path.join(ROOT, ELECTRON_PRELOAD_BUNDLE), 'utf8');
    // A sandboxed preload may require only Electron's renderer modules.
    const requires = [...preloadJs.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    expect(preloadJs).toContain('exposeInMainWorld');
    for (const side of ELECTRON_SIDE_FILES) expect(existsSync(path.join(ROOT, 'dist/electron', side.to)), side.to).toBe(true);
  }, 60_000);
});
