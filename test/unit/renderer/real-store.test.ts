/** The real path's store: live re-runs of the readiness check, the card alert during portal steps, the attempt record. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import HomeView from '../../../src-renderer/views/HomeView.vue';
import { setBridge } from '../../../src-renderer/composables/useBridge';
import { useReaderStore } from '../../../src-renderer/stores/reader';
import { RERUN_DELAY_MS, useRealStore } from '../../../src-renderer/stores/real';
import type { ReadinessReportView } from '../../../src-shared/ipc-contract';
import { cps3, fakeBridge, i18n, snapshot, vitale2 } from './helpers';

const report: ReadinessReportView = { status: 'ok', demo: true, platform: 'linux', checkedAt: '2026-01-01T00:00:00Z', durationMs: 10, checks: [] };

function setup() {
  const bridge = fakeBridge({
    readersList: () => snapshot([cps3, vitale2]),
    readinessRun: () => report,
    portalInfo: () => ({ portalUrl: 'https://wallet.esw.esante.gouv.fr/', defaultPortalUrl: 'https://wallet.esw.esante.gouv.fr/', isDefault: true, appStoreUrl: 'a', googlePlayUrl: 'b', supportPhone: '0 825 852 000', ecpsSupportPhone: '0 806 800 213', qrLifetimeSeconds: 90, epopDelayHours: 48, opensExternally: false }),
    attemptStart: () => ({ attemptId: 'A1' }),
    attemptUpdate: () => ({ recorded: true }),
    attemptFinish: () => ({ recorded: true }),
  });
  setBridge(bridge);
  setActivePinia(createPinia());
  const emit = (bridge as unknown as { emit: (e: string, p: unknown) => void }).emit;
  return { bridge, emit };
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => {
  vi.useRealTimers();
  setBridge(undefined);
});

describe('real store', () => {
  it('with the card: an attempt starts, the check runs, and runs again once per burst of reader events', async () => {
    const { bridge, emit } = setup();
    await useReaderStore().start();
    const real = useRealStore();
    await real.begin('with-card');
    expect(real.stage).toBe('ready');
    expect(bridge.attemptStart).toHaveBeenCalledWith({ flow: 'with-card' });
    expect(bridge.readinessRun).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 4; i++) emit('readers.changed', { ...snapshot(i % 2 ? [cps3] : []), change: { type: 'card-removed' } });
    await flushPromises();
    expect(bridge.readinessRun).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(RERUN_DELAY_MS + 10);
    await flushPromises();
    expect(bridge.readinessRun).toHaveBeenCalledTimes(2);
  });

  it('the CPS leaving the reader during a portal step raises the alert once and records it with the step on screen; not at the app step', async () => {
    const { bridge, emit } = setup();
    await useReaderStore().start();
    const real = useRealStore();
    await real.begin('with-card');
    real.toGuide();
    emit('readers.changed', snapshot([vitale2]));
    await flushPromises();
    expect(real.cardAlert).toBe(false); // step 1, the app: the card does not matter yet
    emit('readers.changed', snapshot([cps3, vitale2]));
    await real.next();
    await real.next();
    expect(real.step).toBe('card-tab');
    emit('readers.changed', snapshot([vitale2]));
    emit('readers.changed', snapshot([vitale2]));
    await flushPromises();
    expect(real.cardAlert).toBe(true);
    const events = vi.mocked(bridge.attemptUpdate).mock.calls.map((c) => c[0]).filter((c) => c.event);
    expect(events).toEqual([{ attemptId: 'A1', event: 'card-removed', during: 'card-tab' }]);
    expect(bridge.readinessRun).toHaveBeenCalledTimes(1); // no re-run outside the readiness screen
  });

  it('finish: the last step recorded, the outcome sent, the attempt closed', async () => {
    const { bridge } = setup();
    const real = useRealStore();
    await real.begin('without-card');
    expect(real.stage).toBe('guide');
    real.goToStep(real.steps.length - 1);
    await real.finish('activated');
    expect(bridge.attemptUpdate).toHaveBeenCalledWith({ attemptId: 'A1', step: 'ecps-password' });
    expect(bridge.attemptFinish).toHaveBeenCalledWith({ attemptId: 'A1', outcome: 'activated' });
    expect(real.stage).toBe('finish');
    expect(real.attemptId).toBeNull();
  });
});

describe('home', () => {
  it('two paths: the real one first, the training one labelled, its buttons unchanged', async () => {
    setup();
    const w = mount(HomeView, { global: { plugins: [i18n()] } });
    await flushPromises();
    expect(w.get('[data-testid=go-real]').text()).toBe('Activer ma e-CPS (portail officiel)');
    const training = w.get('[data-testid=path-training]');
    expect(training.get('h3').text()).toContain("M'entraîner (démonstration)");
    expect(training.get('h3').text()).toContain('Entraînement');
    expect(training.get('[data-testid=go-with-card]').text()).toBe('Activer avec ma carte');
    expect(training.get('[data-testid=go-without-card]').text()).toBe('Activer sans ma carte');
  });
});
