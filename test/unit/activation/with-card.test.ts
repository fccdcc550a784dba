import { describe, expect, it } from 'vitest';
import { isEcpsError } from '../../../src-shared/errors';
import {
  WITH_CARD_PATH,
  WITH_CARD_STEPS,
  createWithCardFlow,
  describeState,
  errorOfState,
  withCardFlow,
  type WithCardEvent,
  type WithCardStep,
} from '../../../src-main/activation';
import { FlowSim } from './flow-sim';

const sim = () => new FlowSim(withCardFlow);

const TO_QR: WithCardEvent[] = [
  { type: 'pin-verified', triesLeft: 3 },
  { type: 'cgu-accepted', version: 'cgu-2025-01' },
  { type: 'challenge-received', activationId: 'act-1', challenge: 'c0ffee' },
  { type: 'challenge-signed', signature: '5157' },
  { type: 'card-proof-accepted' },
];
const TO_PASSWORD: WithCardEvent[] = [...TO_QR, { type: 'phone-connected' }, { type: 'code-entered', correct: true }];
const GOOD_PASSWORD: WithCardEvent = { type: 'password-chosen', first: '2580', second: '2580' };
const HAPPY: WithCardEvent[] = [...TO_PASSWORD, GOOD_PASSWORD, { type: 'phone-password-confirmed' }, { type: 'phone-registered' }];

/** Events that reach each step from the start (terminal ones included). */
const REACH: Record<WithCardStep, WithCardEvent[]> = {
  'card-ready': [],
  cgu: HAPPY.slice(0, 1),
  'starting-activation': HAPPY.slice(0, 2),
  'signing-challenge': HAPPY.slice(0, 3),
  'proving-card': HAPPY.slice(0, 4),
  'showing-qr': HAPPY.slice(0, 5),
  'code-entry': HAPPY.slice(0, 6),
  'choosing-password': HAPPY.slice(0, 7),
  'confirming-password': HAPPY.slice(0, 8),
  'registering-phone': HAPPY.slice(0, 9),
  done: HAPPY,
  'authority-error': [...HAPPY.slice(0, 2), { type: 'authority-unreachable' }],
  failed: [{ type: 'pin-failed', triesLeft: 0 }],
  cancelled: [{ type: 'cancel' }],
};

describe('with the card: happy path', () => {
  it('goes through every step in order and asks for each piece of work once', () => {
    const s = sim().send(...HAPPY);
    expect(s.steps).toEqual([...WITH_CARD_PATH]);
    expect(s.effects).toEqual([
      { type: 'start-activation', cguVersion: 'cgu-2025-01' },
      { type: 'sign-challenge', activationId: 'act-1', challenge: 'c0ffee' },
      { type: 'send-card-proof', activationId: 'act-1', signature: '5157' },
      { type: 'show-qr', generation: 1, lifetimeMs: 90_000 },
      { type: 'send-password-proof', password: '2580' },
      { type: 'register-phone', activationId: 'act-1' },
      { type: 'cleanup', reason: 'done' },
    ]);
    expect(s.state).toMatchObject({ step: 'done', cguVersion: 'cgu-2025-01', passwordSet: true, error: null, deadline: null });
    expect(withCardFlow.isTerminal(s.state)).toBe(true);
  });

  it('records the CGU version and keeps the password only in the effect that uses it', () => {
    const s = sim().send(...TO_PASSWORD, GOOD_PASSWORD);
    expect(s.state.cguVersion).toBe('cgu-2025-01');
    expect(s.last).toEqual([{ type: 'send-password-proof', password: '2580' }]);
    expect(JSON.stringify(s.state)).not.toContain('"2580"');
    expect(s.state.passwordSet).toBe(true);
  });

  it('every step has a French and an English progress sentence', () => {
    for (const step of WITH_CARD_STEPS) {
      const s = sim().send(...REACH[step]);
      expect(s.state.step).toBe(step);
      const fr = describeState(s.state, 'fr');
      const en = describeState(s.state, 'en');
      expect(fr.length).toBeGreaterThan(10);
      expect(en.length).toBeGreaterThan(10);
      expect(fr).not.toBe(en);
    }
  });
});

describe('with the card: PIN', () => {
  it('a wrong PIN stays on the PIN step with the tries left', () => {
    const s = sim().send({ type: 'pin-failed', triesLeft: 2 });
    expect(s.state).toMatchObject({ step: 'card-ready', pinTriesLeft: 2, error: { code: 'PinIncorrect', params: { n: 2 } } });
    expect(errorOfState(s.state)?.text('fr')).toBe('Code porteur incorrect : il reste 2 essais.');
    expect(describeState(s.state, 'en')).toBe('Enter your PIN (2 attempts left).');
    s.send({ type: 'pin-verified', triesLeft: 3 });
    expect(s.state).toMatchObject({ step: 'cgu', error: null, pinTriesLeft: 3 });
  });

  it('a blocked PIN ends the flow with the unblocking remedy; restart goes back to the PIN', () => {
    const s = sim().send({ type: 'pin-failed', triesLeft: 1 }, { type: 'pin-failed', triesLeft: 0 });
    expect(s.state).toMatchObject({ step: 'failed', error: { code: 'PinBlocked' } });
    expect(errorOfState(s.state)?.remedyText('fr')).toContain('code de déblocage');
    expect(withCardFlow.isTerminal(s.state)).toBe(true);
    expect(() => s.send({ type: 'pin-verified', triesLeft: 3 })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
    s.send({ type: 'restart' });
    expect(s.state.step).toBe('card-ready');
  });

  it('pulling the card out after the PIN starts over at the PIN and cleans up', () => {
    for (const step of WITH_CARD_STEPS) {
      if (step === 'card-ready' || withCardFlow.isTerminal(sim().send(...REACH[step]).state)) continue;
      const s = sim().send(...REACH[step], { type: 'card-removed' });
      expect(s.state, step).toMatchObject({ step: 'card-ready', error: { code: 'CardRemoved' }, cguVersion: null, activationId: null, passwordSet: false });
      expect(s.last).toEqual([{ type: 'cleanup', reason: 'card-removed' }]);
      // The PIN must be verified again before anything else.
      expect(() => s.send({ type: 'cgu-accepted', version: 'x' })).toThrow();
    }
  });

  it('the PC/SC service stopping is said as such (not as a pulled card) and also starts over at the PIN', () => {
    for (const step of ['cgu', 'showing-qr', 'code-entry', 'choosing-password'] as const) {
      const s = sim().send(...REACH[step], { type: 'card-removed', reason: 'service-down' });
      expect(s.state, step).toMatchObject({ step: 'card-ready', error: { code: 'ReaderServiceStopped' } });
      expect(s.last).toEqual([{ type: 'cleanup', reason: 'card-removed' }]);
    }
    expect(sim().send({ type: 'card-removed', reason: 'service-down' }).state.error?.code).toBe('ReaderServiceStopped');
  });
});

describe('with the card: refusals and invalid transitions', () => {
  it('an event the step does not expect is refused with InvalidTransition naming both, state unchanged', () => {
    const s = sim().send(...TO_QR);
    const before = s.state;
    let caught: unknown;
    try {
      s.send({ type: 'password-chosen', first: '2580', second: '2580' });
    } catch (error) {
      caught = error;
    }
    expect(isEcpsError(caught, 'InvalidTransition')).toBe(true);
    if (!isEcpsError(caught)) return;
    expect(caught.details).toEqual({ flow: 'with-card', step: 'showing-qr', event: 'password-chosen' });
    expect(caught.text('fr')).toContain('« password-chosen »');
    expect(caught.text('fr')).toContain('« showing-qr »');
    expect(s.state).toBe(before);
    expect(s.effects.some((e) => e.type === 'send-password-proof')).toBe(false);
  });

  it.each([
    [{ type: 'phone-registered' }, 'card-ready'],
    [{ type: 'challenge-signed', signature: 'ab' }, 'cgu'],
    [{ type: 'qr-expired' }, 'code-entry'],
    [{ type: 'retry' }, 'card-ready'],
    [{ type: 'cancel' }, 'done'],
    [{ type: 'restart' }, 'done'],
  ] as [WithCardEvent, WithCardStep][])('%o at %s is refused', (event, step) => {
    const s = sim().send(...REACH[step]);
    expect(() => s.send(event)).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
    expect(withCardFlow.allowedEvents(s.state)).not.toContain(event.type);
  });

  it('refused passwords stay on the password step with a reason and no effect', () => {
    const s = sim().send(...TO_PASSWORD);
    for (const [first, second, code] of [
      ['1234', '1234', 'PasswordSequence'],
      ['0000', '0000', 'PasswordRepeatedDigit'],
      ['2580', '2588', 'PasswordMismatch'],
    ] as const) {
      s.send({ type: 'password-chosen', first, second });
      expect(s.state).toMatchObject({ step: 'choosing-password', passwordSet: false, error: { code } });
      expect(s.last).toEqual([]);
    }
  });

  it('the phone typing another password: the user types it again ON THE PHONE, as the phone says; 3 times drops the pairing', () => {
    // Issue 12 item 5: the phone asks for the same password again (the pairing sends a new
    // request at once), so the computer stays on "type it on the phone" and counts down with it.
    const s = sim().send(...TO_PASSWORD, GOOD_PASSWORD, { type: 'phone-password-mismatch' });
    expect(s.state).toMatchObject({ step: 'confirming-password', passwordSet: true, passwordMismatches: 1, error: { code: 'PhonePasswordMismatch', params: { n: 2 } } });
    expect(s.last).toEqual([]);
    expect(errorOfState(s.state)?.text('fr')).toContain('sur le téléphone');
    expect(errorOfState(s.state)?.text('fr')).toContain('il reste 2 essais');
    s.send({ type: 'phone-password-mismatch' });
    expect(s.state).toMatchObject({ step: 'confirming-password', error: { code: 'PhonePasswordMismatch', params: { n: 1 } } });
    expect(errorOfState(s.state)?.text('fr')).toContain('il reste 1 essai)');
    s.send({ type: 'phone-password-mismatch' });
    expect(s.state).toMatchObject({ step: 'showing-qr', pairingResets: 1, error: { code: 'PhonePasswordMismatchLimit' } });
    expect(s.effectTypes(s.last)).toEqual(['reset-pairing', 'show-qr']);
  });

  it('a right password on the phone after a wrong one registers the phone', () => {
    const s = sim().send(...TO_PASSWORD, GOOD_PASSWORD, { type: 'phone-password-mismatch' }, { type: 'phone-password-confirmed' });
    expect(s.state).toMatchObject({ step: 'registering-phone', error: null });
  });

  it('the authority refusing ends the flow; unreachable is resumable and retry re-sends the same request', () => {
    const refused = sim().send(...HAPPY.slice(0, 4), { type: 'authority-refused', reason: 'certificate-revoked' });
    expect(refused.state).toMatchObject({ step: 'failed', error: { code: 'AuthorityRefused', params: { reason: 'certificate-revoked' } } });
    expect(errorOfState(refused.state)?.text('en')).toBe('The activation service refused the request (certificate-revoked).');

    const s = sim().send(...HAPPY.slice(0, 4), { type: 'authority-unreachable' });
    expect(s.state).toMatchObject({ step: 'authority-error', resumeStep: 'proving-card', deadline: null, error: { code: 'AuthorityUnreachable' } });
    s.send({ type: 'retry' });
    expect(s.state).toMatchObject({ step: 'proving-card', error: null });
    expect(s.last).toEqual([{ type: 'send-card-proof', activationId: 'act-1', signature: '5157' }]);
    s.send({ type: 'card-proof-accepted' });
    expect(s.state.step).toBe('showing-qr');
  });
});

describe('with the card: pairing', () => {
  it('three wrong codes reset the pairing session back to a fresh QR', () => {
    const s = sim().send(...TO_QR, { type: 'phone-connected' }, { type: 'code-entered', correct: false });
    expect(s.state).toMatchObject({ step: 'code-entry', codeAttempts: 1, error: { code: 'PairingCodeIncorrect', params: { n: 2 } } });
    s.send({ type: 'code-entered', correct: false });
    expect(s.state.codeAttempts).toBe(2);
    s.send({ type: 'code-entered', correct: false });
    expect(s.state).toMatchObject({ step: 'showing-qr', codeAttempts: 0, pairingResets: 1, qrGeneration: 2, error: { code: 'PairingCodeAttemptsExhausted' } });
    expect(s.last).toEqual([
      { type: 'reset-pairing', reason: 'PairingCodeAttemptsExhausted' },
      { type: 'show-qr', generation: 2, lifetimeMs: 90_000 },
    ]);
    // A new session starts with a full set of attempts.
    s.send({ type: 'phone-connected' }, { type: 'code-entered', correct: false }, { type: 'code-entered', correct: true });
    expect(s.state.step).toBe('choosing-password');
  });

  it('the phone leaving during the code or the password drops the pairing', () => {
    for (const at of ['code-entry', 'choosing-password', 'confirming-password'] as const) {
      const s = sim().send(...REACH[at], { type: 'phone-disconnected' });
      expect(s.state, at).toMatchObject({ step: 'showing-qr', passwordSet: false, error: { code: 'PhoneDisconnected' } });
    }
  });
});

describe('with the card: timeouts (fake clock)', () => {
  it('the QR is renewed with a fresh token every 90 s, and the renewals are counted', () => {
    const s = sim().send(...TO_QR);
    const shownAt = s.now;
    expect(s.state.deadline).toBe(shownAt + 90_000);
    s.wait(89_999);
    expect(s.last).toEqual([]);
    s.wait(1);
    expect(s.last).toEqual([{ type: 'renew-qr', generation: 2, lifetimeMs: 90_000 }]);
    expect(s.state).toMatchObject({ step: 'showing-qr', qrRenewals: 1, deadline: s.now + 90_000 });
    s.send({ type: 'qr-expired' });
    expect(s.state).toMatchObject({ qrRenewals: 2, qrGeneration: 3 });
    s.wait(90_000);
    expect(s.state.qrRenewals).toBe(3);
  });

  it('after the renewal limit the QR stops (server off) until the user asks for a new one', () => {
    const s = new FlowSim(createWithCardFlow({ maxQrRenewals: 2 })).send(...TO_QR);
    s.wait(90_000).wait(90_000).wait(90_000);
    expect(s.state).toMatchObject({ step: 'showing-qr', deadline: null, error: { code: 'QrRenewalLimit', params: { n: 3 } } });
    expect(s.last).toEqual([{ type: 'reset-pairing', reason: 'QrRenewalLimit' }]);
    s.wait(3_600_000);
    expect(s.last).toEqual([]);
    s.send({ type: 'retry' });
    expect(s.state).toMatchObject({ qrRenewals: 0, error: null });
    expect(s.effectTypes(s.last)).toEqual(['show-qr']);
  });

  it('the phone code must be typed within 5 minutes, or the pairing is reset', () => {
    const s = sim().send(...TO_QR, { type: 'phone-connected' });
    s.wait(5 * 60_000 - 1);
    expect(s.state.step).toBe('code-entry');
    s.wait(1);
    expect(s.state).toMatchObject({ step: 'showing-qr', error: { code: 'PairingTimeout' } });
    expect(s.effectTypes(s.last)).toEqual(['reset-pairing', 'show-qr']);
  });

  it('the PIN step never times out; the CGU step sends the user back to the PIN after 10 minutes', () => {
    const s = sim().wait(24 * 3_600_000);
    expect(s.state).toMatchObject({ step: 'card-ready', deadline: null, error: null });
    s.send({ type: 'pin-verified', triesLeft: 3 }).wait(10 * 60_000);
    expect(s.state).toMatchObject({ step: 'card-ready', error: { code: 'SessionExpired' } });
  });

  it('a silent authority becomes a resumable error after 30 s; a silent card sends back to the PIN', () => {
    const a = sim().send(...HAPPY.slice(0, 2)).wait(30_000);
    expect(a.state).toMatchObject({ step: 'authority-error', resumeStep: 'starting-activation', error: { code: 'AuthorityTimeout' } });
    a.send({ type: 'retry' });
    expect(a.last).toEqual([{ type: 'start-activation', cguVersion: 'cgu-2025-01' }]);
    expect(a.state.deadline).toBe(a.now + 30_000);

    const c = sim().send(...HAPPY.slice(0, 3)).wait(30_000);
    expect(c.state).toMatchObject({ step: 'card-ready', error: { code: 'CardNotResponding' } });
  });
});

describe('with the card: cancel', () => {
  it.each(WITH_CARD_STEPS.filter((step) => !['done', 'failed', 'cancelled'].includes(step)))('cancel from %s cleans up and ends', (step) => {
    const s = sim().send(...REACH[step]);
    expect(s.state.step).toBe(step);
    expect(withCardFlow.allowedEvents(s.state)).toContain('cancel');
    s.send({ type: 'cancel' });
    expect(s.state).toMatchObject({ step: 'cancelled', passwordSet: false, deadline: null });
    expect(s.last).toEqual([{ type: 'cleanup', reason: 'cancel' }]);
    s.send({ type: 'restart' });
    expect(s.state.step).toBe('card-ready');
  });

  it.each(['done', 'failed', 'cancelled'] as const)('cancel from terminal %s is refused', (step) => {
    const s = sim().send(...REACH[step]);
    expect(() => s.send({ type: 'cancel' })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
    expect(withCardFlow.allowedEvents(s.state)).not.toContain('cancel');
  });
});
