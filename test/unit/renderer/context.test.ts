/**
 * The two reusable pieces above the screens (issue 12 items 3 and 8): the step indicator (any
 * list of steps, the current one) and the one-line reader status, and which screens get them.
 */
import { describe, expect, it, vi } from 'vitest';
import { mount } from '@vue/test-utils';
import { createTestingPinia } from '@pinia/testing';
import StepIndicator from '../../../src-renderer/components/StepIndicator.vue';
import ReaderStatusStrip from '../../../src-renderer/components/ReaderStatusStrip.vue';
import { progressOf, showsReaderStrip } from '../../../src-renderer/stores/progress';
import { cps3, i18n, snapshot, vitale2 } from './helpers';

const steps = [
  { id: 'a', label: 'Préparer' },
  { id: 'b', label: 'Vérifier' },
  { id: 'c', label: 'Terminer' },
];

describe('StepIndicator', () => {
  it('says where the user is and what comes next; the current step is aria-current', () => {
    const w = mount(StepIndicator, { props: { steps, current: 'b', label: 'Étapes du guide' }, global: { plugins: [i18n()] } });
    expect(w.get('[data-testid=step-now]').text()).toBe('Étape 2 sur 3 : Vérifier');
    expect(w.text()).toContain('Ensuite : Terminer');
    expect(w.get('nav').attributes('aria-label')).toBe('Étapes du guide');
    const items = w.findAll('li');
    expect(items.map((li) => li.attributes('aria-current') ?? '')).toEqual(['', 'step', '']);
    expect(items.map((li) => li.classes().find((c) => c.startsWith('is-')))).toEqual(['is-done', 'is-current', 'is-todo']);
    expect(items[0]!.text()).toBe('Étape 1, terminée : Préparer');
  });

  it('the last step, complete: every segment done, nothing next', () => {
    const w = mount(StepIndicator, { props: { steps, current: 'c', label: 'x', complete: true }, global: { plugins: [i18n()] } });
    expect(w.text()).not.toContain('Ensuite');
    expect(w.findAll('li.is-done')).toHaveLength(3);
  });
});

describe('progressOf / showsReaderStrip', () => {
  it('maps each screen of both flows to its step; off-path screens get none', () => {
    expect(progressOf('preparation', null)).toMatchObject({ flow: 'with-card', current: 'preparation' });
    expect(progressOf('start', 'with-card')).toMatchObject({ current: 'start', steps: expect.arrayContaining(['cgu', 'start', 'qr']) });
    expect(progressOf('phone-password', 'without-card')).toMatchObject({ current: 'password' });
    expect(progressOf('without-card-epop', 'without-card')).toBeNull();
    expect(progressOf('help', null)).toBeNull();
    expect(progressOf('home', null)).toBeNull();
  });

  it('the reader line: home and the card flow until done; not where the full panel is, not without the card', () => {
    expect(['home', 'pin', 'cgu', 'start', 'qr'].every((s) => showsReaderStrip(s as never, 'with-card'))).toBe(true);
    expect(showsReaderStrip('code', 'with-card')).toBe(true);
    expect(showsReaderStrip('code', 'without-card')).toBe(false);
    expect(showsReaderStrip('preparation', null)).toBe(false);
    expect(showsReaderStrip('diagnose', null)).toBe(false);
  });
});

describe('ReaderStatusStrip', () => {
  const mountWith = (s: ReturnType<typeof snapshot> | null) =>
    mount(ReaderStatusStrip, { global: { plugins: [createTestingPinia({ createSpy: vi.fn, initialState: { reader: { snapshot: s } } }), i18n()] } });

  it.each([
    ['ready', snapshot([cps3, vitale2]), 'CPS3 prête — fente CPS'],
    ['no-card', snapshot([{ ...cps3, cardPresent: false, card: undefined }]), 'Aucune carte CPS'],
    ['vitale', snapshot([{ ...vitale2, slotRole: 'cps' as const, isVitaleInCpsSlot: true }]), 'carte Vitale'],
    ['mute', snapshot([{ ...cps3, mute: true }]), 'ne répond pas'],
    ['in-use', snapshot([{ ...cps3, inUse: true }]), 'Une autre application'],
    ['no-reader', snapshot([]), 'Aucun lecteur'],
    ['service-down', snapshot([], { serviceUp: false }), 'service des cartes'],
    ['loading', null, 'Recherche'],
  ])('%s', (state, s, text) => {
    const w = mountWith(s);
    expect(w.get('[data-testid=reader-strip]').attributes('data-state')).toBe(state);
    expect(w.text()).toContain(text);
    expect(w.get('[data-testid=reader-strip]').attributes('role')).toBe('status');
  });
});
