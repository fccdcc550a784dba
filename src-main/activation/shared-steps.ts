/**
 * The parts both flows share: talking to the authority (with its resumable error and `retry`),
 * and the tail of the activation — choose the e-CPS password, the phone proves it typed the
 * same one, the authority registers the phone, done.
 */
import { checkEcpsPassword } from './password';
import { stateError, type ActivationErrorCode } from './errors';
import { enter, refuse, type AuthorityRequest, type FlowStateBase, type Outcome, type StepTimeouts } from './machine';

export type TickEvent = { readonly type: 'tick' };
export type CancelEvent = { readonly type: 'cancel' };
/** From a terminal step that allows it (cancelled, failed, guidance): start over. */
export type RestartEvent = { readonly type: 'restart' };
export type RetryEvent = { readonly type: 'retry' };
export type AuthorityUnreachableEvent = { readonly type: 'authority-unreachable' };
/** The authority answered "no" (revoked card, activation already used…): not resumable. */
export type AuthorityRefusedEvent = { readonly type: 'authority-refused'; readonly reason: string };
/** The two entries as typed; the machine checks them and keeps neither. */
export type PasswordChosenEvent = { readonly type: 'password-chosen'; readonly first: string; readonly second: string };
export type PhonePasswordConfirmedEvent = { readonly type: 'phone-password-confirmed' };
export type PhonePasswordMismatchEvent = { readonly type: 'phone-password-mismatch' };
export type PhoneRegisteredEvent = { readonly type: 'phone-registered' };

export type SharedEvent =
  | TickEvent
  | CancelEvent
  | RestartEvent
  | RetryEvent
  | AuthorityUnreachableEvent
  | AuthorityRefusedEvent
  | PasswordChosenEvent
  | PhonePasswordConfirmedEvent
  | PhonePasswordMismatchEvent
  | PhoneRegisteredEvent;

export type SharedStep = 'choosing-password' | 'confirming-password' | 'registering-phone' | 'authority-error' | 'done' | 'failed' | 'cancelled';

/** After this many "the phone typed another password", the pairing is dropped. */
export const MAX_PHONE_PASSWORD_MISMATCHES = 3;

type Base = FlowStateBase<string>;

/** Literal step names are valid in every flow that includes SharedStep; TS cannot see that through the generic. */
const as = <S extends Base>(step: SharedStep): S['step'] => step as S['step'];

export function authoritySteps<S extends Base>(timeouts: StepTimeouts<S['step']>) {
  const go = (state: S, step: S['step'], now: number, patch: Partial<S> = {}): S => enter<S['step'], S>(timeouts, state, step, now, patch);
  const failWith =
    (code: ActivationErrorCode) =>
    (state: S, now: number): Outcome<S> => ({
      state: go(state, as<S>('authority-error'), now, {
        error: stateError(code),
        pendingRequest: state.pendingRequest,
        resumeStep: state.step,
      } as Partial<S>),
      effects: [],
    });
  return {
    /** Enter a step that waits for the authority, sending `request` and remembering it for `retry`. */
    call(state: S, step: S['step'], request: AuthorityRequest, now: number, patch: Partial<S> = {}): Outcome<S> {
      return { state: go(state, step, now, { ...patch, pendingRequest: request }), effects: [request] };
    },
    failWith,
    unreachable(state: S, _event: AuthorityUnreachableEvent, now: number): Outcome<S> {
      return failWith('AuthorityUnreachable')(state, now);
    },
    refused(state: S, event: AuthorityRefusedEvent, now: number): Outcome<S> {
      return {
        state: go(state, as<S>('failed'), now, { error: stateError('AuthorityRefused', { reason: event.reason }) } as Partial<S>),
        effects: [{ type: 'cleanup', reason: 'failed' }],
      };
    },
    /** From `authority-error`: back to the step that was waiting, re-issuing the same request. */
    retry(state: S, _event: RetryEvent, now: number): Outcome<S> {
      const { resumeStep, pendingRequest } = state;
      if (resumeStep === null || pendingRequest === null) return refuse(state, stateError('AuthorityUnreachable'));
      return { state: go(state, resumeStep, now, { pendingRequest } as Partial<S>), effects: [pendingRequest] };
    },
  };
}

export interface PasswordTailOptions<S extends Base> {
  readonly timeouts: StepTimeouts<S['step']>;
  /** What the flow does when the phone link is lost (timeout, too many mismatches). */
  readonly onPairingLost: (state: S, now: number, reason: ActivationErrorCode) => Outcome<S>;
}

export function passwordTail<S extends Base>(options: PasswordTailOptions<S>) {
  const { timeouts, onPairingLost } = options;
  const go = (state: S, step: SharedStep, now: number, patch: Partial<S> = {}): S => enter<S['step'], S>(timeouts, state, as<S>(step), now, patch);
  const authority = authoritySteps<S>(timeouts);
  const tail = {
    choosePassword(state: S, event: PasswordChosenEvent, now: number): Outcome<S> {
      const verdict = checkEcpsPassword(event.first, event.second);
      if (!verdict.ok) return refuse(state, verdict.error);
      return {
        state: go(state, 'confirming-password', now, { passwordSet: true } as Partial<S>),
        effects: [{ type: 'send-password-proof', password: event.first }],
      };
    },
    phoneConfirmed(state: S, _event: PhonePasswordConfirmedEvent, now: number): Outcome<S> {
      // activationId is set before any pairing starts in both flows; '' keeps the type honest
      // and the authority would refuse it rather than register a phone to nothing.
      return authority.call(state, as<S>('registering-phone'), { type: 'register-phone', activationId: state.activationId ?? '' }, now);
    },
    phoneMismatch(state: S, _event: PhonePasswordMismatchEvent, now: number): Outcome<S> {
      const mismatches = state.passwordMismatches + 1;
      if (mismatches >= MAX_PHONE_PASSWORD_MISMATCHES) {
        return onPairingLost({ ...state, passwordSet: false, passwordMismatches: 0 }, now, 'PhonePasswordMismatchLimit');
      }
      // The pairing asks the phone again at once for the same password (the one chosen here):
      // stay on "type it on the phone" and say the tries left, as the phone does (issue 12 item 5).
      return refuse(state, stateError('PhonePasswordMismatch', { n: MAX_PHONE_PASSWORD_MISMATCHES - mismatches }), {
        passwordMismatches: mismatches,
      } as Partial<S>);
    },
    registered(state: S, _event: PhoneRegisteredEvent, now: number): Outcome<S> {
      return { state: go(state, 'done', now), effects: [{ type: 'cleanup', reason: 'done' }] };
    },
  };
  return {
    ...tail,
    /** The step specs of the tail, ready to spread into a flow's table. */
    steps() {
      const lost = (reason: ActivationErrorCode) => (state: S, now: number) => onPairingLost({ ...state, passwordSet: false }, now, reason);
      return {
        'choosing-password': { on: { 'password-chosen': tail.choosePassword }, onTimeout: lost('PairingTimeout') },
        'confirming-password': {
          on: { 'phone-password-confirmed': tail.phoneConfirmed, 'phone-password-mismatch': tail.phoneMismatch },
          onTimeout: lost('PairingTimeout'),
        },
        'registering-phone': {
          on: { 'phone-registered': tail.registered, 'authority-unreachable': authority.unreachable, 'authority-refused': authority.refused },
          onTimeout: authority.failWith('AuthorityTimeout'),
        },
        'authority-error': { on: { retry: authority.retry } },
        done: { on: {}, terminal: true },
      };
    },
  };
}
