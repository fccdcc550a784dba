/**
 * Random event sequences against both flows (fast-check). Most events are drawn from what the
 * current step accepts, so runs get far (and some reach `done`); the rest are drawn from every
 * event of the flow, so invalid transitions, disruptions and timeouts are exercised too.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isEcpsError } from '../../../src-shared/errors';
import {
  WITHOUT_CARD_PATH,
  WITH_CARD_PATH,
  checkEcpsPassword,
  withCardFlow,
  withoutCardFlow,
  type ActivationEffect,
  type Flow,
} from '../../../src-main/activation';
import type { FlowStateBase } from '../../../src-main/activation/machine';

const PASSWORDS: [string, string][] = [
  ['2580', '2580'],
  ['7391', '7391'],
  ['1234', '1234'],
  ['0000', '0000'],
  ['2580', '2581'],
  ['12a4', '12a4'],
];
const SECRETS = new Set(PASSWORDS.flat());

/** Payload variants per event type; the first one is the one that moves the flow forward. */
type Pool = Record<string, readonly object[]>;
const SHARED: Pool = {
  cancel: [{}],
  retry: [{}],
  restart: [{}],
  'authority-unreachable': [{}],
  'authority-refused': [{ reason: 'refused' }],
  'password-chosen': PASSWORDS.map(([first, second]) => ({ first, second })),
  'phone-password-confirmed': [{}],
  'phone-password-mismatch': [{}],
  'phone-registered': [{}],
};
const WITH_CARD: Pool = {
  ...SHARED,
  'pin-verified': [{ triesLeft: 3 }],
  'pin-failed': [{ triesLeft: 2 }, { triesLeft: 1 }, { triesLeft: 0 }],
  'card-removed': [{}],
  'cgu-accepted': [{ version: 'cgu-v3' }],
  'challenge-received': [{ activationId: 'act-p', challenge: 'c0ffee' }],
  'challenge-signed': [{ signature: '5157' }],
  'card-proof-accepted': [{}],
  'qr-expired': [{}],
  'phone-connected': [{}],
  'phone-disconnected': [{}],
  'code-entered': [{ correct: true }, { correct: false }],
};
const WITHOUT_CARD: Pool = {
  ...SHARED,
  'national-id-entered': [{ value: '79927398713' }, { value: '751234567' }, { value: '79927398710' }, { value: 'x' }],
  'contact-on-file': [{ onFile: true }, { onFile: false }],
  'professional-unknown': [{}],
  'request-sent-confirmed': [{}],
  'qr-emailed': [{ activationId: 'act-q' }],
  'phone-connected': [{}],
  'code-entered': [{ correct: true }, { correct: false }],
  'sms-code-verified': [{}],
  'sms-code-wrong': [{}],
};
/** Events that set the flow back; drawn only now and then so that runs can reach the end. */
const DISRUPTIVE = new Set(['cancel', 'card-removed', 'authority-unreachable', 'authority-refused', 'phone-disconnected', 'phone-password-mismatch', 'pin-failed', 'professional-unknown', 'sms-code-wrong', 'qr-expired']);

const move = fc.record({
  pick: fc.nat(),
  variant: fc.nat(),
  kind: fc.oneof(
    { weight: 12, arbitrary: fc.constant('forward') },
    { weight: 1, arbitrary: fc.constant('any-allowed') },
    { weight: 1, arbitrary: fc.constant('anything') },
    { weight: 1, arbitrary: fc.constant('wait') },
  ),
  forwardPayload: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  // Mostly short waits (nothing expires), sometimes long enough for any timeout.
  waitMs: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 60_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 * 60_000 }) }),
});

function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/** Every required step appears after the last restart, and their last visits are in order. */
function passedInOrder(trace: readonly string[], path: readonly string[]): boolean {
  const since = trace.slice(trace.lastIndexOf(path[0] as string));
  const last = path.map((step) => since.lastIndexOf(step));
  return last.every((index, i) => index >= 0 && (i === 0 || index > (last[i - 1] as number)));
}

function runProperty<S extends FlowStateBase<string>, E extends { type: string }>(flow: Flow<string, S, E>, pool: Pool, path: readonly string[]) {
  let reachedDone = 0;
  fc.assert(
    fc.property(fc.array(move, { minLength: 1, maxLength: 80 }), (moves) => {
      let now = 1_700_000_000_000;
      let state = flow.initial(now);
      const trace: string[] = [state.step];
      for (const m of moves) {
        let event: E;
        if (m.kind === 'wait') {
          now += m.waitMs;
          event = { type: 'tick' } as E;
        } else {
          const allowed = flow.allowedEvents(state).filter((t) => t !== 'tick');
          const forward = allowed.filter((t) => !DISRUPTIVE.has(t));
          const types = m.kind === 'anything' ? Object.keys(pool) : m.kind === 'forward' && forward.length > 0 ? forward : allowed;
          const type = types[m.pick % types.length] as string;
          const variants = pool[type] ?? [{}];
          const payload = m.forwardPayload ? variants[0] : variants[m.variant % variants.length];
          event = { type, ...payload } as E;
        }
        let out: ReturnType<typeof flow.transition>;
        try {
          out = flow.transition(state, event, now);
        } catch (error) {
          // The only thing a flow may throw, and the state stays as it was.
          expect(isEcpsError(error, 'InvalidTransition')).toBe(true);
          expect(flow.allowedEvents(state)).not.toContain(event.type);
          continue;
        }
        state = out.state;
        trace.push(state.step);
        for (const effect of out.effects as readonly ActivationEffect[]) {
          if (effect.type === 'send-password-proof') {
            expect(checkEcpsPassword(effect.password, effect.password).ok).toBe(true);
            expect(state.passwordSet).toBe(true);
          }
        }
        // No password, refused or accepted, is ever kept in the state.
        for (const s of stringsIn(state)) expect(SECRETS.has(s)).toBe(false);
        if (state.step === 'done') {
          expect(passedInOrder(trace, path)).toBe(true);
          reachedDone += 1;
          return;
        }
      }
    }),
    { numRuns: 400 },
  );
  return reachedDone;
}

describe('random event sequences', () => {
  it('with the card: only InvalidTransition is thrown, done only after every step in order, no password kept', () => {
    expect(runProperty(withCardFlow, WITH_CARD, WITH_CARD_PATH)).toBeGreaterThan(0);
  });

  it('without the card: the same guarantees', () => {
    expect(runProperty(withoutCardFlow, WITHOUT_CARD, WITHOUT_CARD_PATH)).toBeGreaterThan(0);
  });

  it('the in-order check itself refuses a trace that skips or reorders a step', () => {
    expect(passedInOrder(['a', 'b', 'c'], ['a', 'b', 'c'])).toBe(true);
    expect(passedInOrder(['a', 'c'], ['a', 'b', 'c'])).toBe(false);
    expect(passedInOrder(['a', 'b', 'c', 'b', 'c'], ['a', 'b', 'c'])).toBe(true);
    expect(passedInOrder(['a', 'b', 'c', 'a', 'c'], ['a', 'b', 'c'])).toBe(false);
    expect(passedInOrder(['a', 'c', 'b'], ['a', 'b', 'c'])).toBe(false);
  });
});
