/**
 * Activation WITHOUT the card (domain.md §1, issue 4 §1): national identifier → the authority
 * looks the professional up → contact details on file? → "Envoyer ma demande d'activation" →
 * the authority e-mails a QR → the phone scans it → the code the phone shows is typed on the
 * computer (the pairing's check that no one is in the middle; 3 wrong codes revoke the e-mailed
 * QR: the user must send a new request) → SMS code typed on the phone → the 4-digit e-CPS
 * password → the phone proves it typed the same → the authority registers the phone.
 *
 * Two guidance ends, both restartable: ADELI professionals can activate only with the card [C],
 * and missing contact details must first be updated on the Ordre des Pharmaciens site (e-POP),
 * which takes 48 h to reach the directory [C].
 */
import type { LocalizedText } from '../../src-shared/errors';
import { stateError, type ActivationErrorCode } from './errors';
import { parseNationalId } from './national-id';
import { defineFlow, enter, initialFlowState, refuse, type FlowStateBase, type Outcome, type StepSpec, type StepTimeouts } from './machine';
import { authoritySteps, passwordTail, type SharedEvent } from './shared-steps';

export const WITHOUT_CARD_PATH = [
  'national-id',
  'looking-up',
  'ready-to-request',
  'requesting',
  'awaiting-phone-scan',
  'code-entry',
  'sms-code',
  'choosing-password',
  'confirming-password',
  'registering-phone',
  'done',
] as const;

export const WITHOUT_CARD_STEPS = [...WITHOUT_CARD_PATH, 'authority-error', 'adeli-needs-card', 'epop-guidance', 'failed', 'cancelled'] as const;
export type WithoutCardStep = (typeof WITHOUT_CARD_STEPS)[number];

export type WithoutCardEvent =
  | SharedEvent
  /** What the user typed; the machine parses it (RPPS with Luhn, ADELI, idNat forms). */
  | { readonly type: 'national-id-entered'; readonly value: string }
  /** The directory's answer: are an e-mail address and a mobile number on file? */
  | { readonly type: 'contact-on-file'; readonly onFile: boolean }
  | { readonly type: 'professional-unknown' }
  /** The user clicked "Envoyer ma demande d'activation". */
  | { readonly type: 'request-sent-confirmed' }
  | { readonly type: 'qr-emailed'; readonly activationId: string }
  | { readonly type: 'phone-connected' }
  /** The code the phone shows, typed on the computer and checked by the pairing session. */
  | { readonly type: 'code-entered'; readonly correct: boolean }
  | { readonly type: 'sms-code-verified' }
  | { readonly type: 'sms-code-wrong' }
  /** « Renvoyer l’e-mail » while the phone has not scanned yet: a new request, a new QR. */
  | { readonly type: 'resend-email' }
  /** « Renvoyer le SMS »: a new code; the authority counts the tries afresh, so do we. */
  | { readonly type: 'resend-sms' };

export interface WithoutCardState extends FlowStateBase<WithoutCardStep> {
  readonly flow: 'without-card';
  readonly rpps: string | null;
  readonly smsAttempts: number;
  /** Wrong phone codes typed on the computer for the current phone link. */
  readonly codeAttempts: number;
  /** Earliest time the directory shows contact details updated on e-POP now (48 h). */
  readonly epopReadyAt: number | null;
}

export interface WithoutCardTimings {
  readonly authorityMs: number;
  /** How long the e-mailed QR stays valid: set by the authority [?]; this bounds our wait. */
  readonly emailedQrMs: number;
  /** Typing the phone's code on the computer once the phone is connected. */
  readonly codeEntryMs: number;
  readonly smsCodeMs: number;
  readonly passwordMs: number;
  readonly phoneConfirmMs: number;
  readonly maxSmsAttempts: number;
  readonly maxCodeAttempts: number;
}

export const WITHOUT_CARD_TIMINGS: WithoutCardTimings = {
  authorityMs: 30_000,
  emailedQrMs: 30 * 60_000,
  codeEntryMs: 5 * 60_000,
  smsCodeMs: 10 * 60_000,
  passwordMs: 10 * 60_000,
  phoneConfirmMs: 5 * 60_000,
  maxSmsAttempts: 3,
  maxCodeAttempts: 3,
};

/** Directory updates made on e-POP reach the ANS directory after 48 h [C, domain.md §1]. */
export const EPOP_DELAY_MS = 48 * 3_600_000;

/** What to do on the Ordre des Pharmaciens site, step by step (shown in `epop-guidance`). */
export const EPOP_GUIDANCE: readonly LocalizedText[] = [
  { fr: 'Connectez-vous au site de l’Ordre national des pharmaciens.', en: 'Sign in to the French Order of Pharmacists’ website (Ordre national des pharmaciens).' },
  { fr: 'Ouvrez votre espace E-POP.', en: 'Open your E-POP area.' },
  { fr: 'Allez dans « Données professionnelles ».', en: 'Go to "Données professionnelles" (professional data).' },
  { fr: 'Cliquez sur la loupe de votre exercice.', en: 'Click the magnifying glass next to your practice.' },
  {
    fr: 'Cliquez sur le crayon sur fond orange, puis renseignez votre adresse e-mail et votre numéro de téléphone portable.',
    en: 'Click the pencil on an orange background, then fill in your e-mail address and mobile phone number.',
  },
  {
    fr: 'Attendez 48 heures que l’annuaire santé soit mis à jour, puis recommencez l’activation.',
    en: 'Wait 48 hours for the health directory to be updated, then start the activation again.',
  },
];

type S = WithoutCardState;
type E = WithoutCardEvent;

export function createWithoutCardFlow(overrides: Partial<WithoutCardTimings> = {}) {
  const t: WithoutCardTimings = { ...WITHOUT_CARD_TIMINGS, ...overrides };
  // The user's own steps (typing the id, deciding to send the request) hold nothing open: no timeout.
  const timeouts: StepTimeouts<WithoutCardStep> = {
    'looking-up': t.authorityMs,
    requesting: t.authorityMs,
    'awaiting-phone-scan': t.emailedQrMs,
    'code-entry': t.codeEntryMs,
    'sms-code': t.smsCodeMs,
    'choosing-password': t.passwordMs,
    'confirming-password': t.phoneConfirmMs,
    'registering-phone': t.authorityMs,
  };
  const go = (state: S, step: WithoutCardStep, now: number, patch: Partial<S> = {}): S => enter(timeouts, state, step, now, patch);
  const authority = authoritySteps<S>(timeouts);

  const initial = (_now: number): S => ({
    flow: 'without-card',
    ...initialFlowState<WithoutCardStep>('national-id'),
    rpps: null,
    smsAttempts: 0,
    codeAttempts: 0,
    epopReadyAt: null,
  });
  const restart = (_s: S, _e: unknown, now: number): Outcome<S> => ({ state: initial(now), effects: [] });

  /** The e-mailed QR and the phone's session are spent: the user sends a new request. */
  const backToRequest = (state: S, now: number, reason: ActivationErrorCode): Outcome<S> => ({
    state: go(state, 'ready-to-request', now, { error: stateError(reason), activationId: null, smsAttempts: 0, codeAttempts: 0, passwordSet: false, passwordMismatches: 0 }),
    effects: [{ type: 'cleanup', reason: 'pairing-lost' }],
  });
  const tail = passwordTail<S>({
    timeouts,
    onPairingLost: (s, now, reason) => backToRequest(s, now, reason === 'PairingTimeout' ? 'RequestExpired' : reason),
  });
  const tailSteps = tail.steps();

  const steps: { [K in WithoutCardStep]: StepSpec<S, E> } = {
    'national-id': {
      on: {
        'national-id-entered': (s, e, now) => {
          const verdict = parseNationalId(e.value);
          if (!verdict.ok) return refuse(s, verdict.error);
          if (verdict.id.kind === 'adeli') return { state: go(s, 'adeli-needs-card', now, { error: stateError('AdeliNeedsCard') }), effects: [] };
          const { rpps } = verdict.id;
          return authority.call(s, 'looking-up', { type: 'lookup-professional', idNat: `8${rpps}` }, now, { rpps });
        },
      },
    },
    'looking-up': {
      on: {
        'contact-on-file': (s, e, now) =>
          e.onFile
            ? { state: go(s, 'ready-to-request', now), effects: [] }
            : { state: go(s, 'epop-guidance', now, { epopReadyAt: now + EPOP_DELAY_MS }), effects: [] },
        'professional-unknown': (s, _e, now) => ({ state: go(s, 'national-id', now, { rpps: null, error: stateError('ProfessionalUnknown') }), effects: [] }),
        'authority-unreachable': authority.unreachable,
        'authority-refused': authority.refused,
      },
      onTimeout: authority.failWith('AuthorityTimeout'),
    },
    'ready-to-request': {
      on: {
        'request-sent-confirmed': (s, _e, now) => authority.call(s, 'requesting', { type: 'request-activation', idNat: `8${s.rpps ?? ''}` }, now),
      },
    },
    requesting: {
      on: {
        'qr-emailed': (s, e, now) => ({ state: go(s, 'awaiting-phone-scan', now, { activationId: e.activationId }), effects: [] }),
        'authority-unreachable': authority.unreachable,
        'authority-refused': authority.refused,
      },
      onTimeout: authority.failWith('AuthorityTimeout'),
    },
    'awaiting-phone-scan': {
      on: {
        'phone-connected': (s, _e, now) => ({ state: go(s, 'code-entry', now, { codeAttempts: 0 }), effects: [] }),
        // The old e-mail's QR stops working (its pairing is dropped first); a new one is mailed.
        'resend-email': (s, _e, now) => {
          const sent = authority.call(s, 'requesting', { type: 'request-activation', idNat: `8${s.rpps ?? ''}` }, now, { activationId: null });
          return { state: sent.state, effects: [{ type: 'cleanup', reason: 'pairing-lost' }, ...sent.effects] };
        },
      },
      onTimeout: (s, now) => backToRequest(s, now, 'EmailedQrExpired'),
    },
    'code-entry': {
      on: {
        'code-entered': (s, e, now) => {
          if (e.correct) {
            return { state: go(s, 'sms-code', now, { smsAttempts: 0 }), effects: [{ type: 'send-sms-code', activationId: s.activationId ?? '' }] };
          }
          const attempts = s.codeAttempts + 1;
          // Three wrong codes may mean someone in the middle: the pairing drops its token, so the
          // QR in the e-mail is dead for good. Only a new request (a new e-mail) can go on.
          if (attempts >= t.maxCodeAttempts) {
            return {
              state: go(s, 'failed', now, { error: stateError('EmailedQrRevoked'), codeAttempts: attempts, passwordSet: false }),
              effects: [{ type: 'cleanup', reason: 'failed' }],
            };
          }
          return refuse(s, stateError('PairingCodeIncorrect', { n: t.maxCodeAttempts - attempts }), { codeAttempts: attempts });
        },
      },
      onTimeout: (s, now) => backToRequest(s, now, 'RequestExpired'),
    },
    'sms-code': {
      on: {
        'sms-code-verified': (s, _e, now) => ({ state: go(s, 'choosing-password', now, { passwordMismatches: 0 }), effects: [] }),
        'resend-sms': (s, _e, now) => ({ state: go(s, 'sms-code', now, { smsAttempts: 0 }), effects: [{ type: 'send-sms-code', activationId: s.activationId ?? '' }] }),
        'sms-code-wrong': (s, _e, now) => {
          const attempts = s.smsAttempts + 1;
          if (attempts >= t.maxSmsAttempts) return backToRequest(s, now, 'SmsCodeAttemptsExhausted');
          return refuse(s, stateError('SmsCodeIncorrect', { n: t.maxSmsAttempts - attempts }), { smsAttempts: attempts });
        },
      },
      onTimeout: (s, now) => backToRequest(s, now, 'SmsCodeTimeout'),
    },
    'choosing-password': tailSteps['choosing-password'],
    'confirming-password': tailSteps['confirming-password'],
    'registering-phone': tailSteps['registering-phone'],
    'authority-error': tailSteps['authority-error'],
    done: tailSteps.done,
    'adeli-needs-card': { on: { restart }, terminal: true },
    'epop-guidance': { on: { restart }, terminal: true },
    failed: { on: { restart }, terminal: true },
    cancelled: { on: { restart }, terminal: true },
  };

  return defineFlow<WithoutCardStep, S, E>({
    flow: 'without-card',
    initial,
    steps,
    cancel: (s, now) => ({ state: go(s, 'cancelled', now, { passwordSet: false }), effects: [{ type: 'cleanup', reason: 'cancel' }] }),
  });
}

export type WithoutCardFlow = ReturnType<typeof createWithoutCardFlow>;
export const withoutCardFlow: WithoutCardFlow = createWithoutCardFlow();
