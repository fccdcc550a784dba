/**
 * Activation WITH the card (domain.md §1, issue 4 §1): PIN → CGU → the authority's challenge,
 * signed by the card → QR (90 s, renewed with a fresh token) → the phone's code typed here →
 * the 4-digit e-CPS password → the phone proves it typed the same → the authority registers
 * the phone.
 *
 * The PIN never enters this machine: the card layer verifies it (with its own safety rules:
 * tries read first, explicit confirmation of the last try) and reports the outcome as an event.
 * Pulling the card out anywhere before `done` starts over at the PIN: the activation is bound
 * to the cardholder being there, and a new card could be someone else's.
 */
import { stateError, type ActivationErrorCode } from './errors';
import { defineFlow, enter, initialFlowState, refuse, type FlowStateBase, type Outcome, type StepSpec, type StepTimeouts } from './machine';
import { authoritySteps, passwordTail, type SharedEvent } from './shared-steps';

/** The steps in the order the wizard shows them on the happy path. */
export const WITH_CARD_PATH = [
  'card-ready',
  'cgu',
  'starting-activation',
  'signing-challenge',
  'proving-card',
  'showing-qr',
  'code-entry',
  'choosing-password',
  'confirming-password',
  'registering-phone',
  'done',
] as const;

export const WITH_CARD_STEPS = [...WITH_CARD_PATH, 'authority-error', 'failed', 'cancelled'] as const;
export type WithCardStep = (typeof WITH_CARD_STEPS)[number];

export type WithCardEvent =
  | SharedEvent
  /** The card accepted the PIN; `triesLeft` is the counter after it (back to the maximum). */
  | { readonly type: 'pin-verified'; readonly triesLeft: number }
  /** The card refused the PIN; 0 left means it is now blocked. */
  | { readonly type: 'pin-failed'; readonly triesLeft: number }
  /** The card left the reader; `service-down`: the PC/SC service itself stopped (card unreachable). */
  | { readonly type: 'card-removed'; readonly reason?: 'service-down' }
  | { readonly type: 'cgu-accepted'; readonly version: string }
  | { readonly type: 'challenge-received'; readonly activationId: string; readonly challenge: string }
  | { readonly type: 'challenge-signed'; readonly signature: string }
  | { readonly type: 'card-proof-accepted' }
  | { readonly type: 'qr-expired' }
  | { readonly type: 'phone-connected' }
  | { readonly type: 'phone-disconnected' }
  /**
   * The user typed the phone's code. The pairing layer compares it (it derives the expected
   * code from the key-exchange transcript, in constant time); the machine only counts.
   */
  | { readonly type: 'code-entered'; readonly correct: boolean };

export interface WithCardState extends FlowStateBase<WithCardStep> {
  readonly flow: 'with-card';
  readonly pinTriesLeft: number | null;
  readonly cguVersion: string | null;
  readonly challenge: string | null;
  /** Increases with every QR (renewal or new pairing session): each one carries a new token. */
  readonly qrGeneration: number;
  /** Renewals of the current pairing session's QR since it was first shown. */
  readonly qrRenewals: number;
  readonly pairingResets: number;
  readonly codeAttempts: number;
}

export interface WithCardTimings {
  readonly cguMs: number;
  readonly authorityMs: number;
  readonly cardSignMs: number;
  /** 90 s in the official portal [C, domain.md §1]. */
  readonly qrLifetimeMs: number;
  readonly codeEntryMs: number;
  readonly passwordMs: number;
  readonly phoneConfirmMs: number;
  /** After this many renewals with no phone, stop showing QR codes until the user asks. */
  readonly maxQrRenewals: number;
  readonly maxCodeAttempts: number;
}

export const WITH_CARD_TIMINGS: WithCardTimings = {
  // A verified PIN should not stay usable forever on an unattended workstation [I].
  cguMs: 10 * 60_000,
  authorityMs: 30_000,
  cardSignMs: 30_000,
  qrLifetimeMs: 90_000,
  codeEntryMs: 5 * 60_000,
  passwordMs: 10 * 60_000,
  phoneConfirmMs: 5 * 60_000,
  maxQrRenewals: 20,
  maxCodeAttempts: 3,
};

type S = WithCardState;
type E = WithCardEvent;

const cardGoneError = (e: Extract<E, { type: 'card-removed' }>): ActivationErrorCode =>
  e.reason === 'service-down' ? 'ReaderServiceStopped' : 'CardRemoved';

export function createWithCardFlow(overrides: Partial<WithCardTimings> = {}) {
  const t: WithCardTimings = { ...WITH_CARD_TIMINGS, ...overrides };
  // No timeout on the PIN step: the card keeps its own counter, nothing is held open yet.
  const timeouts: StepTimeouts<WithCardStep> = {
    cgu: t.cguMs,
    'starting-activation': t.authorityMs,
    'signing-challenge': t.cardSignMs,
    'proving-card': t.authorityMs,
    'showing-qr': t.qrLifetimeMs,
    'code-entry': t.codeEntryMs,
    'choosing-password': t.passwordMs,
    'confirming-password': t.phoneConfirmMs,
    'registering-phone': t.authorityMs,
  };
  const go = (state: S, step: WithCardStep, now: number, patch: Partial<S> = {}): S => enter(timeouts, state, step, now, patch);
  const authority = authoritySteps<S>(timeouts);

  const initial = (_now: number): S => ({
    flow: 'with-card',
    ...initialFlowState<WithCardStep>('card-ready'),
    pinTriesLeft: null,
    cguVersion: null,
    challenge: null,
    qrGeneration: 0,
    qrRenewals: 0,
    pairingResets: 0,
    codeAttempts: 0,
  });

  /** A new pairing session: new token, keys and code, shown as a fresh QR. */
  const showQr = (state: S, now: number, patch: Partial<S> = {}): Outcome<S> => {
    const generation = state.qrGeneration + 1;
    const next = go(state, 'showing-qr', now, { qrGeneration: generation, qrRenewals: 0, codeAttempts: 0, passwordSet: false, ...patch });
    return { state: next, effects: [{ type: 'show-qr', generation, lifetimeMs: t.qrLifetimeMs }] };
  };

  const resetPairing = (state: S, now: number, reason: ActivationErrorCode): Outcome<S> => {
    const shown = showQr(state, now, { pairingResets: state.pairingResets + 1, passwordMismatches: 0, error: stateError(reason) });
    return { state: shown.state, effects: [{ type: 'reset-pairing', reason }, ...shown.effects] };
  };

  const renewQr = (state: S, now: number): Outcome<S> => {
    if (state.qrRenewals >= t.maxQrRenewals) {
      // Nobody is scanning: stop listening (architecture.md §4: the server runs only while a
      // QR is shown) and wait for "retry" instead of renewing forever.
      const paused = { ...state, deadline: null, error: stateError('QrRenewalLimit', { n: state.qrRenewals + 1 }) };
      return { state: paused, effects: [{ type: 'reset-pairing', reason: 'QrRenewalLimit' }] };
    }
    const generation = state.qrGeneration + 1;
    const next = go(state, 'showing-qr', now, { qrGeneration: generation, qrRenewals: state.qrRenewals + 1 });
    return { state: next, effects: [{ type: 'renew-qr', generation, lifetimeMs: t.qrLifetimeMs }] };
  };

  const tail = passwordTail<S>({ timeouts, onPairingLost: resetPairing });
  const tailSteps = tail.steps();
  const phoneLost = (state: S, _e: unknown, now: number) => resetPairing(state, now, 'PhoneDisconnected');

  const steps: { [K in WithCardStep]: StepSpec<S, E> } = {
    'card-ready': {
      on: {
        'pin-verified': (s, e, now) => ({ state: go(s, 'cgu', now, { pinTriesLeft: e.triesLeft }), effects: [] }),
        'pin-failed': (s, e, now) =>
          e.triesLeft <= 0
            ? { state: go(s, 'failed', now, { pinTriesLeft: 0, error: stateError('PinBlocked') }), effects: [] }
            : refuse(s, stateError('PinIncorrect', { n: e.triesLeft }), { pinTriesLeft: e.triesLeft }),
        'card-removed': (s, e) => refuse(s, stateError(cardGoneError(e))),
      },
    },
    cgu: {
      on: {
        'cgu-accepted': (s, e, now) =>
          authority.call(s, 'starting-activation', { type: 'start-activation', cguVersion: e.version }, now, { cguVersion: e.version }),
      },
      onTimeout: (_s, now) => ({ state: { ...initial(now), error: stateError('SessionExpired') }, effects: [] }),
    },
    'starting-activation': {
      on: {
        'challenge-received': (s, e, now) => ({
          state: go(s, 'signing-challenge', now, { activationId: e.activationId, challenge: e.challenge }),
          effects: [{ type: 'sign-challenge', activationId: e.activationId, challenge: e.challenge }],
        }),
        'authority-unreachable': authority.unreachable,
        'authority-refused': authority.refused,
      },
      onTimeout: authority.failWith('AuthorityTimeout'),
    },
    'signing-challenge': {
      on: {
        'challenge-signed': (s, e, now) =>
          authority.call(s, 'proving-card', { type: 'send-card-proof', activationId: s.activationId ?? '', signature: e.signature }, now),
      },
      onTimeout: (_s, now) => ({
        state: { ...initial(now), error: stateError('CardNotResponding') },
        effects: [{ type: 'cleanup', reason: 'failed' }],
      }),
    },
    'proving-card': {
      on: {
        'card-proof-accepted': (s, _e, now) => showQr(s, now),
        'authority-unreachable': authority.unreachable,
        'authority-refused': authority.refused,
      },
      onTimeout: authority.failWith('AuthorityTimeout'),
    },
    'showing-qr': {
      on: {
        'qr-expired': (s, _e, now) => renewQr(s, now),
        'phone-connected': (s, _e, now) => ({ state: go(s, 'code-entry', now, { codeAttempts: 0 }), effects: [] }),
        // "Afficher un nouveau QR code": also how the user resumes after the renewal limit.
        retry: (s, _e, now) => showQr(s, now),
      },
      onTimeout: renewQr,
    },
    'code-entry': {
      on: {
        'code-entered': (s, e, now) => {
          if (e.correct) return { state: go(s, 'choosing-password', now, { passwordMismatches: 0 }), effects: [] };
          const attempts = s.codeAttempts + 1;
          // Three wrong codes may mean someone in the middle (architecture.md §4): new keys, new code.
          if (attempts >= t.maxCodeAttempts) return resetPairing(s, now, 'PairingCodeAttemptsExhausted');
          return refuse(s, stateError('PairingCodeIncorrect', { n: t.maxCodeAttempts - attempts }), { codeAttempts: attempts });
        },
        'phone-disconnected': phoneLost,
      },
      onTimeout: (s, now) => resetPairing(s, now, 'PairingTimeout'),
    },
    'choosing-password': { ...tailSteps['choosing-password'], on: { ...tailSteps['choosing-password'].on, 'phone-disconnected': phoneLost } },
    'confirming-password': { ...tailSteps['confirming-password'], on: { ...tailSteps['confirming-password'].on, 'phone-disconnected': phoneLost } },
    'registering-phone': tailSteps['registering-phone'],
    'authority-error': tailSteps['authority-error'],
    done: tailSteps.done,
    failed: { on: { restart: (_s, _e, now) => ({ state: initial(now), effects: [] }) }, terminal: true },
    cancelled: { on: { restart: (_s, _e, now) => ({ state: initial(now), effects: [] }) }, terminal: true },
  };

  // Card pulled out (or PC/SC gone): accepted in every step after the PIN and before the end.
  const cardRemoved = (_s: S, e: Extract<E, { type: 'card-removed' }>, now: number): Outcome<S> => ({
    state: { ...initial(now), error: stateError(cardGoneError(e)) },
    effects: [{ type: 'cleanup', reason: 'card-removed' }],
  });
  for (const step of WITH_CARD_STEPS) {
    const spec = steps[step];
    if (spec.terminal === true || step === 'card-ready') continue;
    steps[step] = { ...spec, on: { ...spec.on, 'card-removed': cardRemoved } };
  }

  return defineFlow<WithCardStep, S, E>({
    flow: 'with-card',
    initial,
    steps,
    cancel: (s, now) => ({ state: go(s, 'cancelled', now, { passwordSet: false }), effects: [{ type: 'cleanup', reason: 'cancel' }] }),
  });
}

export type WithCardFlow = ReturnType<typeof createWithCardFlow>;
export const withCardFlow: WithCardFlow = createWithCardFlow();
