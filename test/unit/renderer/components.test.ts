import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createTestingPinia } from '@pinia/testing';
import { vi } from 'vitest';
import ReaderStatusPanel from '../../../src-renderer/components/ReaderStatusPanel.vue';
import PinPad from '../../../src-renderer/components/PinPad.vue';
import PinView from '../../../src-renderer/views/PinView.vue';
import { readToken, setBridge } from '../../../src-renderer/composables/useBridge';
import { cps3, fakeBridge, i18n, snapshot, vitale2 } from './helpers';

afterEach(() => setBridge(undefined));

function withReaders(readers: ReturnType<typeof snapshot> | null) {
  return createTestingPinia({ createSpy: vi.fn, initialState: { reader: { snapshot: readers } } });
}

describe('ReaderStatusPanel', () => {
  it('shows both slots: the CPS3 and the Vitale 2', () => {
    const w = mount(ReaderStatusPanel, { global: { plugins: [withReaders(snapshot([cps3, vitale2])), i18n()] } });
    expect(w.get('[data-testid=slot-cps]').text()).toContain('CPS3');
    expect(w.get('[data-testid=slot-cps]').text()).toContain('Fente CPS');
    expect(w.get('[data-testid=slot-vitale]').text()).toContain('Carte Vitale 2');
  });

  it('says "ceci est une carte Vitale" when a Vitale card sits in the CPS slot', () => {
    const misplaced = { ...vitale2, slotRole: 'cps' as const, isVitaleInCpsSlot: true };
    const w = mount(ReaderStatusPanel, { global: { plugins: [withReaders(snapshot([misplaced])), i18n()] } });
    expect(w.get('[data-testid=vitale-in-cps-slot]').text()).toMatch(/Ceci est une carte Vitale/);
  });

  it('explains no reader and service down', () => {
    const none = mount(ReaderStatusPanel, { global: { plugins: [withReaders(snapshot([])), i18n()] } });
    expect(none.get('[data-testid=no-reader]').text()).toContain('Aucun lecteur');
    const down = mount(ReaderStatusPanel, { global: { plugins: [withReaders(snapshot([], { serviceUp: false })), i18n()] } });
    expect(down.get('[data-testid=service-down]').text()).toContain('ne répond pas');
  });
});

describe('PinPad', () => {
  it('takes clicks and the keyboard, masks the digits, emits 4 digits once', async () => {
    const w = mount(PinPad, { global: { plugins: [i18n()] } });
    const input = w.get('[data-testid=pin-input]');
    expect(input.attributes('type')).toBe('password');
    for (const d of ['1', '2']) await w.get(`button[aria-label="Chiffre ${d}"]`).trigger('click');
    await w.get('button[aria-label="Chiffre 3"]').trigger('keydown', { key: '3' });
    await w.get('button[aria-label="Chiffre 3"]').trigger('keydown', { key: '4' });
    expect((input.element as HTMLInputElement).value).toBe('1234');
    await w.get('form').trigger('submit');
    expect(w.emitted('submit')).toEqual([['1234']]);
    expect((input.element as HTMLInputElement).value).toBe('');
  });

  it('refuses fewer than 4 digits without emitting', async () => {
    const w = mount(PinPad, { global: { plugins: [i18n()] } });
    await w.get('[data-testid=pin-input]').setValue('12a');
    await w.get('form').trigger('submit');
    expect(w.emitted('submit')).toBeUndefined();
    expect(w.text()).toContain('4 chiffres');
  });
});

describe('PinView', () => {
  function mountPin(bridge: ReturnType<typeof fakeBridge>) {
    setBridge(bridge);
    const pinia = createTestingPinia({ createSpy: vi.fn, initialState: { reader: { snapshot: snapshot([cps3, vitale2]) } } });
    // Attached: focus is part of what these tests check.
    return mount(PinView, { attachTo: document.body, global: { plugins: [pinia, i18n()] } });
  }

  it('shows the tries left before typing, then "il reste 2 essais" after a wrong PIN', async () => {
    const bridge = fakeBridge({
      pinStatus: () => ({ reader: cps3.name, pin: { triesLeft: 3, maxTries: 3, blocked: false } }),
      pinVerify: () => ({
        ok: false,
        reader: cps3.name,
        pin: { triesLeft: 2, maxTries: 3, blocked: false },
        error: { code: 'PinIncorrect', message: { fr: 'Code faux', en: 'Wrong' } },
      }),
    });
    const w = mountPin(bridge);
    await flushPromises();
    expect(w.get('[data-testid=pin-tries]').text()).toBe('Il vous reste 3 essais sur 3.');
    await w.get('[data-testid=pin-input]').setValue('0000');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid=pin-message]').text()).toContain('Il reste 2 essais');
    expect(bridge.pinVerify).toHaveBeenCalledWith({ reader: cps3.name, pin: '0000' });
  });

  it('asks for confirmation before spending the last try', async () => {
    const bridge = fakeBridge({
      pinStatus: () => ({ reader: cps3.name, pin: { triesLeft: 1, maxTries: 3, blocked: false } }),
      pinVerify: () => ({ ok: true, reader: cps3.name, pin: { triesLeft: 3, maxTries: 3, blocked: false } }),
    });
    const w = mountPin(bridge);
    await flushPromises();
    expect(w.text()).toContain('un seul essai');
    await w.get('[data-testid=pin-input]').setValue('1234');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(bridge.pinVerify).not.toHaveBeenCalled();
    // The safe answer has the focus; the risky one needs the box ticked first (issue 12 item 1).
    expect(document.activeElement?.textContent?.trim()).toBe('Non, annuler');
    await w.get('[data-testid=last-try] button.danger').trigger('click');
    await flushPromises();
    expect(bridge.pinVerify).not.toHaveBeenCalled();
    expect(w.get('[data-testid=last-try-nudge]').text()).toContain('Cochez');
    await w.get('#last-try-sure').setValue(true);
    await w.get('[data-testid=last-try] button.danger').trigger('click');
    await flushPromises();
    expect(bridge.pinVerify).toHaveBeenCalledWith({ reader: cps3.name, pin: '1234', confirmLastTry: true });
  });

  it('guides a blocked card to the PUK letter, with no pad', async () => {
    const bridge = fakeBridge({ pinStatus: () => ({ reader: cps3.name, pin: { triesLeft: 0, maxTries: 3, blocked: true } }) });
    const w = mountPin(bridge);
    await flushPromises();
    expect(w.get('[data-testid=pin-blocked]').text()).toContain('code de déblocage');
    expect(w.find('[data-testid=pin-input]').exists()).toBe(false);
  });
});

describe('readToken', () => {
  it('reads the token from the fragment, then the query', () => {
    expect(readToken({ hash: '#token=abc', search: '' })).toBe('abc');
    expect(readToken({ hash: '', search: '?token=def' })).toBe('def');
    expect(readToken({ hash: '', search: '' })).toBeUndefined();
  });
});
