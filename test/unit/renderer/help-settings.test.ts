import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import HelpTopic from '../../../src-renderer/components/HelpTopic.vue';
import HelpView from '../../../src-renderer/views/HelpView.vue';
import SettingsView from '../../../src-renderer/views/SettingsView.vue';
import { setBridge } from '../../../src-renderer/composables/useBridge';
import type { HelpTopicView, SettingsView as Settings } from '../../../src-shared/ipc-contract';
import { fakeBridge, i18n } from './helpers';

afterEach(() => setBridge(undefined));

const topics = (lang: 'fr' | 'en'): HelpTopicView[] => [
  {
    id: 'epop',
    title: lang === 'fr' ? 'Mettre à jour mon e-mail' : 'Update my e-mail',
    paragraphs: [lang === 'fr' ? 'Comptez 48 heures.' : 'Allow 48 hours.'],
    steps: ['Un', 'Deux'],
    links: [],
    phones: [],
  },
  {
    id: 'who-to-call',
    title: lang === 'fr' ? 'Qui appeler ?' : 'Who to call?',
    paragraphs: ['Le support.'],
    steps: [],
    links: [{ label: 'ANS', url: 'https://esante.gouv.fr/aide' }],
    phones: [{ label: 'Support de l’ANS', number: '0 825 852 000' }],
  },
];

function helpBridge() {
  const helpGet = vi.fn((p: unknown) => {
    const language = ((p as { language?: 'fr' | 'en' }).language ?? 'fr') as 'fr' | 'en';
    return { language, topics: topics(language) };
  });
  const bridge = fakeBridge({ helpGet });
  setBridge(bridge);
  return bridge;
}

describe('HelpTopic', () => {
  it('a closed disclosure with the topic title; its steps, phone and safe link inside', async () => {
    helpBridge();
    setActivePinia(createPinia());
    const w = mount(HelpTopic, { props: { topic: 'who-to-call' }, global: { plugins: [i18n()] } });
    await flushPromises();
    const details = w.get('details');
    expect(details.attributes('open')).toBeUndefined();
    expect(w.get('summary').text()).toBe('Qui appeler ?');
    expect(w.text()).toContain('0 825 852 000');
    const link = w.get('a');
    expect(link.attributes('href')).toBe('https://esante.gouv.fr/aide');
    expect(link.attributes('target')).toBe('_blank');
    expect(link.attributes('rel')).toContain('noopener');
    expect(w.text()).toContain('https://esante.gouv.fr/aide');
  });

  it('loads the topics once for several topics, and again only for another language', async () => {
    const bridge = helpBridge();
    setActivePinia(createPinia());
    const lang = i18n();
    mount(HelpTopic, { props: { topic: 'epop' }, global: { plugins: [lang] } });
    const w = mount(HelpTopic, { props: { topic: 'who-to-call' }, global: { plugins: [lang] } });
    await flushPromises();
    expect(bridge.helpGet).toHaveBeenCalledTimes(1);
    lang.global.locale.value = 'en';
    await flushPromises();
    expect(w.get('summary').text()).toBe('Who to call?');
    expect(bridge.helpGet).toHaveBeenCalledTimes(2);
  });
});

describe('HelpView', () => {
  it('lists every topic as a disclosure, with its steps in order', async () => {
    helpBridge();
    setActivePinia(createPinia());
    const w = mount(HelpView, { global: { plugins: [i18n()] } });
    await flushPromises();
    expect(w.get('h1').text()).toBe('Aide');
    expect(w.findAll('details')).toHaveLength(2);
    expect(w.get('[data-testid=help-epop] ol').text()).toMatch(/Un\s*Deux/);
  });
});

describe('SettingsView', () => {
  const saved: Settings = { authority: 'sandbox', language: 'fr', pairingAddress: 'auto', file: '/home/ph/.config/compagnon-ecps/settings.json' };
  function settingsBridge(set: (p: unknown) => unknown) {
    const bridge = fakeBridge({
      settingsGet: () => saved,
      networkInterfaces: () => ({ interfaces: [{ name: 'eth0', address: '10.0.0.5', family: 'IPv4' }], automatic: '10.0.0.5', loopback: '127.0.0.1' }),
      settingsSet: set,
      appInfo: () => ({ name: 'x', version: '1', demo: true, authority: { kind: 'url', label: { fr: 'a', en: 'a' } }, language: 'fr', shell: 'web' }),
    });
    setBridge(bridge);
    setActivePinia(createPinia());
    return bridge;
  }

  it('shows the saved settings and the interfaces; saving sends the form and says so', async () => {
    const bridge = settingsBridge((p) => ({ ...saved, ...(p as object) }));
    const w = mount(SettingsView, { global: { plugins: [i18n()] } });
    await flushPromises();
    expect((w.get('[data-testid=authority-sandbox]').element as HTMLInputElement).checked).toBe(true);
    const options = w.findAll('#pairing-address option').map((o) => o.text());
    expect(options).toEqual(['Automatique (10.0.0.5)', 'eth0 : 10.0.0.5', 'Boucle locale, pour les tests (127.0.0.1)']);
    await w.get('[data-testid=authority-url]').setValue(true);
    await w.get('[data-testid=authority-url-input]').setValue('https://authority.example');
    await w.get('#pairing-address').setValue('10.0.0.5');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(bridge.settingsSet).toHaveBeenCalledWith({ authority: 'https://authority.example', language: 'fr', pairingAddress: '10.0.0.5' });
    expect(w.get('[data-testid=settings-saved]').text()).toBe('Réglages enregistrés.');
    expect(bridge.appInfo).toHaveBeenCalled();
  });

  it('a refused URL shows the companion’s message and remedy', async () => {
    settingsBridge(() => {
      throw { code: 'SettingsAuthorityHttpRefused', message: { fr: 'http refusé', en: 'http refused' }, remedy: { fr: 'utilisez https', en: 'use https' } };
    });
    const w = mount(SettingsView, { global: { plugins: [i18n()] } });
    await flushPromises();
    await w.get('[data-testid=authority-url]').setValue(true);
    await w.get('[data-testid=authority-url-input]').setValue('http://authority.example');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid=settings-error]').text()).toContain('http refusé');
    expect(w.get('[data-testid=settings-error]').text()).toContain('utilisez https');
  });

  it('an empty URL is caught before anything is sent', async () => {
    const bridge = settingsBridge((p) => p);
    const w = mount(SettingsView, { global: { plugins: [i18n()] } });
    await flushPromises();
    await w.get('[data-testid=authority-url]').setValue(true);
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(bridge.settingsSet).not.toHaveBeenCalled();
    expect(w.get('[data-testid=settings-error]').text()).toMatch(/Saisissez l'adresse/);
  });
});
