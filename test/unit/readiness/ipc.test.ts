/** The real-activation channels through the validated dispatcher, over the demo reader. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoPort, resetDemoCards } from '../../../src-main/reader/demo';
import { createIpcServices, type IpcServices } from '../../../src-main/ipc/handlers';
import { createValidatedDispatcher } from '../../../src-main/ipc/validated';
import { AttemptLog } from '../../../src-main/readiness/attempts';
import { PortalSetting } from '../../../src-main/readiness/portal-setting';
import { DEFAULT_PORTAL_URL } from '../../../src-main/readiness/official-links';
import type { BrowserProbe } from '../../../src-main/readiness/types';
import type { ReaderPort } from '../../../src-shared/reader-port';

type Out = { ok: boolean; result?: any; error?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('readiness, portal and attempt channels', () => {
  let port: ReaderPort;
  let services: IpcServices;
  let dir: string;
  let probeCalls = 0;
  const openExternal = vi.fn(async (_url: string) => undefined);
  let dispatch: (channel: string, payload?: unknown) => Promise<Out>;

  const probe: BrowserProbe = {
    platform: 'linux',
    async checks() {
      probeCalls++;
      await new Promise((r) => setTimeout(r, 30));
      return [{ id: 'browser.registered', group: 'browser', status: 'fail', title: { fr: 'T', en: 'T' }, explanation: { fr: 'E', en: 'E' }, evidence: {}, subject: 'Chromium', action: { kind: 'nss-register-opensc', database: '/home/x/.pki/nssdb' } }];
    },
  };

  beforeEach(async () => {
    resetDemoCards();
    probeCalls = 0;
    openExternal.mockClear();
    dir = mkdtempSync(path.join(tmpdir(), 'ecps-ipc-real-'));
    port = await createDemoPort();
    await port.start();
    services = createIpcServices({
      port,
      demo: true,
      shell: 'electron',
      realActivation: { browser: probe, portal: new PortalSetting({ directory: dir }), attempts: new AttemptLog({ directory: dir }), openExternal, registerOpensc: async (db) => ({ ok: true, message: { fr: `ok ${db}`, en: 'ok' }, commands: ['modutil'] }) },
    });
    const dispatcher = createValidatedDispatcher(services.handlers);
    dispatch = (channel, payload = {}) => dispatcher.dispatch(channel, payload) as Promise<Out>;
  });

  afterEach(async () => {
    await services.dispose();
    await port.stop();
  });

  it('readiness.run: machine, card and browser lines with their fix-it action, the card masked; concurrent requests share one later run', async () => {
    const [a, b, c] = await Promise.all([dispatch('readiness.run'), dispatch('readiness.run'), dispatch('readiness.run')]);
    expect(a!.ok).toBe(true);
    expect(a!.result.checks.map((x: { group: string }) => x.group)).toEqual(['machine', 'machine', 'card', 'card', 'card', 'card', 'card', 'browser']);
    expect(a!.result.checks.at(-1)).toMatchObject({ action: { kind: 'nss-register-opensc', database: '/home/x/.pki/nssdb' } });
    expect(a!.result.card).toMatchObject({ holderMasked: 'D*** M***', pinTriesLeft: 3 });
    expect(a!.result.status).toBe('fail');
    expect(b!.result.checkedAt).toBe(c!.result.checkedAt);
    expect(probeCalls).toBe(2);
  });

  it('readiness.fix only runs after an explicit confirmation', async () => {
    expect(await dispatch('readiness.fix', { action: 'nss-register-opensc', database: '/x' })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    expect(await dispatch('readiness.fix', { action: 'nss-register-opensc', database: '/x', confirmed: true })).toMatchObject({ ok: true, result: { ok: true, message: { fr: 'ok /x' } } });
  });

  it('portal: info with the store pages and support numbers; set refuses foreign addresses; open uses the SETTING, in the system browser', async () => {
    const info = await dispatch('portal.info');
    expect(info.result).toMatchObject({
      portalUrl: DEFAULT_PORTAL_URL,
      isDefault: true,
      appStoreUrl: 'https://apps.apple.com/fr/app/e-cps/id1469033607',
      googlePlayUrl: 'https://play.google.com/store/apps/details?id=fr.asipsante.esante.wallet.prod',
      supportPhone: '0 825 852 000',
      qrLifetimeSeconds: 90,
      epopDelayHours: 48,
      opensExternally: true,
    });
    expect(await dispatch('portal.setUrl', { url: 'https://evil.example/' })).toMatchObject({ ok: false, error: { code: 'PortalUrlRefused' } });
    expect(await dispatch('portal.open', { url: 'https://evil.example/' })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    expect(await dispatch('portal.open')).toMatchObject({ ok: true, result: { opened: true, url: DEFAULT_PORTAL_URL } });
    expect(openExternal).toHaveBeenCalledWith(DEFAULT_PORTAL_URL);
  });

  it('attempts: start → steps → finish land in the record with the last readiness run’s failed checks', async () => {
    await dispatch('readiness.run');
    const { result } = await dispatch('attempt.start', { flow: 'with-card' });
    expect(await dispatch('attempt.update', { attemptId: result.attemptId, step: 'portal-opened' })).toMatchObject({ result: { recorded: true } });
    expect(await dispatch('attempt.update', { attemptId: result.attemptId, step: 'not-a-step' })).toMatchObject({ ok: false });
    expect(await dispatch('attempt.update', { attemptId: 'other', step: 'cgu' })).toMatchObject({ result: { recorded: false } });
    await dispatch('attempt.finish', { attemptId: result.attemptId, outcome: 'activated' });
    const [attempt] = new AttemptLog({ directory: dir }).list();
    expect(attempt).toMatchObject({ outcome: 'activated', stepsReached: ['portal-opened'], failedChecks: ['browser.registered (Chromium)'], card: { holderMasked: 'D*** M***' } });
  });
});

describe('portal.open in the web shell', () => {
  it('answers opened: false (the page opens the link itself)', async () => {
    const port = await createDemoPort();
    await port.start();
    const dir = mkdtempSync(path.join(tmpdir(), 'ecps-ipc-web-'));
    const services = createIpcServices({ port, demo: true, shell: 'web', realActivation: { browser: false, portal: new PortalSetting({ directory: dir }), attempts: null } });
    const dispatcher = createValidatedDispatcher(services.handlers);
    expect(await dispatcher.dispatch('portal.open', {})).toMatchObject({ ok: true, result: { opened: false, url: DEFAULT_PORTAL_URL } });
    expect(await dispatcher.dispatch('portal.info', {})).toMatchObject({ ok: true, result: { opensExternally: false } });
    expect(await dispatcher.dispatch('attempt.start', { flow: 'without-card' })).toMatchObject({ ok: true, result: { attemptId: 'not-recorded' } });
    await services.dispose();
    await port.stop();
  });
});
