/**
 * `npm start`'s Electron attempt (src-main/shell/electron-binary.ts): the binary when it is
 * there; otherwise one bounded fetch through Electron's own fetcher, its failure remembered,
 * and a reason for the one line that says why the web shell runs instead.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { obtainElectron } from '../../../src-main/shell/electron-binary';

let root: string;
const display = { DISPLAY: ':0' };

/** A fake node_modules/electron whose install.js runs `body` (and leaves a trace that it ran). */
function fakeElectron(body: string): void {
  const dir = path.join(root, 'node_modules', 'electron');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'install.js'), `require('fs').appendFileSync(${JSON.stringify(path.join(root, 'runs.txt'))}, 'x');\n${body}\n`);
}

const runs = () => (existsSync(path.join(root, 'runs.txt')) ? readFileSync(path.join(root, 'runs.txt'), 'utf8').length : 0);

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'ecps-electron-bin-'));
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ main: 'dist/electron/main.mjs' }));
  mkdirSync(path.join(root, 'dist', 'electron'), { recursive: true });
  writeFileSync(path.join(root, 'dist', 'electron', 'main.mjs'), '');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('obtainElectron', () => {
  it('uses the binary when it is there, without fetching anything', async () => {
    fakeElectron('process.exit(1);');
    mkdirSync(path.join(root, 'node_modules/electron/dist'));
    writeFileSync(path.join(root, 'node_modules/electron/dist/electron'), '');
    const outcome = await obtainElectron({ root, env: display, say: () => undefined });
    expect(outcome).toEqual({ ok: { binary: path.join(root, 'node_modules/electron/dist/electron'), entry: root } });
    expect(runs()).toBe(0);
  });

  it('says the package is missing when npm ci did not install it', async () => {
    const outcome = await obtainElectron({ root, env: display, say: () => undefined });
    expect(outcome).toEqual({ unavailable: { fr: 'paquet electron non installé (npm ci)', en: 'electron package not installed (npm ci)' } });
  });

  it.runIf(process.platform === 'linux')('does not fetch a window it could not show (no display)', async () => {
    fakeElectron('process.exit(1);');
    const outcome = await obtainElectron({ root, env: {}, say: () => undefined });
    expect(outcome).toEqual({ unavailable: { fr: 'pas d’écran graphique', en: 'no graphical display' } });
    expect(runs()).toBe(0);
  });

  it('a failed fetch: its first error line as the reason, remembered for an hour (no second attempt)', async () => {
    fakeElectron("console.error('TypeError: fetch failed\\n    at somewhere (x.js:1:1)'); process.exit(1);");
    let now = 1_000_000;
    const first = await obtainElectron({ root, env: display, say: () => undefined, now: () => now });
    expect(first).toEqual({ unavailable: { fr: 'binaire non téléchargeable (TypeError: fetch failed)', en: 'binary could not be downloaded (TypeError: fetch failed)' } });
    now += 10 * 60_000;
    const second = await obtainElectron({ root, env: display, say: () => undefined, now: () => now });
    expect(runs()).toBe(1);
    expect('unavailable' in second && second.unavailable.fr).toContain('échec il y a 10 min : TypeError: fetch failed ; ECPS_ELECTRON_RETRY=1 pour réessayer');
    // ECPS_ELECTRON_RETRY=1, or an hour later: tried again.
    await obtainElectron({ root, env: { ...display, ECPS_ELECTRON_RETRY: '1' }, say: () => undefined, now: () => now });
    now += 61 * 60_000;
    await obtainElectron({ root, env: display, say: () => undefined, now: () => now });
    expect(runs()).toBe(3);
  });

  it('a fetch that hangs is stopped at the time limit, and says it is downloading meanwhile', async () => {
    fakeElectron('setInterval(() => {}, 1000);');
    const said: string[] = [];
    const started = Date.now();
    const outcome = await obtainElectron({ root, env: display, say: (t) => said.push(t.fr), timeoutMs: 3000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(outcome).toEqual({ unavailable: { fr: 'binaire non téléchargeable (pas de réponse en 3 s)', en: 'binary could not be downloaded (no answer within 3 s)' } });
    expect(said).toEqual(['Téléchargement du binaire Electron (une seule fois)…']);
  });

  it('a successful fetch: the binary it left is used', async () => {
    fakeElectron("const fs = require('fs'); fs.mkdirSync(__dirname + '/dist', { recursive: true }); fs.writeFileSync(__dirname + '/dist/electron', '');");
    const outcome = await obtainElectron({ root, env: display, say: () => undefined });
    expect(outcome).toEqual({ ok: { binary: path.join(root, 'node_modules/electron/dist/electron'), entry: root } });
  });
});
