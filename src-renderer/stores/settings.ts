import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useBridge } from '../composables/useBridge';
import type { RequestOf, ResponseOf, SettingsView } from '../../src-shared/ipc-contract';

export type NetworkInterfaces = ResponseOf<'network.interfaces'>;

/** The companion's saved settings (`settings.get` / `settings.set`) and the machine's network addresses. */
export const useSettingsStore = defineStore('settings', () => {
  const current = ref<SettingsView | null>(null);
  const network = ref<NetworkInterfaces | null>(null);
  const error = ref<unknown>(null);

  async function load() {
    const { bridge } = useBridge();
    try {
      const [settings, interfaces] = await Promise.all([bridge.settingsGet({}), bridge.networkInterfaces({})]);
      current.value = settings;
      network.value = interfaces;
      error.value = null;
    } catch (e) {
      error.value = e;
    }
  }

  /** Saves a change; a refused value rejects with the companion's error (code, message, remedy). */
  async function save(patch: RequestOf<'settings.set'>): Promise<SettingsView> {
    const { bridge } = useBridge();
    const saved = await bridge.settingsSet(patch);
    current.value = saved;
    return saved;
  }

  return { current, network, error, load, save };
});
