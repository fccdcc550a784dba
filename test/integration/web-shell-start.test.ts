/** `node bin/start.mjs --no-open --demo`: prints the URL with its token on a line of its own, and the URL answers. */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGTERM');
});

describe('bin/start.mjs', () => {
  it('--no-open --demo serves the web shell and prints its URL on its own line', async () => {
    child = spawn(process.execPath, ['bin/start.mjs', '--no-open', '--demo'], { cwd: ROOT, env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL in time; output: ${out}`)), 25_000);
      child!.stdout!.on('data', (chunk) => {
        out += String(chunk);
        const line = out.split('\n').find((l) => /^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/.test(l));
        if (line) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      child!.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(out).toMatch(/web shell/);
    expect(out).toMatch(/MODE DÉMONSTRATION/);
    const res = await fetch(url.split('#')[0]!);
    expect([200, 503]).toContain(res.status);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const exited = new Promise((r) => child!.on('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
});
