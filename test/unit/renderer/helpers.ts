import { vi } from 'vitest';
import type { BridgeApi, ReaderView, ReadersSnapshot } from '../../../src-shared/ipc-contract';
import { createAppI18n } from '../../../src-renderer/i18n';

/** A bridge whose named functions are the given fakes (others reject). */
export function fakeBridge(fns: Partial<Record<keyof BridgeApi, (payload: unknown) => unknown>>): BridgeApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const mocks = new Map<string, ReturnType<typeof vi.fn>>();
  const api = new Proxy({} as Record<string, unknown>, {
    get(_t, name: string) {
      if (name === 'on') {
        return (event: string, listener: (p: unknown) => void) => {
          if (!listeners.has(event)) listeners.set(event, new Set());
          listeners.get(event)!.add(listener);
          return () => listeners.get(event)?.delete(listener);
        };
      }
      if (name === 'emit') return (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
      if (name === 'then') return undefined;
      const fn = (fns as Record<string, (p: unknown) => unknown>)[name];
      if (!mocks.has(name)) {
        mocks.set(
          name,
          vi.fn(async (payload: unknown) => {
            if (!fn) throw { code: 'UnknownChannel', message: { fr: name, en: name } };
            return fn(payload);
          }),
        );
      }
      return mocks.get(name);
    },
  });
  return api as unknown as BridgeApi;
}

export const cps3: ReaderView = {
  name: 'Lecteur virtuel 00',
  slotRole: 'cps',
  cardPresent: true,
  inUse: false,
  mute: false,
  atr: '3B 7D',
  card: { type: 'cps3', label: { fr: 'CPS3', en: 'CPS3' }, confirmed: true, isCps: true, isVitale: false },
  isVitaleInCpsSlot: false,
};

export const vitale2: ReaderView = {
  name: 'Lecteur virtuel 01',
  slotRole: 'vitale',
  cardPresent: true,
  inUse: false,
  mute: false,
  card: { type: 'vitale2', label: { fr: 'Carte Vitale 2', en: 'Vitale 2 card' }, confirmed: true, isCps: false, isVitale: true },
  isVitaleInCpsSlot: false,
};

export function snapshot(readers: ReaderView[], extra: Partial<ReadersSnapshot> = {}): ReadersSnapshot {
  return { demo: true, serviceUp: true, readers, ...extra };
}

export const i18n = () => createAppI18n('fr');
