/**
 * A small, pure state-machine helper shared by the two activation flows.
 *
 * `transition(state, event, now) → { state, effects }` never performs I/O and never reads a
 * clock: the driver (CLI, IPC) passes `now`, runs the effects (authority calls, card signature,
 * pairing server) and feeds their outcomes back as events. So every path, timeouts included,
 * is testable with a fake clock and no hardware.
 *
 * What every flow gets from here, whatever its steps:
 * - an event a step does not list is refused with `InvalidTransition` (thrown; the old state is
 *   untouched because nothing is mutated);
 * - `tick` is accepted everywhere and fires the step's timeout once `now` reaches its deadline;
 * - `cancel` is accepted in every non-terminal step.
 */
import { activationError, type ActivationErrorCode, type StateError } from './errors';

/** What the flows ask the activation authority to do (results come back as events). */
export type AuthorityRequest =
  | { readonly type: 'start-activation'; readonly cguVersion: string }
  | { readonly type: 'send-card-proof'; readonly activationId: string; readonly signature: string }
  /** idNat as the authority expects it: `8` + RPPS (domain.md §4). */
  | { readonly type: 'lookup-professional'; readonly idNat: string }
  | { readonly type: 'request-activation'; readonly idNat: string }
  | { readonly type: 'register-phone'; readonly activationId: string };

export type CleanupReason = 'cancel' | 'card-removed' | 'done' | 'failed' | 'pairing-lost';

/** Work for the driver. Both flows draw from this one list so one driver can serve both. */
export type ActivationEffect =
  | AuthorityRequest
  | { readonly type: 'sign-challenge'; readonly activationId: string; readonly challenge: string }
  /** Start the pairing server with a fresh one-time token and show its QR for `lifetimeMs`. */
  | { readonly type: 'show-qr'; readonly generation: number; readonly lifetimeMs: number }
  /** Same server, new token and QR: the previous one expired unused. */
  | { readonly type: 'renew-qr'; readonly generation: number; readonly lifetimeMs: number }
  /** Drop the phone and the pairing session (keys, code): a `show-qr` follows with a new one. */
  | { readonly type: 'reset-pairing'; readonly reason: ActivationErrorCode }
  /**
   * The only place the chosen password ever appears: the driver uses it once for the phone's
   * proof and forgets it. The state keeps `passwordSet: true`, never the digits.
   */
  | { readonly type: 'send-password-proof'; readonly password: string }
  /** Without the card: the phone's code was confirmed here, the authority may text the SMS code. */
  | { readonly type: 'send-sms-code'; readonly activationId: string }
  /** Stop the pairing server, disconnect the phone, abandon any pending authority request. */
  | { readonly type: 'cleanup'; readonly reason: CleanupReason };

/** Facts every flow state carries, whatever the flow. */
export interface FlowStateBase<Step extends string> {
  readonly step: Step;
  /** When the current step times out (ms since epoch, the driver's clock); null: never. */
  readonly deadline: number | null;
  /** The last refusal or failure, shown until the next step is entered. */
  readonly error: StateError | null;
  /** The authority request in flight, kept so `retry` can send it again. */
  readonly pendingRequest: AuthorityRequest | null;
  /** Where `retry` goes back to from `authority-error`. */
  readonly resumeStep: Step | null;
  readonly activationId: string | null;
  readonly passwordSet: boolean;
  readonly passwordMismatches: number;
}

/** Every flow's starting fields: the first step, nothing pending, no password yet. */
export function initialFlowState<Step extends string>(step: Step): FlowStateBase<Step> {
  return { step, deadline: null, error: null, pendingRequest: null, resumeStep: null, activationId: null, passwordSet: false, passwordMismatches: 0 };
}

export interface Outcome<S> {
  readonly state: S;
  readonly effects: readonly ActivationEffect[];
}

export type EventOf<E extends { type: string }, T extends E['type']> = Extract<E, { type: T }>;

export type Handlers<S, E extends { type: string }> = {
  readonly [T in E['type']]?: (state: S, event: EventOf<E, T>, now: number) => Outcome<S>;
};

export interface StepSpec<S, E extends { type: string }> {
  readonly on: Handlers<S, E>;
  /** Fired by `tick` at or after the deadline. A step without one never times out. */
  readonly onTimeout?: (state: S, now: number) => Outcome<S>;
  readonly terminal?: boolean;
}

export interface FlowDefinition<Step extends string, S extends FlowStateBase<Step>, E extends { type: string }> {
  readonly flow: 'with-card' | 'without-card';
  readonly initial: (now: number) => S;
  readonly steps: { readonly [K in Step]: StepSpec<S, E> };
  /** The flow's own cancel (target state); the helper decides when it is allowed. */
  readonly cancel: (state: S, now: number) => Outcome<S>;
}

export interface Flow<Step extends string, S extends FlowStateBase<Step>, E extends { type: string }> {
  readonly flow: 'with-card' | 'without-card';
  initial(now: number): S;
  transition(state: S, event: E, now: number): Outcome<S>;
  /** The events the current step accepts (for the UI's buttons and for drivers that filter). */
  allowedEvents(state: S): E['type'][];
  isTerminal(state: S): boolean;
}

export function defineFlow<Step extends string, S extends FlowStateBase<Step>, E extends { type: string }>(
  definition: FlowDefinition<Step, S, E>,
): Flow<Step, S, E> {
  const specOf = (state: S): StepSpec<S, E> => definition.steps[state.step];
  const isTerminal = (state: S): boolean => specOf(state).terminal === true;
  return {
    flow: definition.flow,
    initial: definition.initial,
    isTerminal,
    allowedEvents(state) {
      const own = Object.keys(specOf(state).on) as E['type'][];
      return [...own, ...(isTerminal(state) ? [] : ['cancel']), 'tick'] as E['type'][];
    },
    transition(state, event, now) {
      const spec = specOf(state);
      if (event.type === 'tick') {
        if (spec.onTimeout !== undefined && state.deadline !== null && now >= state.deadline) return spec.onTimeout(state, now);
        return { state, effects: [] };
      }
      if (event.type === 'cancel' && !isTerminal(state)) return definition.cancel(state, now);
      const handler = spec.on[event.type as E['type']] as ((s: S, e: E, n: number) => Outcome<S>) | undefined;
      if (handler === undefined) {
        throw activationError('InvalidTransition', { flow: definition.flow, step: state.step, event: event.type });
      }
      return handler(state, event, now);
    },
  };
}

/** Durations in ms per step; a step absent from the table has no timeout. */
export type StepTimeouts<Step extends string> = Partial<Record<Step, number>>;

/**
 * Enter `step`: its deadline starts now, and the previous step's error, pending request and
 * resume point are dropped unless `patch` sets them again. One helper, so no transition can
 * forget to arm (or disarm) a timer.
 */
export function enter<Step extends string, S extends FlowStateBase<Step>>(
  timeouts: StepTimeouts<Step>,
  state: S,
  step: Step,
  now: number,
  patch: Partial<S> = {},
): S {
  const ms = timeouts[step];
  return { ...state, error: null, pendingRequest: null, resumeStep: null, ...patch, step, deadline: ms === undefined ? null : now + ms };
}

/** Stay in the same step (same deadline) and show a refusal. */
export function refuse<S extends FlowStateBase<string>>(state: S, error: StateError, patch: Partial<S> = {}): Outcome<S> {
  return { state: { ...state, ...patch, error }, effects: [] };
}
