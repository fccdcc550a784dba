import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { setBridge } from '../../../src-renderer/composables/useBridge';
import { screenOf, useActivationStore } from '../../../src-renderer/stores/activation';
import { useWizardStore } from '../../../src-renderer/stores/wizard';
import type { ActivationUiEvent, BridgeApi } from '../../../src-shared/ipc-contract';
import { fakeBridge } from './helpers';

const sandbox = { kind: 'sandbox' as const, label: { fr: 'Bac à sable', en: 'Sandbox' } };

type Emitting = BridgeApi & { emit(event: string, payload: unknown): void };

/** A bridge whose activation.start announces the first step BEFORE answering, as the companion does. */
function activationBridge(extra: Parameters<typeof fakeBridge>[0] = {}, first: ActivationUiEvent = { type: 'state', step: 'card-ready', text: '' }) {
  const bridge: Emitting = fakeBridge({
    activationStart: (p) => {
      const flow = (p as { flow: 'with-card' | 'without-card' }).flow;
      bridge.emit('activation.event', { sessionId: 'other', event: { type: 'state', step: 'done', text: '' } });
      bridge.emit('activation.event', { sessionId: 's1', event: first });
      return { sessionId: 's1', flow, authority: sandbox };
    },
    activationCancel: () => ({ cancelled: true }),
    activationRetry: () => ({ accepted: true }),
    ...extra,
  }) as Emitting;
  setBridge(bridge);
  return bridge;
}

const send = (bridge: Emitting, event: ActivationUiEvent, sessionId = 's1') => bridge.emit('activation.event', { sessionId, event });

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  setBridge(undefined);
  vi.useRealTimers();
});

describe('activation store', () => {
  it('keeps the first step sent before the answer and moves the wizard to the PIN; other sessions are ignored', async () => {
    activationBridge();
    const store = useActivationStore();
    const wizard = useWizardStore();
    wizard.go('preparation');
    expect(await store.start('with-card', { reader: 'Lecteur 00' })).toBe(true);
    expect(store.sessionId).toBe('s1');
    expect(store.step).toBe('card-ready');
    expect(wizard.step).toBe('pin');
    expect(store.authority?.kind).toBe('sandbox');
  });

  it('follows the with-card steps to their screens, and "Retour" does not walk back into them', async () => {
    const bridge = activationBridge();
    const store = useActivationStore();
    const wizard = useWizardStore();
    wizard.go('preparation');
    await store.start('with-card');
    for (const [step, screen] of [
      ['cgu', 'cgu'],
      ['starting-activation', 'qr'],
      ['showing-qr', 'qr'],
      ['code-entry', 'code'],
      ['choosing-password', 'password'],
      ['confirming-password', 'phone-password'],
      ['done', 'activation-done'],
    ] as const) {
      send(bridge, { type: 'state', step, text: '' });
      expect(wizard.step, step).toBe(screen);
    }
    expect(wizard.history).toEqual(['home', 'preparation']);
  });

  it('maps the without-card steps, ADELI to the failed screen with its way on', () => {
    expect(screenOf('without-card', 'ready-to-request')).toBe('without-card-request');
    expect(screenOf('without-card', 'epop-guidance')).toBe('without-card-epop');
    expect(screenOf('without-card', 'awaiting-phone-scan')).toBe('without-card-sent');
    expect(screenOf('without-card', 'sms-code')).toBe('without-card-sms');
    expect(screenOf('without-card', 'adeli-needs-card')).toBe('activation-failed');
    expect(screenOf('with-card', 'authority-error')).toBeNull();
  });

  it('counts the QR down from expiresAt and counts automatic renewals (a new generation)', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const bridge = activationBridge();
    const store = useActivationStore();
    await store.start('with-card');
    send(bridge, { type: 'state', step: 'showing-qr', text: '' });
    send(bridge, { type: 'qr', payload: 'ecps1:a', expiresAt: 1_000_000 + 90_000, generation: 1 });
    expect(store.secondsLeft).toBe(90);
    vi.advanceTimersByTime(31_000);
    expect(store.secondsLeft).toBe(59);
    vi.advanceTimersByTime(60_000);
    expect(store.secondsLeft).toBe(0);
    send(bridge, { type: 'qr', payload: 'ecps1:b', expiresAt: Date.now() + 90_000, generation: 2 });
    expect(store.renewals).toBe(1);
    expect(store.qr?.payload).toBe('ecps1:b');
    expect(store.secondsLeft).toBe(90);
  });

  it('a resumable error offers "Réessayer" and stays on its step; it clears when the flow moves on', async () => {
    const bridge = activationBridge();
    const store = useActivationStore();
    await store.start('with-card');
    send(bridge, { type: 'state', step: 'cgu', text: '' });
    send(bridge, { type: 'error', code: 'AuthorityUnreachable', message: 'Le service ne répond pas.', remedy: 'Vérifiez', step: 'starting-activation', resumable: true });
    send(bridge, { type: 'state', step: 'authority-error', text: '' });
    expect(store.error?.code).toBe('AuthorityUnreachable');
    expect(store.canRetry).toBe(true);
    await store.retry();
    expect(bridge.activationRetry).toHaveBeenCalledTimes(1);
    expect(store.error).toBeNull();
    send(bridge, { type: 'error', code: 'AuthorityUnreachable', message: 'x', step: 'starting-activation', resumable: true });
    send(bridge, { type: 'state', step: 'authority-error', text: '' });
    send(bridge, { type: 'state', step: 'starting-activation', text: '' });
    expect(store.error).toBeNull();
  });

  it('a refusal is not resumable: no "Réessayer" (the screen offers its own way on)', async () => {
    const bridge = activationBridge();
    const store = useActivationStore();
    await store.start('with-card');
    send(bridge, { type: 'error', code: 'PasswordSequence', message: 'Mot de passe trop simple', step: 'choosing-password', resumable: false });
    send(bridge, { type: 'state', step: 'choosing-password', text: '' });
    expect(store.error?.message).toBe('Mot de passe trop simple');
    expect(store.canRetry).toBe(false);
  });

  it('a failed start is shown, not thrown', async () => {
    setBridge(fakeBridge({ activationStart: () => Promise.reject({ code: 'NoCard', message: { fr: 'Aucune carte', en: 'No card' } }) }));
    const store = useActivationStore();
    expect(await store.start('with-card')).toBe(false);
    expect(store.error).toMatchObject({ code: 'NoCard', message: 'Aucune carte', resumable: false });
    expect(store.running).toBe(false);
  });

  it('cancel stops the companion’s activation and forgets it: its later events change nothing', async () => {
    const bridge = activationBridge();
    const store = useActivationStore();
    const wizard = useWizardStore();
    await store.start('with-card');
    send(bridge, { type: 'qr', payload: 'ecps1:a', expiresAt: Date.now() + 90_000, generation: 1 });
    await store.cancel();
    expect(bridge.activationCancel).toHaveBeenCalledTimes(1);
    expect(store.running).toBe(false);
    expect(store.qr).toBeNull();
    wizard.home();
    send(bridge, { type: 'state', step: 'cgu', text: '' });
    expect(wizard.step).toBe('home');
    // Nothing running: a second cancel does not bother the companion.
    await store.cancel();
    expect(bridge.activationCancel).toHaveBeenCalledTimes(1);
  });
});
