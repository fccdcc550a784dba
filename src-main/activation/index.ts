/**
 * Activation flows as pure state machines (issue 4 §1). Drivers (CLI, IPC) call
 * `flow.transition(state, event, now)`, run the returned effects, and feed outcomes back.
 */
export { activationErrors, activationError, errorOfState, type ActivationErrorCode, type StateError } from './errors';
export type { ActivationEffect, AuthorityRequest, CleanupReason, Outcome, Flow } from './machine';
export { checkEcpsPassword, ECPS_PASSWORD_LENGTH, type PasswordVerdict } from './password';
export { parseNationalId, luhnValid, type NationalId, type NationalIdVerdict } from './national-id';
export { MAX_PHONE_PASSWORD_MISMATCHES } from './shared-steps';
export {
  createWithCardFlow,
  withCardFlow,
  WITH_CARD_PATH,
  WITH_CARD_STEPS,
  WITH_CARD_TIMINGS,
  type WithCardEvent,
  type WithCardState,
  type WithCardStep,
  type WithCardTimings,
  type WithCardFlow,
} from './with-card';
export {
  createWithoutCardFlow,
  withoutCardFlow,
  WITHOUT_CARD_PATH,
  WITHOUT_CARD_STEPS,
  WITHOUT_CARD_TIMINGS,
  EPOP_DELAY_MS,
  EPOP_GUIDANCE,
  type WithoutCardEvent,
  type WithoutCardState,
  type WithoutCardStep,
  type WithoutCardTimings,
  type WithoutCardFlow,
} from './without-card';
export { describeState, type ActivationState } from './describe';
