import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

export type Step = 'home' | 'preparation' | 'pin' | 'done-pin' | 'without-card' | 'diagnose';

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

  return { step, history, phoneReady, moves, canGoBack, go, back, home };
});
