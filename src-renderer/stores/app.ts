import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useBridge } from '../composables/useBridge';
import type { ResponseOf } from '../../src-shared/ipc-contract';

export type AppInfo = ResponseOf<'app.info'>;

/** What the companion says about itself: version, demo readers, authority in use. */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null);
  const error = ref<unknown>(null);
  const demo = computed(() => info.value?.demo ?? false);
  const sandbox = computed(() => info.value?.authority.kind === 'sandbox');

  async function load() {
    const { bridge } = useBridge();
    try {
      info.value = await bridge.appInfo({});
      error.value = null;
    } catch (e) {
      error.value = e;
    }
  }

  async function setLanguage(language: 'fr' | 'en') {
    const { bridge } = useBridge();
    try {
      await bridge.appSetLanguage({ language });
    } catch {
      // The UI language still changes; the companion's own texts stay in the previous one.
    }
  }

  return { info, error, demo, sandbox, load, setLanguage };
});
