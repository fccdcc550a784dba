import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { h } from 'vue';
import { setBridge } from '../../../src-renderer/composables/useBridge';
import { useActivationStore } from '../../../src-renderer/stores/activation';
import { useWizardStore } from '../../../src-renderer/stores/wizard';
import QrView from '../../../src-renderer/views/QrView.vue';
import CguView from '../../../src-renderer/views/CguView.vue';
import StartView from '../../../src-renderer/views/StartView.vue';
import PasswordView from '../../../src-renderer/views/PasswordView.vue';
import CodeView from '../../../src-renderer/views/CodeView.vue';
import ActivationFailedView from '../../../src-renderer/views/ActivationFailedView.vue';
import WithoutCardView from '../../../src-renderer/views/WithoutCardView.vue';
import WithoutCardSentView from '../../../src-renderer/views/WithoutCardSentView.vue';
import SafeMarkdown from '../../../src-renderer/components/SafeMarkdown';
import type { ActivationUiEvent, BridgeApi } from '../../../src-shared/ipc-contract';
import { fakeBridge, i18n } from './helpers';

type Emitting = BridgeApi & { emit(event: string, payload: unknown): void };
const sandbox = { kind: 'sandbox' as const, label: { fr: 'Bac à sable', en: 'Sandbox' } };

let pinia: Pinia;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});
afterEach(() => {
  setBridge(undefined);
  vi.useRealTimers();
});

/** A running activation (session s1) on a fake bridge; `extra` adds or overrides channels. */
async function running(flow: 'with-card' | 'without-card', extra: Parameters<typeof fakeBridge>[0] = {}) {
  const bridge: Emitting = fakeBridge({
    activationStart: () => ({ sessionId: 's1', flow, authority: sandbox }),
    activationCancel: () => ({ cancelled: true }),
    activationRetry: () => ({ accepted: true }),
    ...extra,
  }) as Emitting;
  setBridge(bridge);
  const store = useActivationStore();
  await store.start(flow);
  const send = (event: ActivationUiEvent) => bridge.emit('activation.event', { sessionId: 's1', event });
  return { bridge, store, send };
}

const mountView = (view: Parameters<typeof mount>[0]) => mount(view, { global: { plugins: [pinia, i18n()] } });

describe('QrView', () => {
  it('counts down, announces only at 30 s and 10 s, and announces the automatic renewal', async () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const { send } = await running('with-card');
    send({ type: 'state', step: 'showing-qr', text: '' });
    send({ type: 'qr', payload: 'ecps1:first', expiresAt: Date.now() + 90_000, generation: 1 });
    const w = mountView(QrView);
    await flushPromises();
    expect(w.get('[data-testid=qr-countdown]').text()).toBe('Valable encore 90 secondes');
    expect(w.get('[data-testid=qr-payload]').text()).toBe('ecps1:first');
    expect(w.get('[data-testid=qr-connection]').text()).toContain('En attente du téléphone');

    const heard: string[] = [];
    const listen = async (ms: number) => {
      for (let i = 0; i < ms / 1000; i++) {
        vi.advanceTimersByTime(1000);
        await flushPromises();
        const text = w.get('[data-testid=qr-announce]').text();
        if (text && text !== heard[heard.length - 1]) heard.push(text);
      }
    };
    await listen(59_000);
    expect(w.get('[data-testid=qr-countdown]').text()).toBe('Valable encore 31 secondes');
    expect(heard).toEqual([]);
    await listen(21_000);
    expect(heard).toEqual(["Le QR code expire dans 30 secondes, un nouveau s'affichera.", "Le QR code expire dans 10 secondes, un nouveau s'affichera."]);
    await listen(10_000);
    expect(w.get('[data-testid=qr-countdown]').text()).toBe('Renouvellement du QR code…');

    send({ type: 'qr', payload: 'ecps1:second', expiresAt: Date.now() + 90_000, generation: 2 });
    await flushPromises();
    expect(w.get('[data-testid=qr-announce]').text()).toBe("Nouveau QR code affiché : l'ancien ne fonctionne plus.");
    expect(w.get('[data-testid=qr-countdown]').text()).toBe('Valable encore 90 secondes');
    expect(w.get('[data-testid=qr-payload]').text()).toBe('ecps1:second');
    expect(w.get('[data-testid=qr-renewals]').text()).toContain('1');
  });

  it('three wrong codes: the new QR comes with the reason, and the paused QR offers "Réessayer"', async () => {
    const { bridge, send } = await running('with-card');
    send({ type: 'error', code: 'PairingCodeAttemptsExhausted', message: 'Trois codes faux : la liaison avec le téléphone a été annulée par sécurité.', remedy: 'Un nouveau QR code s’affiche', step: 'code-entry', resumable: false });
    send({ type: 'state', step: 'showing-qr', text: '' });
    send({ type: 'qr', payload: 'ecps1:new', expiresAt: Date.now() + 90_000, generation: 3 });
    const w = mountView(QrView);
    await flushPromises();
    expect(w.get('[data-testid=activation-error]').text()).toContain('Trois codes faux');
    expect(w.find('[data-testid=activation-retry]').exists()).toBe(false);
    expect(w.find('[data-testid=qr-canvas]').exists()).toBe(true);

    send({ type: 'error', code: 'QrRenewalLimit', message: 'Aucun téléphone ne s’est connecté après 21 QR codes.', step: 'showing-qr', resumable: false });
    send({ type: 'state', step: 'showing-qr', text: '' });
    await flushPromises();
    expect(w.find('[data-testid=qr-canvas]').exists()).toBe(false);
    await w.get('[data-testid=activation-retry]').trigger('click');
    expect(bridge.activationRetry).toHaveBeenCalledTimes(1);
  });
});

describe('CguView', () => {
  it('"J\'accepte" works only once the text was scrolled to its end, then « Commencer l’activation » sends the acceptance', async () => {
    const { bridge } = await running('with-card', {
      cguGet: () => ({ language: 'fr', version: 'sandbox-2025-01', text: '# CGU\n\n1. Un\n2. Deux', sandbox: true }),
      cguAccept: (p) => ({ accepted: true, version: (p as { version: string }).version, acceptedAt: 'now' }),
    });
    // happy-dom has no layout: give the text box a scrollable size.
    const size = vi.spyOn(HTMLElement.prototype, 'scrollHeight', 'get').mockReturnValue(1000);
    const box = vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(200);
    try {
      const w = mountView(CguView);
      await flushPromises();
      const accept = w.get('[data-testid=cgu-accept]');
      expect(accept.attributes('aria-disabled')).toBe('true');
      await accept.trigger('click');
      expect(bridge.cguAccept).not.toHaveBeenCalled();
      expect(w.get('[data-testid=cgu-hint]').text()).toContain("Lisez d'abord le texte jusqu'à la fin");

      const region = w.get('[data-testid=cgu-text]');
      expect(region.attributes('tabindex')).toBe('0');
      (region.element as HTMLElement).scrollTop = 400;
      await region.trigger('scroll');
      expect(accept.attributes('aria-disabled')).toBe('true');
      (region.element as HTMLElement).scrollTop = 800;
      await region.trigger('scroll');
      expect(accept.attributes('aria-disabled')).toBe('false');
      await accept.trigger('click');
      await flushPromises();
      // Issue 12 item 4: accepting leads to « Commencer l'activation »; nothing starts before that click.
      expect(bridge.cguAccept).not.toHaveBeenCalled();
      expect(useWizardStore().step).toBe('start');
      const start = mountView(StartView);
      await start.get('[data-testid=start-activation]').trigger('click');
      await flushPromises();
      expect(bridge.cguAccept).toHaveBeenCalledWith({ version: 'sandbox-2025-01' });
    } finally {
      size.mockRestore();
      box.mockRestore();
    }
  });
});

describe('SafeMarkdown', () => {
  it('renders headings, lists and bold, and shows HTML in the text as text', () => {
    const w = mount({ render: () => h(SafeMarkdown, { source: '# Titre\n\n**Gras** et <img src=x onerror=alert(1)>\n\n1. Un\n2. <script>x</script>' }) });
    expect(w.get('h2').text()).toBe('Titre');
    expect(w.get('strong').text()).toBe('Gras');
    expect(w.findAll('ol li')).toHaveLength(2);
    expect(w.find('img').exists()).toBe(false);
    expect(w.find('script').exists()).toBe(false);
    expect(w.text()).toContain('<img src=x onerror=alert(1)>');
  });
});

describe('PasswordView', () => {
  it('sends both entries once, empties the fields, and shows the companion’s reason for a refusal', async () => {
    const holder: { bridge?: Emitting } = {};
    const ctx = await running('with-card', {
      activationChoosePassword: () => {
        const bridge = holder.bridge!;
        bridge.emit('activation.event', {
          sessionId: 's1',
          event: { type: 'error', code: 'PasswordRepeatedDigit', message: 'Mot de passe trop simple : le même chiffre répété.', remedy: 'Choisissez 4 chiffres différents.', step: 'choosing-password', resumable: false },
        });
        bridge.emit('activation.event', { sessionId: 's1', event: { type: 'state', step: 'choosing-password', text: '' } });
        return { accepted: true, step: 'choosing-password' };
      },
    });
    holder.bridge = ctx.bridge;
    const { bridge } = ctx;
    ctx.send({ type: 'state', step: 'choosing-password', text: '' });
    const w = mountView(PasswordView);
    const first = w.get('[data-testid=password-first]');
    const second = w.get('[data-testid=password-second]');
    expect(first.attributes('type')).toBe('password');
    expect(second.attributes('type')).toBe('password');

    // Fewer than 4 digits: told here, nothing sent.
    await first.setValue('11');
    await w.get('form').trigger('submit');
    expect(bridge.activationChoosePassword).not.toHaveBeenCalled();
    expect(w.text()).toContain('4 chiffres dans chacun des deux champs');

    await first.setValue('1111');
    await second.setValue('1111');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(bridge.activationChoosePassword).toHaveBeenCalledWith({ first: '1111', second: '1111' });
    expect(w.get('[data-testid=activation-error]').text()).toContain('le même chiffre répété');
    expect(w.get('[data-testid=activation-error]').text()).toContain('Que faire : Choisissez 4 chiffres différents.');
    expect((first.element as HTMLInputElement).value).toBe('');
    expect((second.element as HTMLInputElement).value).toBe('');
  });
});

describe('CodeView', () => {
  it('shows the attempts left and the wrong-code reason; explains what 3 wrong codes do', async () => {
    const { bridge, send } = await running('with-card', { activationSubmitCode: () => ({ accepted: true, step: 'code-entry' }) });
    send({ type: 'phone-connected', via: 'relay' });
    send({ type: 'state', step: 'code-entry', text: '' });
    send({ type: 'code-required', attemptsLeft: 3 });
    const w = mountView(CodeView);
    expect(w.get('[data-testid=phone-connection]').text()).toContain('par Internet');
    expect(w.get('[data-testid=code-attempts]').text()).toBe('Il reste 3 essais.');
    expect(w.text()).toContain('un nouveau QR code');
    await w.get('[data-testid=code-input]').setValue(' 123 456 ');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(bridge.activationSubmitCode).toHaveBeenCalledWith({ code: '123456' });
    send({ type: 'error', code: 'PairingCodeIncorrect', message: 'Code incorrect : il reste 2 essais.', step: 'code-entry', resumable: false });
    send({ type: 'state', step: 'code-entry', text: '' });
    send({ type: 'code-required', attemptsLeft: 2 });
    await flushPromises();
    expect(w.get('[data-testid=code-attempts]').text()).toBe('Il reste 2 essais.');
    expect(w.get('[data-testid=activation-error]').text()).toContain('il reste 2 essais');
  });
});

describe('never a dead end', () => {
  it('a fatal error offers "Recommencer" (back to the flow’s first screen) and home, no "Réessayer"', async () => {
    const { bridge, send } = await running('with-card');
    const wizard = useWizardStore();
    send({ type: 'error', code: 'AuthorityRefused', message: 'Le service d’activation a refusé la demande (CardRevoked).', step: 'proving-card', resumable: false });
    send({ type: 'state', step: 'failed', text: 'L’activation n’a pas abouti.' });
    send({ type: 'end', step: 'failed' });
    expect(wizard.step).toBe('activation-failed');
    const w = mountView(ActivationFailedView);
    expect(w.get('[data-testid=activation-error]').text()).toContain('refusé');
    expect(w.find('[data-testid=activation-retry]').exists()).toBe(false);
    await w.get('[data-testid=activation-restart]').trigger('click');
    await flushPromises();
    expect(wizard.step).toBe('preparation');
    expect(wizard.history).toEqual(['home']);
    // The activation had ended by itself: nothing to cancel in the companion.
    expect(bridge.activationCancel).not.toHaveBeenCalled();
  });

  it('ADELI: told the physical card is needed, with "Activer avec ma carte"', async () => {
    const { bridge, send } = await running('without-card');
    const wizard = useWizardStore();
    send({ type: 'error', code: 'AdeliNeedsCard', message: 'L’activation d’un professionnel ADELI nécessite la carte physique.', step: 'national-id', resumable: false });
    send({ type: 'state', step: 'adeli-needs-card', text: '' });
    expect(wizard.step).toBe('activation-failed');
    const w = mountView(ActivationFailedView);
    expect(w.get('h1').text()).toBe('Activation avec la carte nécessaire');
    await w.get('[data-testid=activation-with-card]').trigger('click');
    await flushPromises();
    expect(wizard.step).toBe('preparation');
    expect(bridge.activationCancel).toHaveBeenCalledTimes(1);
  });

  it('"Annuler l\'activation" stops it in the companion and goes home', async () => {
    const { bridge, send } = await running('with-card');
    const wizard = useWizardStore();
    send({ type: 'state', step: 'showing-qr', text: '' });
    const w = mountView(QrView);
    await w.get('[data-testid=activation-cancel]').trigger('click');
    await flushPromises();
    expect(bridge.activationCancel).toHaveBeenCalledTimes(1);
    expect(wizard.step).toBe('home');
  });
});

describe('WithoutCardView', () => {
  it('starts the without-card activation when the number is sent, then hands it over', async () => {
    const bridge = fakeBridge({
      activationStart: () => ({ sessionId: 's9', flow: 'without-card', authority: sandbox }),
      activationEnterNationalId: () => ({ accepted: true, step: 'looking-up' }),
    });
    setBridge(bridge);
    const w = mountView(WithoutCardView);
    expect(w.text()).toContain('48 heures');
    await w.get('[data-testid=national-id]').setValue('12');
    await w.get('form').trigger('submit');
    expect(bridge.activationStart).not.toHaveBeenCalled();
    await w.get('[data-testid=national-id]').setValue('997 0000 0054');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(bridge.activationStart).toHaveBeenCalledWith({ flow: 'without-card' });
    expect(bridge.activationEnterNationalId).toHaveBeenCalledWith({ value: '997 0000 0054' });
  });
});

describe('WithoutCardSentView', () => {
  /** The validity clause, from « valable » to the hour: the sandbox e-mail says the same (test/unit/authority). */
  const clause = (text: string) => /valable \d+ minutes?, jusqu’(?:à|au [^:]+ à) \d\d:\d\d/.exec(text)?.[0];

  for (const [label, sentAt, expected] of [
    ['the same day', new Date(2026, 11, 4, 15, 12), 'valable 30 minutes, jusqu’à 15:42'],
    ['past midnight', new Date(2026, 11, 4, 23, 31), 'valable 30 minutes, jusqu’au 5 décembre à 00:01'],
    ['on the first of the month', new Date(2026, 11, 31, 23, 40), 'valable 30 minutes, jusqu’au 1er janvier à 00:10'],
  ] as const) {
    it(`says the e-mailed QR's validity once, as the e-mail says it — ${label}`, async () => {
      vi.useFakeTimers({ now: sentAt });
      const { send } = await running('without-card');
      const until = sentAt.getTime() + 30 * 60_000;
      send({ type: 'request-sent', activationId: 'a1', sentTo: 'yv•••@exemple.test', payload: 'ecps1:x', expiresAt: until });
      const w = mountView(WithoutCardSentView);
      await flushPromises();
      const shown = w.get('[data-testid=email-validity]').text();
      expect(clause(shown)).toBe(expected);
    });
  }
});
