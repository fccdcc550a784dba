import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/** The screens of the wizard. The activation ones are moved to by the activation store. */
export type Step =
  | 'home'
  | 'preparation'
  | 'pin'
  | 'done-pin'
  | 'cgu'
  /** CGU accepted: « Commencer l’activation » starts it (the official order, issue 12 item 4). */
  | 'start'
  | 'qr'
  | 'code'
  | 'password'
  | 'phone-password'
  | 'activation-done'
  | 'activation-failed'
  | 'without-card'
  | 'without-card-request'
  | 'without-card-epop'
  | 'without-card-sent'
  | 'without-card-sms'
  | 'diagnose'
  | 'help'
  | 'settings'
  /** The real activation beside the official portal (its own stages: stores/real.ts). */
  | 'real';

/** Screens that belong to a running activation: leaving them for any other cancels it. */
export const ACTIVATION_STEPS: readonly Step[] = [
  'pin',
  'cgu',
  'start',
  'qr',
  'code',
  'password',
  'phone-password',
  'activation-done',
  'activation-failed',
  'without-card',
  'without-card-request',
  'without-card-epop',
  'without-card-sent',
  'without-card-sms',
];

/** The wizard's step machine: where the user is and how they got there (for "Retour"). */
export const useWizardStore = defineStore('wizard', () => {
  const step = ref<Step>('home');
  const history = ref<Step[]>([]);
  /** The user ticked "the e-CPS app is on my phone" (the companion cannot see the phone). */
  const phoneReady = ref(false);
  /** Bumped on every move, so the shell moves the focus to the new heading. */
  const moves = ref(0);

  const canGoBack = computed(() => history.value.length > 0);

  function go(next: Step) {
    if (next === step.value) return;
    history.value.push(step.value);
    step.value = next;
    moves.value++;
  }

  /**
   * A move the activation makes by itself (the next step of the flow): "Retour" must not lead
   * back into a step the flow has left, so the history is not extended within the activation.
   */
  function advance(next: Step) {
    if (next === step.value) return;
    if (!ACTIVATION_STEPS.includes(step.value)) history.value.push(step.value);
    step.value = next;
    moves.value++;
  }

  function back() {
    const previous = history.value.pop();
    if (previous) {
      step.value = previous;
      moves.value++;
    }
  }

  function home() {
    history.value = [];
    step.value = 'home';
    moves.value++;
  }

  return { step, history, phoneReady, moves, canGoBack, go, advance, back, home };
});
