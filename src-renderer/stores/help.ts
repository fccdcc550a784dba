import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useBridge } from '../composables/useBridge';
import type { HelpTopicId, HelpTopicView, IpcLang } from '../../src-shared/ipc-contract';

/**
 * The help topics (`help.get`, from resources/help/help.json in the main process), loaded once
 * per language and kept: every <HelpTopic> on every screen reads from here.
 */
export const useHelpStore = defineStore('help', () => {
  const topics = ref<Partial<Record<IpcLang, HelpTopicView[]>>>({});
  const error = ref<unknown>(null);
  const pending = new Map<IpcLang, Promise<void>>();

  function load(language: IpcLang): Promise<void> {
    if (topics.value[language]) return Promise.resolve();
    const running = pending.get(language);
    if (running) return running;
    const { bridge } = useBridge();
    const request = bridge
      .helpGet({ language })
      .then((answer) => {
        topics.value = { ...topics.value, [answer.language]: answer.topics };
        error.value = null;
      })
      .catch((e: unknown) => {
        error.value = e;
      })
      .finally(() => pending.delete(language));
    pending.set(language, request);
    return request;
  }

  function topic(id: HelpTopicId, language: IpcLang): HelpTopicView | undefined {
    return topics.value[language]?.find((t) => t.id === id);
  }

  return { topics, error, load, topic };
});
