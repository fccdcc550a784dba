/**
 * `npm start` opens the web shell in Chromium's app mode when a display exists. When Chromium
 * cannot show the window (DISPLAY pointing at no X server, a crash), the app used to exit at
 * once, silently. Now: one line says why, the URL is printed, the app keeps serving until
 * Ctrl-C. A window the user closes still stops the app.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium, launch, watchBrowser } from '../../../src-main/shell/launch';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'ecps-browser-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A display number no X server serves here. */
function deadDisplay(): string {
  for (let n = 87; n < 200; n++) if (!existsSync(`/tmp/.X11-unix/X${n}`)) return `:${n}`;
  throw new Error('no free display number');
}

function fakeBrowser(body: string): string {
  const file = path.join(root, 'fake-chromium');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('watchBrowser', () => {
  it('Debian’s Chromium on a dead display: failed, with its own words', async () => {
    const chromium = findChromium();
    if (!chromium) throw new Error('chromium is not installed: run ./scripts/setup.sh');
    const profile = path.join(root, 'profile');
    const args = ['--app=about:blank', `--user-data-dir=${profile}`, '--no-first-run', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
    const browser = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DISPLAY: deadDisplay(), WAYLAND_DISPLAY: '' } });
    const end = await watchBrowser(browser);
    expect(end).toHaveProperty('failed');
    if ('failed' in end) {
      expect(end.failed.fr).toMatch(/^code de sortie [1-9]/);
      expect(end.failed.en).toMatch(/^exit code [1-9]/);
    }
  }, 30_000);

  it('a window the user closes (exit 0) or a session that ends (signal): closed', async () => {
    expect(await watchBrowser(spawn(fakeBrowser('exit 0'), [], { stdio: ['ignore', 'ignore', 'pipe'] }))).toEqual({ closed: true });
    const sleeper = spawn(fakeBrowser('exec sleep 30'), [], { stdio: ['ignore', 'ignore', 'pipe'] });
    const ended = watchBrowser(sleeper);
    sleeper.kill('SIGTERM');
    expect(await ended).toEqual({ closed: true });
  });

  it('a binary that cannot run, or a crash: failed, never "closed"', async () => {
    const missing = await watchBrowser(spawn(path.join(root, 'no-such-chromium'), [], { stdio: ['ignore', 'ignore', 'pipe'] }));
    expect(missing).toHaveProperty('failed');
    const crashed = await watchBrowser(spawn(fakeBrowser('echo "[1:1:ERROR:ozone_platform_x11.cc(240)] Missing X server or \\$DISPLAY" >&2; exit 1'), [], { stdio: ['ignore', 'ignore', 'pipe'] }));
    expect(crashed).toEqual({ failed: { fr: 'code de sortie 1: Missing X server or $DISPLAY', en: 'exit code 1: Missing X server or $DISPLAY' } });
  });
});

describe('launch with a Chromium that cannot show the window', () => {
  it('says why, prints the URL with its token, and keeps serving until stopped', async () => {
    const out: string[] = [];
    const controller = new AbortController();
    const env = {
      PATH: '',
      DISPLAY: deadDisplay(),
      ECPS_CHROMIUM: fakeBrowser('echo "Missing X server or \\$DISPLAY" >&2; exit 1'),
      ECPS_CONFIG_DIR: path.join(root, 'config'),
      ECPS_LOG_DIR: path.join(root, 'logs'),
    };
    let urlSeenAt = 0;
    const code = launch({ noOpen: false, demo: true, lang: 'fr' }, {
      out: (line) => {
        out.push(line);
        if (/#token=/.test(line)) urlSeenAt = Date.now();
      },
      err: () => undefined,
      env,
    }, controller.signal, undefined, { obtainElectron: async () => ({ unavailable: { fr: 'test', en: 'test' } }) });
    const deadline = Date.now() + 20_000;
    while (!urlSeenAt && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(out.join('\n')).toContain('Chromium n’a pas pu afficher la fenêtre (code de sortie 1: Missing X server or $DISPLAY) ; le Compagnon continue de tourner.');
    const url = out.find((l) => /#token=/.test(l))!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
    // Still serving: the page answers after Chromium is gone.
    const page = await fetch(url.replace(/#.*/, ''));
    expect(page.status).toBe(200);
    let settled = false;
    void code.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    controller.abort();
    expect(await code).toBe(0);
  }, 30_000);
});
