/**
 * Where the user is in each activation, for the step indicator (issue 12 item 3): the steps of
 * each flow as the pharmacist meets them, and which screen belongs to which step. Pure data and
 * one function, so any screen — the real-activation guide too — can show its own list with
 * <StepIndicator>. Screens off the path (E-POP guidance, ADELI, failure, help) show no indicator.
 */
import type { Step } from './wizard';

export type ProgressFlow = 'with-card' | 'without-card';

/** Step ids; their labels are `activation.progress.<flow>.<id>` in the locale files. */
export const WITH_CARD_PROGRESS = ['preparation', 'pin', 'cgu', 'start', 'qr', 'code', 'password', 'done'] as const;
export const WITHOUT_CARD_PROGRESS = ['nationalId', 'contact', 'email', 'code', 'sms', 'password', 'done'] as const;

const WITH_CARD_SCREENS: Partial<Record<Step, (typeof WITH_CARD_PROGRESS)[number]>> = {
  preparation: 'preparation',
  pin: 'pin',
  cgu: 'cgu',
  start: 'start',
  qr: 'qr',
  code: 'code',
  password: 'password',
  'phone-password': 'password',
  'activation-done': 'done',
};

const WITHOUT_CARD_SCREENS: Partial<Record<Step, (typeof WITHOUT_CARD_PROGRESS)[number]>> = {
  'without-card': 'nationalId',
  'without-card-request': 'contact',
  'without-card-sent': 'email',
  code: 'code',
  'without-card-sms': 'sms',
  password: 'password',
  'phone-password': 'password',
  'activation-done': 'done',
};

export interface Progress {
  flow: ProgressFlow;
  steps: readonly string[];
  current: string;
}

/**
 * The indicator for a screen: `flow` is the running activation's (null before one starts: the
 * first screen of each flow says which one it is).
 */
export function progressOf(screen: Step, flow: ProgressFlow | null): Progress | null {
  const which: ProgressFlow | null = flow ?? (screen === 'preparation' ? 'with-card' : screen === 'without-card' ? 'without-card' : null);
  if (which === 'with-card') {
    const current = WITH_CARD_SCREENS[screen];
    return current ? { flow: which, steps: WITH_CARD_PROGRESS, current } : null;
  }
  if (which === 'without-card') {
    const current = WITHOUT_CARD_SCREENS[screen];
    return current ? { flow: which, steps: WITHOUT_CARD_PROGRESS, current } : null;
  }
  return null;
}

/**
 * Screens where the one-line reader status shows (issue 12 item 8): home, and every screen of the
 * activation WITH the card until it is done — a pulled card matters there. Préparation and
 * Diagnostic show the full panel instead; the card plays no part without it.
 */
export function showsReaderStrip(screen: Step, flow: ProgressFlow | null): boolean {
  if (screen === 'home' || screen === 'pin' || screen === 'done-pin' || screen === 'cgu' || screen === 'start' || screen === 'qr') return true;
  return flow === 'with-card' && (screen === 'code' || screen === 'password' || screen === 'phone-password');
}
