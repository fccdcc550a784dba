import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoPort, resetDemoCards } from '../../../src-main/reader/demo';
import { createIpcServices, type IpcServices } from '../../../src-main/ipc/handlers';
import { createValidatedDispatcher, type IpcHandlers } from '../../../src-main/ipc/validated';
import { REQUEST_CHANNELS, functionNameOf, ipcRequests } from '../../../src-shared/ipc-contract';
import type { ReaderPort } from '../../../src-shared/reader-port';

function spyHandlers(): IpcHandlers {
  const handlers = {} as Record<string, unknown>;
  for (const channel of REQUEST_CHANNELS) handlers[channel] = vi.fn(async () => ({}));
  return handlers as unknown as IpcHandlers;
}

describe('the validation wrapper', () => {
  it('rejects unknown channels without calling anything', async () => {
    const handlers = spyHandlers();
    const dispatcher = createValidatedDispatcher(handlers);
    for (const channel of ['nope', '__proto__', 'constructor', 'toString', 42, undefined]) {
      const out = await dispatcher.dispatch(channel, {});
      expect(out).toMatchObject({ ok: false, error: { code: 'UnknownChannel' } });
    }
    for (const channel of REQUEST_CHANNELS) expect(handlers[channel]).not.toHaveBeenCalled();
  });

  it('a PIN that is not exactly 4 digits never reaches the handler (nor the card), and is not echoed', async () => {
    const handlers = spyHandlers();
    const dispatcher = createValidatedDispatcher(handlers);
    for (const pin of ['123', '12345', '12a4', ' 1234', 1234, null]) {
      const out = await dispatcher.dispatch('pin.verify', { pin });
      expect(out).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
      expect(JSON.stringify(out)).not.toContain(String(pin).trim() === '' ? '\u0000' : String(pin));
    }
    // Extra fields are refused too (strict schemas).
    expect(await dispatcher.dispatch('pin.verify', { pin: '1234', extra: 1 })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    expect(await dispatcher.dispatch('readers.list', { x: 1 })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    expect(handlers['pin.verify']).not.toHaveBeenCalled();
  });

  it('checks the handler answer against the response schema', async () => {
    const handlers = spyHandlers();
    const dispatcher = createValidatedDispatcher(handlers);
    expect(await dispatcher.dispatch('readers.list', {})).toMatchObject({ ok: false, error: { code: 'InvalidResponse' } });
  });

  it('names one bridge function per channel', () => {
    expect(functionNameOf('readers.list')).toBe('readersList');
    expect(functionNameOf('activation.submitCode')).toBe('activationSubmitCode');
    expect(new Set(REQUEST_CHANNELS.map(functionNameOf)).size).toBe(Object.keys(ipcRequests).length);
  });
});

describe('handlers over the demo reader', () => {
  let port: ReaderPort;
  let services: IpcServices;
  let dispatch: (channel: string, payload?: unknown) => Promise<{ ok: boolean; result?: unknown; error?: unknown }>;

  beforeEach(async () => {
    resetDemoCards();
    port = await createDemoPort();
    await port.start();
    services = createIpcServices({ port, demo: true, shell: 'web' });
    const dispatcher = createValidatedDispatcher(services.handlers);
    dispatch = (channel, payload = {}) => dispatcher.dispatch(channel, payload);
  });
  afterEach(async () => {
    await services.dispose();
    await port.stop();
    resetDemoCards();
  });

  it('app.info says demo and the sandbox authority', async () => {
    const out = await dispatch('app.info');
    expect(out).toMatchObject({ ok: true, result: { demo: true, shell: 'web', language: 'fr', authority: { kind: 'sandbox' } } });
  });

  it('readers.list shows the CPS3 and the Vitale 2', async () => {
    const out = await dispatch('readers.list');
    expect(out.ok).toBe(true);
    const result = out.result as { demo: boolean; readers: { slotRole: string; card?: { type: string; isCps: boolean }; isVitaleInCpsSlot: boolean }[] };
    expect(result.demo).toBe(true);
    expect(result.readers.map((r) => r.card?.type)).toEqual(['cps3', 'vitale2']);
    expect(result.readers.map((r) => r.slotRole)).toEqual(['cps', 'vitale']);
    expect(result.readers.every((r) => !r.isVitaleInCpsSlot)).toBe(true);
  });

  it('card.inspect gives the identity and the PIN counter', async () => {
    const out = await dispatch('card.inspect', {});
    expect(out).toMatchObject({ ok: true, result: { card: { type: 'cps3' }, identity: { surname: 'DUPONT' }, pin: { triesLeft: 3, maxTries: 3 } } });
  });

  it('pin.verify: wrong → tries left; right → 3/3; the PIN is never in the answer', async () => {
    const wrong = await dispatch('pin.verify', { pin: '0000' });
    expect(wrong).toMatchObject({ ok: true, result: { ok: false, pin: { triesLeft: 2, maxTries: 3 }, error: { code: expect.any(String) } } });
    expect(JSON.stringify(wrong)).not.toContain('0000');
    const status = await dispatch('pin.status', {});
    expect(status).toMatchObject({ ok: true, result: { pin: { triesLeft: 2 } } });
    const right = await dispatch('pin.verify', { pin: '1234' });
    expect(right).toMatchObject({ ok: true, result: { ok: true, pin: { triesLeft: 3, maxTries: 3, blocked: false } } });
    expect(JSON.stringify(right)).not.toContain('1234');
  });

  it('the last try needs confirmation: the card is not touched without it', async () => {
    await dispatch('pin.verify', { pin: '0000' });
    await dispatch('pin.verify', { pin: '0000' });
    const refused = await dispatch('pin.verify', { pin: '1234' });
    expect(refused).toMatchObject({ ok: true, result: { ok: false, pin: { triesLeft: 1 } } });
    const confirmed = await dispatch('pin.verify', { pin: '1234', confirmLastTry: true });
    expect(confirmed).toMatchObject({ ok: true, result: { ok: true, pin: { triesLeft: 3 } } });
  });

  it('cgu.get returns the sandbox text and its version; cgu.accept takes that version only', async () => {
    const fr = await dispatch('cgu.get', {});
    expect(fr).toMatchObject({ ok: true, result: { language: 'fr', sandbox: true, version: expect.stringMatching(/sandbox/) } });
    const en = await dispatch('cgu.get', { language: 'en' });
    expect((en.result as { text: string }).text).toMatch(/SANDBOX/);
    const version = (fr.result as { version: string }).version;
    expect(await dispatch('cgu.accept', { version: 'other' })).toMatchObject({ ok: true, result: { accepted: false } });
    expect(await dispatch('cgu.accept', { version })).toMatchObject({ ok: true, result: { accepted: true, version } });
  });

  it('a Vitale card in the CPS slot is named', async () => {
    const out = await dispatch('pin.status', { reader: (port.readers()[1] as { name: string }).name });
    expect(out).toMatchObject({ ok: false, error: { code: 'VitaleInCpsSlot', message: { fr: expect.any(String), en: expect.any(String) } } });
  });

  it('emits readers.changed when a card leaves', async () => {
    const seen: unknown[] = [];
    services.events.subscribe((event, payload) => seen.push({ event, payload }));
    const demo = port as unknown as { remove(slot: number): void };
    demo.remove(1);
    await vi.waitFor(() => expect(seen).toContainEqual(expect.objectContaining({ event: 'readers.changed', payload: expect.objectContaining({ change: expect.objectContaining({ type: 'card-removed' }) }) })));
  });
});
