/**
 * Starts the companion's web shell as `bin/start.mjs --no-open [--demo]` in a child process and
 * reads its URL (with the token) from the line it prints on its own, as global-setup.ts does.
 * Shared by the pcscd fixture (pcscd-app.ts) and the app benchmark (bench/app.ts); no
 * Playwright import here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const URL_LINE = /^(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})\s*$/m;

export interface WebShellProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Milliseconds from the spawn to the URL line. */
  readonly readyMs: number;
  /** Everything the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /**
   * Resolves once the launcher said "Ctrl-C" (its last start-up line): by then it has said
   * whether it runs on the demo reader. The URL comes earlier, before the reader port settles.
   */
  settled(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

export interface WebShellOptions {
  demo?: boolean;
  /** Extra environment (e.g. PCSCLITE_CSOCK_NAME pointing at a private pcscd). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Node options before the script (e.g. --inspect=127.0.0.1:0 for bench/memory.ts). */
  nodeArgs?: string[];
  /** The script to run (default bin/start.mjs; benches comparing builds run dist/node/start.mjs itself). */
  script?: string;
}

export async function startWebShellProcess(options: WebShellOptions = {}): Promise<WebShellProcess> {
  const startedAt = performance.now();
  // Settings and logs of this process in a folder of its own (never the developer's).
  const home = mkdtempSync(path.join(tmpdir(), 'ecps-shell-'));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script ?? 'bin/start.mjs', '--no-open', ...(options.demo ? ['--demo'] : [])], {
    cwd: REPO_ROOT,
    // No display: nothing may try to open a window, whatever the caller's environment.
    env: {
      ...process.env,
      ECPS_LANG: 'fr',
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      ECPS_CONFIG_DIR: path.join(home, 'config'),
      ECPS_LOG_DIR: path.join(home, 'logs'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => rmSync(home, { recursive: true, force: true }));

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  const timeoutMs = options.timeoutMs ?? 45_000;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bin/start.mjs printed no URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const check = () => {
        const match = URL_LINE.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`bin/start.mjs exited (${code ?? signal}) before printing its URL:\n${output}`));
      });
    });
    const readyMs = performance.now() - startedAt;
    const settled = (ms = timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!/Ctrl-C/.test(output)) return false;
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
          return true;
        };
        const timer = setTimeout(() => reject(new Error(`bin/start.mjs never finished starting within ${ms} ms:\n${output}`)), ms);
        if (!check()) child.stdout.on('data', check);
      });
    return { url, child, readyMs, output: () => output, settled, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
