/**
 * Starts the companion's web shell in demo mode (virtual CPS3 + Vitale 2, sandbox authority)
 * and hands its URL — printed with the token on a line of its own — to the tests through
 * E2E_URL. Returns the teardown that stops it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const URL_LINE = /^(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})\s*$/m;

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(path.join(root, 'dist/renderer/index.html'))) {
    throw new Error('dist/renderer/ is missing: run `npm run build:renderer` first (npm run test:e2e does).');
  }
  // Settings and logs of this run in a folder of their own: the tests change the settings, and
  // must neither read nor touch the developer's (~/.config/compagnon-ecps, ~/.local/state/…).
  const home = mkdtempSync(path.join(tmpdir(), 'ecps-e2e-'));
  process.env.E2E_CONFIG_DIR = path.join(home, 'config');
  process.env.E2E_LOG_DIR = path.join(home, 'logs');
  const child = spawn(process.execPath, ['bin/start.mjs', '--no-open', '--demo'], {
    cwd: root,
    env: { ...process.env, ECPS_LANG: 'fr', ECPS_CONFIG_DIR: process.env.E2E_CONFIG_DIR, ECPS_LOG_DIR: process.env.E2E_LOG_DIR },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bin/start.mjs printed no URL within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = URL_LINE.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bin/start.mjs exited (${code}) before printing its URL:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  process.env.E2E_URL = url;
  return async () => {
    const cleanUp = () => rmSync(home, { recursive: true, force: true });
    if (child.exitCode !== null) return cleanUp();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    cleanUp();
  };
}
