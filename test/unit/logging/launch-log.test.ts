/**
 * The web shell launch (npm start --no-open --demo) writes its startup facts to the log file
 * and reads its settings from ECPS_CONFIG_DIR: no token, no secret in the log.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launch } from '../../../src-main/shell/launch';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'ecps-launch-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function runOnce(settings?: object): Promise<{ out: string[]; err: string[]; log: Array<Record<string, unknown>>; raw: string }> {
  const configDir = path.join(root, 'config');
  const logDir = path.join(root, 'logs');
  if (settings) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'settings.json'), JSON.stringify(settings));
  }
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const env = { PATH: '', ECPS_CONFIG_DIR: configDir, ECPS_LOG_DIR: logDir };
  const code = launch({ noOpen: true, demo: true, lang: 'fr' }, {
    out: (line) => {
      out.push(line);
      if (/#token=/.test(line)) setTimeout(() => controller.abort(), 50);
    },
    err: (line) => err.push(line),
    env,
  }, controller.signal);
  expect(await code).toBe(0);
  const raw = readFileSync(path.join(logDir, 'compagnon-ecps.log'), 'utf8');
  return { out, err, raw, log: raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('launch → log file', () => {
  it('startup facts (version, demo, authority, shell, language) then stop; the URL token never in the log', async () => {
    const { out, log, raw } = await runOnce();
    const startup = log.find((l) => l.event === 'startup');
    expect(startup).toMatchObject({ level: 'info', shell: 'web', demo: true, authority: 'sandbox', language: 'fr', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(log.at(-1)).toMatchObject({ event: 'stop', code: 0 });
    const token = /#token=([0-9a-f]{64})/.exec(out.join('\n'))?.[1];
    expect(token).toBeDefined();
    expect(raw).not.toContain(token!);
  });

  it('the saved language and authority are used (no --lang, no ECPS_LANG)', async () => {
    const { out, log } = await runOnce({ version: 1, authority: 'http://127.0.0.1:9', language: 'en', pairingAddress: 'auto' });
    expect(log.find((l) => l.event === 'startup')).toMatchObject({ authority: 'http://127.0.0.1:9', language: 'en' });
    expect(out[0]).toMatch(/local web interface/);
  });

  it('a corrupt settings file: a warning on stderr and in the log, the defaults, the app starts', async () => {
    const configDir = path.join(root, 'config');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'settings.json'), '{ broken');
    const { err, log } = await runOnce();
    expect(err.join('\n')).toMatch(/réglages est illisible/);
    expect(log.find((l) => l.event === 'settings-file-unusable')).toBeDefined();
    expect(log.find((l) => l.event === 'startup')).toMatchObject({ authority: 'sandbox', language: 'fr' });
  });
});
