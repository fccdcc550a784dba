import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { useBridge } from '../composables/useBridge';
import type { ReaderView, ReadersSnapshot, Unsubscribe } from '../../src-shared/ipc-contract';

/** Readers and cards, mirrored live from `readers.list` + `readers.changed`. */
export const useReaderStore = defineStore('reader', () => {
  const snapshot = ref<ReadersSnapshot | null>(null);
  const error = ref<unknown>(null);
  let unsubscribe: Unsubscribe | undefined;

  const loaded = computed(() => snapshot.value !== null);
  const serviceUp = computed(() => snapshot.value?.serviceUp ?? false);
  const readers = computed<ReaderView[]>(() => snapshot.value?.readers ?? []);
  const hasReader = computed(() => serviceUp.value && readers.value.length > 0);
  /** The reader holding a CPS card (the CPS slot first). */
  const cpsReader = computed<ReaderView | undefined>(() => {
    const withCps = readers.value.filter((r) => r.cardPresent && r.card?.isCps);
    return withCps.find((r) => r.slotRole === 'cps') ?? withCps[0];
  });
  const vitaleInCpsSlot = computed(() => readers.value.some((r) => r.isVitaleInCpsSlot));
  const cardReady = computed(() => !!cpsReader.value && !cpsReader.value.mute && !cpsReader.value.inUse);

  async function refresh() {
    const { bridge } = useBridge();
    try {
      snapshot.value = await bridge.readersList({});
      error.value = null;
    } catch (e) {
      error.value = e;
    }
  }

  async function start() {
    if (unsubscribe) return;
    const { bridge, connection } = useBridge();
    unsubscribe = bridge.on('readers.changed', (payload) => {
      const { change: _change, ...rest } = payload;
      snapshot.value = rest;
    });
    // After a lost connection, re-read: events may have been missed meanwhile.
    watch(connection, (now, before) => {
      if (now === 'open' && before === 'lost') void refresh();
    });
    await refresh();
  }

  function stop() {
    unsubscribe?.();
    unsubscribe = undefined;
  }

  return { snapshot, error, loaded, serviceUp, readers, hasReader, cpsReader, vitaleInCpsSlot, cardReady, refresh, start, stop };
});
