/**
 * The channels of help, settings and network through the real handlers and the validated
 * dispatcher (what both shells mount), over the demo reader.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { networkInterfaces } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoPort, resetDemoCards } from '../../../src-main/reader/demo';
import { createIpcServices, type IpcServices, type IpcServicesOptions } from '../../../src-main/ipc/handlers';
import { createValidatedDispatcher } from '../../../src-main/ipc/validated';
import { SettingsStore } from '../../../src-main/settings/settings-store';
import { ActivationDriver } from '../../../src-main/activation/driver';
import { AuthorityHttpClient } from '../../../src-main/activation/authority-http-client';
import { SandboxAuthority } from '../../../simulators/authority/index';
import type { ReaderPort } from '../../../src-shared/reader-port';
import { HELP_TOPIC_IDS } from '../../../src-shared/ipc-contract';

type Info = NonNullable<ReturnType<typeof networkInterfaces>[string]>[number];
const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): Info =>
  ({ address, family, internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as Info;
const machine = () => ({ lo: [iface('127.0.0.1', 'IPv4', true)], wlan0: [iface('192.168.1.20', 'IPv4')], eth0: [iface('10.0.0.5', 'IPv4'), iface('fd00::5', 'IPv6')] });

// Answers are checked with toMatchObject; their exact types are the contract's (tested elsewhere).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = { ok: boolean; result?: any; error?: any };

let port: ReaderPort;
let dir: string;
let file: string;
const opened: IpcServices[] = [];

function start(extra: Partial<IpcServicesOptions> = {}) {
  const services = createIpcServices({ port, demo: true, shell: 'web', networkInterfaces: machine, ...extra });
  opened.push(services);
  const dispatcher = createValidatedDispatcher(services.handlers);
  return (channel: string, payload: unknown = {}) => dispatcher.dispatch(channel, payload) as Promise<Answer>;
}

beforeEach(async () => {
  resetDemoCards();
  port = await createDemoPort();
  await port.start();
  dir = mkdtempSync(path.join(tmpdir(), 'ecps-ipc-settings-'));
  file = path.join(dir, 'settings.json');
});
afterEach(async () => {
  for (const s of opened.splice(0)) await s.dispose();
  await port.stop();
  resetDemoCards();
  rmSync(dir, { recursive: true, force: true });
});

describe('help.get', () => {
  it('every topic in the app language by default, in English when asked', async () => {
    const dispatch = start();
    const fr = await dispatch('help.get', {});
    expect(fr.ok).toBe(true);
    expect(fr.result.language).toBe('fr');
    expect(fr.result.topics.map((t: { id: string }) => t.id).sort()).toEqual([...HELP_TOPIC_IDS].sort());
    const en = await dispatch('help.get', { language: 'en' });
    expect(en.result.language).toBe('en');
    const title = (r: typeof fr, id: string) => r.result.topics.find((t: { id: string }) => t.id === id).title;
    expect(title(en, 'epop')).not.toBe(title(fr, 'epop'));
    expect(JSON.stringify(en.result)).toContain('0 825 852 000');
  });
  it('refuses a language it does not have', async () => {
    const dispatch = start();
    expect(await dispatch('help.get', { language: 'de' })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
  });
});

describe('settings.get / settings.set', () => {
  it('start from the defaults and say where the file is', async () => {
    const dispatch = start({ settings: new SettingsStore({ file }) });
    expect(await dispatch('settings.get')).toMatchObject({ ok: true, result: { authority: 'sandbox', language: 'fr', pairingAddress: 'auto', file } });
  });

  it('a URL authority replaces the sandbox for app.info (banner gone) and for the next activation; sandbox comes back', async () => {
    const authorities: unknown[] = [];
    const dispatch = start({
      settings: new SettingsStore({ file }),
      createDriver: (options) => {
        authorities.push(options.authority);
        return new ActivationDriver(options);
      },
    });
    await dispatch('activation.start', { flow: 'without-card' });
    // Nothing listens on port 9: the authority is named by its host, not hidden.
    const set = await dispatch('settings.set', { authority: 'http://127.0.0.1:9' });
    expect(set).toMatchObject({ ok: true, result: { authority: 'http://127.0.0.1:9' } });
    expect(await dispatch('app.info')).toMatchObject({ ok: true, result: { authority: { kind: 'url', url: 'http://127.0.0.1:9', label: { fr: 'Autorité 127.0.0.1:9' } } } });
    expect(JSON.parse(readFileSync(file, 'utf8')).authority).toBe('http://127.0.0.1:9');
    const started = await dispatch('activation.start', { flow: 'without-card' });
    expect(started).toMatchObject({ ok: true, result: { authority: { kind: 'url' } } });
    await dispatch('activation.cancel');
    expect(authorities[0]).toBeInstanceOf(SandboxAuthority);
    expect(authorities[1]).toBeInstanceOf(AuthorityHttpClient);
    await dispatch('settings.set', { authority: 'sandbox' });
    expect(await dispatch('app.info')).toMatchObject({ ok: true, result: { authority: { kind: 'sandbox' } } });
  });

  it('refuses http to another computer, with its code, a French message and a remedy; nothing changes', async () => {
    const dispatch = start({ settings: new SettingsStore({ file }) });
    const out = await dispatch('settings.set', { authority: 'http://authority.example', language: 'en' });
    expect(out).toMatchObject({ ok: false, error: { code: 'SettingsAuthorityHttpRefused', message: { fr: expect.stringContaining('http://') }, remedy: { fr: expect.any(String) } } });
    expect(await dispatch('settings.get')).toMatchObject({ ok: true, result: { authority: 'sandbox', language: 'fr' } });
  });

  it('the language is saved, by settings.set and by app.setLanguage, and read back at the next start', async () => {
    const dispatch = start({ settings: new SettingsStore({ file }) });
    await dispatch('app.setLanguage', { language: 'en' });
    expect(JSON.parse(readFileSync(file, 'utf8')).language).toBe('en');
    const next = start({ settings: new SettingsStore({ file }) });
    expect(await next('app.info')).toMatchObject({ result: { language: 'en' } });
    await next('settings.set', { language: 'fr' });
    expect(await next('app.info')).toMatchObject({ result: { language: 'fr' } });
    // An explicit language (--lang, ECPS_LANG) wins over the saved one.
    await next('settings.set', { language: 'en' });
    const forced = start({ settings: new SettingsStore({ file }), lang: 'fr' });
    expect(await forced('app.info')).toMatchObject({ result: { language: 'fr' } });
  });

  it('a corrupt file: defaults, and the warning is shown to the user', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '{ not json');
    const dispatch = start({ settings: new SettingsStore({ file }) });
    expect(await dispatch('settings.get')).toMatchObject({ ok: true, result: { authority: 'sandbox', warning: { code: 'SettingsFileCorrupt' } } });
  });

  it('the chosen pairing address becomes the activation driver’s bind address', async () => {
    const seen: Array<string | undefined> = [];
    const dispatch = start({
      settings: new SettingsStore({ file }),
      createDriver: (options) => {
        seen.push(options.pairing?.bindAddress);
        return new ActivationDriver(options);
      },
    });
    await dispatch('activation.start', { flow: 'without-card' });
    expect(await dispatch('settings.set', { pairingAddress: '10.0.0.5' })).toMatchObject({ ok: true, result: { pairingAddress: '10.0.0.5' } });
    await dispatch('activation.start', { flow: 'without-card' });
    await dispatch('settings.set', { pairingAddress: 'loopback' });
    await dispatch('activation.start', { flow: 'without-card' });
    await dispatch('activation.cancel');
    // auto = first non-internal IPv4 of the (injected) machine.
    expect(seen).toEqual(['192.168.1.20', '10.0.0.5', '127.0.0.1']);
  });

  it('refuses an address this machine does not have, and a value that is not an address', async () => {
    const dispatch = start({ settings: new SettingsStore({ file }) });
    expect(await dispatch('settings.set', { pairingAddress: '8.8.8.8' })).toMatchObject({ ok: false, error: { code: 'SettingsPairingAddressUnknown' } });
    expect(await dispatch('settings.set', { pairingAddress: 'eth0; rm -rf /' })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    expect(await dispatch('settings.set', { extra: true })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
  });

  it('without a store the settings still work, in memory', async () => {
    const dispatch = start();
    expect(await dispatch('settings.set', { authority: 'https://authority.example/' })).toMatchObject({ ok: true, result: { authority: 'https://authority.example', file: '' } });
    expect(await dispatch('settings.get')).toMatchObject({ result: { authority: 'https://authority.example' } });
  });
});

describe('network.interfaces', () => {
  it('lists the non-internal addresses, what "automatique" picks and loopback', async () => {
    const dispatch = start();
    expect(await dispatch('network.interfaces')).toEqual({
      ok: true,
      result: {
        interfaces: [
          { name: 'wlan0', address: '192.168.1.20', family: 'IPv4' },
          { name: 'eth0', address: '10.0.0.5', family: 'IPv4' },
          { name: 'eth0', address: 'fd00::5', family: 'IPv6' },
        ],
        automatic: '192.168.1.20',
        loopback: '127.0.0.1',
      },
    });
  });
});
