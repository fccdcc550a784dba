/**
 * The handlers of `help.get`, `settings.get`, `settings.set` and `network.interfaces`, mounted by
 * src-main/ipc/handlers.ts next to the others (same validated dispatcher). What they change in
 * the running services (language, authority for the next activation) goes through `apply`.
 */
import type { Lang } from '../../src-shared/errors';
import type { ResponseOf, ValidRequestOf } from '../../src-shared/ipc-contract';
import { toIpcError } from '../ipc/validated';
import { checkAuthoritySetting } from './authority-check';
import { helpTopicsIn, loadHelpFile, type HelpFile } from './help';
import { automaticAddress, checkPairingAddress, listPairingInterfaces, LOOPBACK_ADDRESS, type NetworkInterfacesSource } from './network';
import { DEFAULT_SETTINGS, type Settings, type SettingsStore } from './settings-store';

export interface SettingsHandlersOptions {
  /** Absent: settings live in memory only (tests, the CLI). */
  store?: SettingsStore;
  helpFile?: URL | string;
  networkInterfaces?: NetworkInterfacesSource;
  /** The app's current language (for `help.get` without a language). */
  language: () => Lang;
  /** Called after a successful change with the new settings and what changed. */
  apply: (settings: Settings, changed: (keyof Settings)[]) => void;
}

type Handler<C extends 'help.get' | 'settings.get' | 'settings.set' | 'network.interfaces'> = (request: ValidRequestOf<C>) => Promise<ResponseOf<C>>;

export interface SettingsHandlers {
  'help.get': Handler<'help.get'>;
  'settings.get': Handler<'settings.get'>;
  'settings.set': Handler<'settings.set'>;
  'network.interfaces': Handler<'network.interfaces'>;
}

export function createSettingsHandlers(options: SettingsHandlersOptions): SettingsHandlers {
  let help: HelpFile | undefined;
  const interfaces = () => listPairingInterfaces(options.networkInterfaces);
  // Without a store (tests, embedded use) the settings are kept in memory.
  let memory: Settings = { ...DEFAULT_SETTINGS, language: options.language() };
  const current = (): Settings => (options.store ? options.store.get() : { ...memory, language: options.language() });

  function view(): ResponseOf<'settings.get'> {
    const warning = options.store?.warning;
    return { ...current(), file: options.store?.file ?? '', ...(warning ? { warning: toIpcError(warning) } : {}) };
  }

  return {
    async 'help.get'({ language }) {
      help ??= loadHelpFile(options.helpFile);
      const lang = language ?? options.language();
      return { language: lang, topics: helpTopicsIn(help, lang) };
    },
    async 'settings.get'() {
      return view();
    },
    async 'settings.set'(patch) {
      const before = current();
      const pairingAddress = patch.pairingAddress !== undefined ? checkPairingAddress(patch.pairingAddress, interfaces()) : undefined;
      const clean = {
        ...(patch.authority !== undefined ? { authority: patch.authority } : {}),
        ...(patch.language !== undefined ? { language: patch.language } : {}),
        ...(pairingAddress !== undefined ? { pairingAddress } : {}),
      };
      let after: Settings;
      if (options.store) after = options.store.update(clean);
      else {
        memory = { ...memory, ...clean, ...(clean.authority !== undefined ? { authority: checkAuthoritySetting(clean.authority) } : {}) };
        after = { ...memory };
      }
      const changed = (Object.keys(after) as (keyof Settings)[]).filter((k) => after[k] !== before[k]);
      if (changed.length > 0) options.apply(after, changed);
      return view();
    },
    async 'network.interfaces'() {
      const list = interfaces();
      return { interfaces: list, automatic: automaticAddress(list), loopback: LOOPBACK_ADDRESS };
    },
  };
}
