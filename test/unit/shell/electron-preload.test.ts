/**
 * The preload's bridge (src-preload/bridge.ts) with a mocked ipcRenderer/contextBridge:
 * exactly the contract's named functions, events only from the contract, no raw IPC.
 */
import { describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, REQUEST_CHANNELS, functionNameOf } from '../../../src-shared/ipc-contract';
import { BRIDGE_GLOBAL, createBridge, exposeBridge, type ElectronIpcRenderer } from '../../../src-preload/bridge';

function mockIpcRenderer(answer: unknown = { ok: true, result: { fine: true } }) {
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc = {
    invoke: vi.fn(async () => answer),
    on: vi.fn((channel: string, l: (event: unknown, ...args: unknown[]) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    }),
    removeListener: vi.fn((channel: string, l: (event: unknown, ...args: unknown[]) => void) => {
      listeners.get(channel)?.delete(l);
    }),
  };
  const emit = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'SECRET-SENDER' }, payload);
  };
  return { ipc: ipc as ElectronIpcRenderer, raw: ipc, emit };
}

describe('preload bridge', () => {
  it('exposes window.api with exactly the contract functions, invoke and on', () => {
    const { ipc } = mockIpcRenderer();
    const contextBridge = { exposeInMainWorld: vi.fn() };
    exposeBridge(contextBridge, ipc);
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    const [key, api] = contextBridge.exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>];
    expect(key).toBe(BRIDGE_GLOBAL);
    expect(key).toBe('api');
    const expected = [...REQUEST_CHANNELS.map((c) => functionNameOf(c)), 'invoke', 'on'].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    // Nothing of Electron leaks: no ipcRenderer, send, sendSync, invoke of raw IPC objects.
    expect(Object.values(api)).not.toContain(ipc);
    expect(api).not.toHaveProperty('send');
    expect(api).not.toHaveProperty('ipcRenderer');
  });

  it('each named function invokes its own channel and unwraps the envelope', async () => {
    const { ipc, raw } = mockIpcRenderer();
    const api = createBridge(ipc);
    for (const channel of REQUEST_CHANNELS) {
      const fn = (api as unknown as Record<string, (p: unknown) => Promise<unknown>>)[functionNameOf(channel)]!;
      await expect(fn({})).resolves.toEqual({ fine: true });
      expect(raw.invoke).toHaveBeenLastCalledWith(channel, {});
    }
    await api.readersList(undefined as never);
    expect(raw.invoke).toHaveBeenLastCalledWith('readers.list', {});
  });

  it('rejects with a plain BridgeError carrying the channel when main answers ok:false', async () => {
    const { ipc } = mockIpcRenderer({ ok: false, error: { code: 'InvalidPayload', message: { fr: 'x', en: 'y' } } });
    const api = createBridge(ipc);
    await expect(api.pinVerify({ pin: '1234' })).rejects.toEqual({ code: 'InvalidPayload', message: { fr: 'x', en: 'y' }, channel: 'pin.verify' });
    const garbage = createBridge(mockIpcRenderer('garbage').ipc);
    await expect(garbage.readersList({})).rejects.toMatchObject({ code: 'InvalidResponse', channel: 'readers.list' });
  });

  it('invoke refuses channels outside the contract without touching IPC', async () => {
    const { ipc, raw } = mockIpcRenderer();
    const api = createBridge(ipc);
    for (const channel of ['shell.openExternal', 'ELECTRON_BROWSER_REQUIRE', '__proto__', 'toString']) {
      await expect(api.invoke(channel as never, {} as never)).rejects.toMatchObject({ code: 'UnknownChannel' });
    }
    expect(raw.invoke).not.toHaveBeenCalled();
    await expect(api.invoke('readers.list', {})).resolves.toEqual({ fine: true });
  });

  it('on() subscribes to contract events only, hides the Electron event, and unsubscribes', () => {
    const { ipc, raw, emit } = mockIpcRenderer();
    const api = createBridge(ipc);
    const cb = vi.fn();
    const off = api.on('readers.changed', cb);
    emit('readers.changed', { demo: true });
    expect(cb).toHaveBeenCalledWith({ demo: true });
    expect(cb.mock.calls[0]).toHaveLength(1);
    off();
    emit('readers.changed', { demo: false });
    expect(cb).toHaveBeenCalledTimes(1);
    const other = vi.fn();
    api.on('ELECTRON_INTERNAL' as never, other);
    api.on('pin.verify' as never, other);
    expect(raw.on.mock.calls.map(([c]) => c)).toEqual(['readers.changed']);
    for (const event of EVENT_CHANNELS) api.on(event, () => undefined);
    expect(raw.on.mock.calls.map(([c]) => c).slice(1)).toEqual([...EVENT_CHANNELS]);
  });
});
