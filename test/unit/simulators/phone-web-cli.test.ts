/**
 * `ecps phone --web`: serves the built phone page (dist/phone) until Ctrl-C and prints its URL
 * and origin; bad --port and a payload given with --web are usage errors. Without a built page
 * (dist/phone: `npm run build:phone`), the command says how to build it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, repoRoot, runMain } from '../../support/cli';

const built = existsSync(path.join(repoRoot, 'dist/phone/index.html'));

describe('ecps phone --web', () => {
  it('prints the page URL and origin, serves the page with its CSP, stops on Ctrl-C (or, page not built, says how to build it)', async () => {
    if (!built) {
      const run = await runMain(['phone', '--web'], { abortAfterMs: 10_000 });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('npm run build:phone');
      return;
    }
    let fetched: { status: number; csp: string | null; body: string } | undefined;
    let started = false;
    const run = await runMain(['phone', '--web', '--json', '--bind', '127.0.0.1'], {
      abortAfterMs: 10_000,
      until: (out) => {
        const listening = jsonLines(out).find((l) => l.event === 'listening');
        if (listening && !started) {
          started = true;
          void fetch(String(listening.url)).then(async (res) => (fetched = { status: res.status, csp: res.headers.get('content-security-policy'), body: await res.text() }));
        }
        return fetched !== undefined;
      },
    });
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines[0]).toMatchObject({ event: 'listening', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), origin: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(lines.at(-1)).toEqual({ event: 'stopped' });
    expect(fetched).toMatchObject({ status: 200, csp: expect.stringContaining("script-src 'self'") });
    expect(fetched!.body).toContain('<div id="app">');
  });

  it('usage errors: a bad --port, a payload with --web', async () => {
    const badPort = await runMain(['phone', '--web', '--port', '70000']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port 70000');
    const both = await runMain(['phone', 'ecps1:abc', '--web']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--web');
  });
});
