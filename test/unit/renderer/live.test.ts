import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import PreparationView from '../../../src-renderer/views/PreparationView.vue';
import HomeView from '../../../src-renderer/views/HomeView.vue';
import { setBridge } from '../../../src-renderer/composables/useBridge';
import { useReaderStore } from '../../../src-renderer/stores/reader';
import { createAppI18n } from '../../../src-renderer/i18n';
import { cps3, fakeBridge, i18n, snapshot, vitale2 } from './helpers';

afterEach(() => setBridge(undefined));

describe('Préparation, live', () => {
  it('ticks the reader and card lines from readers.changed, and unticks them', async () => {
    const bridge = fakeBridge({ readersList: () => snapshot([]) });
    setBridge(bridge);
    const pinia = createPinia();
    setActivePinia(pinia);
    await useReaderStore().start();
    const w = mount(PreparationView, { global: { plugins: [pinia, i18n()] } });
    await flushPromises();
    expect(w.get('[data-testid=check-reader]').attributes('data-done')).toBe('false');
    expect(w.get('[data-testid=check-card]').attributes('data-done')).toBe('false');

    const emit = (bridge as unknown as { emit: (e: string, p: unknown) => void }).emit;
    emit('readers.changed', { ...snapshot([cps3, vitale2]), change: { type: 'card-inserted', reader: cps3.name } });
    await flushPromises();
    expect(w.get('[data-testid=check-reader]').attributes('data-done')).toBe('true');
    expect(w.get('[data-testid=check-card]').attributes('data-done')).toBe('true');
    expect(w.get('[data-testid=check-card]').text()).toContain('CPS3');

    // The CPS pulled out, a Vitale put in its slot.
    emit('readers.changed', { ...snapshot([{ ...vitale2, name: cps3.name, slotRole: 'cps', isVitaleInCpsSlot: true }]) });
    await flushPromises();
    expect(w.get('[data-testid=check-card]').attributes('data-done')).toBe('false');
    expect(w.get('[data-testid=check-card]').text()).toContain('Ceci est une carte Vitale');
    expect(w.get('[data-testid=vitale-in-cps-slot]').exists()).toBe(true);
  });
});

describe('English', () => {
  it('renders the home screen in English', () => {
    setActivePinia(createPinia());
    const w = mount(HomeView, { global: { plugins: [createPinia(), createAppI18n('en')] } });
    expect(w.get('h1').text()).toBe('Activate your e-CPS');
    expect(w.text()).toContain('Diagnose my reader');
  });
});
