/**
 * The preload's bridge, built from the IPC contract's channel lists (issue 5 §1, security
 * checklist 20: no raw ipcRenderer, no generic invoke of arbitrary channels):
 *   - one named function per REQUEST channel (`readersList`, `pinVerify`…), each bound to its
 *     own channel; `invoke(name, payload)` exists only because `BridgeApi` has it, and refuses
 *     any name outside the contract before touching IPC;
 *   - `on(event, cb)` for the contract's EVENTS only; the callback gets the payload, never
 *     Electron's event object (it holds the sender); returns an unsubscribe.
 * Main answers with the `{ ok, result | error }` envelope; an error rejects with a plain
 * `BridgeError` object (contextBridge copies plain objects; Error subclasses lose fields).
 *
 * No 'electron' import here (so plain-Node tests can build it with mocks): preload.ts injects.
 */
import {
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  functionNameOf,
  isEventChannel,
  isRequestChannel,
  type BridgeApi,
  type BridgeError,
  type IpcError,
} from '../src-shared/ipc-contract';

export interface ElectronIpcRenderer {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface ElectronContextBridge {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

/** The global the renderer reads (src-renderer/composables/useBridge.ts: `window.api`). */
export const BRIDGE_GLOBAL = 'api';

function unknownChannel(channel: string): BridgeError {
  return {
    channel,
    code: 'UnknownChannel',
    message: { fr: 'Demande inconnue de l’application.', en: 'Unknown request from the application.' },
  };
}

function isEnvelope(value: unknown): value is { ok: true; result: unknown } | { ok: false; error: IpcError } {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function createBridge(ipcRenderer: ElectronIpcRenderer): BridgeApi {
  const call = async (channel: string, payload: unknown): Promise<unknown> => {
    if (!isRequestChannel(channel)) throw unknownChannel(channel);
    const answer = await ipcRenderer.invoke(channel, payload === undefined ? {} : payload);
    if (!isEnvelope(answer)) {
      const error: BridgeError = { channel, code: 'InvalidResponse', message: { fr: 'Réponse interne invalide.', en: 'Invalid internal response.' } };
      throw error;
    }
    if (answer.ok) return answer.result;
    const error: BridgeError = { ...answer.error, channel };
    throw error;
  };

  const api: Record<string, unknown> = {};
  for (const channel of REQUEST_CHANNELS) {
    api[functionNameOf(channel)] = (payload: unknown) => call(channel, payload);
  }
  api.invoke = (channel: string, payload: unknown) => call(channel, payload);
  api.on = (event: string, listener: (payload: unknown) => void) => {
    if (!isEventChannel(event) || !EVENT_CHANNELS.includes(event) || typeof listener !== 'function') return () => undefined;
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  };
  return Object.freeze(api) as unknown as BridgeApi;
}

export function exposeBridge(contextBridge: ElectronContextBridge, ipcRenderer: ElectronIpcRenderer): void {
  contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createBridge(ipcRenderer));
}
