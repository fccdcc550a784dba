import { describe, expect, it } from 'vitest';
import {
  EPOP_DELAY_MS,
  EPOP_GUIDANCE,
  WITHOUT_CARD_PATH,
  WITHOUT_CARD_STEPS,
  describeState,
  errorOfState,
  withoutCardFlow,
  type WithoutCardEvent,
  type WithoutCardStep,
} from '../../../src-main/activation';
import { FlowSim } from './flow-sim';

const sim = () => new FlowSim(withoutCardFlow);
const RPPS = '79927398713';

const HAPPY: WithoutCardEvent[] = [
  { type: 'national-id-entered', value: RPPS },
  { type: 'contact-on-file', onFile: true },
  { type: 'request-sent-confirmed' },
  { type: 'qr-emailed', activationId: 'act-9' },
  { type: 'phone-connected' },
  { type: 'code-entered', correct: true },
  { type: 'sms-code-verified' },
  { type: 'password-chosen', first: '1357', second: '1357' },
  { type: 'phone-password-confirmed' },
  { type: 'phone-registered' },
];

const REACH: Record<WithoutCardStep, WithoutCardEvent[]> = {
  'national-id': [],
  'looking-up': HAPPY.slice(0, 1),
  'ready-to-request': HAPPY.slice(0, 2),
  requesting: HAPPY.slice(0, 3),
  'awaiting-phone-scan': HAPPY.slice(0, 4),
  'code-entry': HAPPY.slice(0, 5),
  'sms-code': HAPPY.slice(0, 6),
  'choosing-password': HAPPY.slice(0, 7),
  'confirming-password': HAPPY.slice(0, 8),
  'registering-phone': HAPPY.slice(0, 9),
  done: HAPPY,
  'authority-error': [...HAPPY.slice(0, 1), { type: 'authority-unreachable' }],
  'adeli-needs-card': [{ type: 'national-id-entered', value: '751234567' }],
  'epop-guidance': [...HAPPY.slice(0, 1), { type: 'contact-on-file', onFile: false }],
  failed: [...HAPPY.slice(0, 1), { type: 'authority-refused', reason: 'suspended' }],
  cancelled: [{ type: 'cancel' }],
};

describe('without the card: happy path', () => {
  it('goes through every step in order', () => {
    const s = sim().send(...HAPPY);
    expect(s.steps).toEqual([...WITHOUT_CARD_PATH]);
    expect(s.effects).toEqual([
      { type: 'lookup-professional', idNat: `8${RPPS}` },
      { type: 'request-activation', idNat: `8${RPPS}` },
      { type: 'send-sms-code', activationId: 'act-9' },
      { type: 'send-password-proof', password: '1357' },
      { type: 'register-phone', activationId: 'act-9' },
      { type: 'cleanup', reason: 'done' },
    ]);
    expect(s.state).toMatchObject({ step: 'done', rpps: RPPS, passwordSet: true });
    expect(JSON.stringify(s.state)).not.toContain('1357');
  });

  it('every step has a French and an English progress sentence', () => {
    for (const step of WITHOUT_CARD_STEPS) {
      const s = sim().send(...REACH[step]);
      expect(s.state.step).toBe(step);
      expect(describeState(s.state, 'fr')).not.toBe(describeState(s.state, 'en'));
      expect(describeState(s.state, 'fr').length).toBeGreaterThan(10);
    }
  });
});

describe('without the card: the national identifier', () => {
  it.each([
    ['12345', 'NationalIdInvalid'],
    ['abcdefghijk', 'NationalIdInvalid'],
    ['79927398710', 'RppsChecksumInvalid'],
  ])('%j is refused (%s) and can be typed again', (value, code) => {
    const s = sim().send({ type: 'national-id-entered', value });
    expect(s.state).toMatchObject({ step: 'national-id', error: { code } });
    expect(s.last).toEqual([]);
    s.send(HAPPY[0] as WithoutCardEvent);
    expect(s.state).toMatchObject({ step: 'looking-up', error: null });
  });

  it('an ADELI number is told that activation needs the physical card (terminal, restartable)', () => {
    const s = sim().send(...REACH['adeli-needs-card']);
    expect(s.state.step).toBe('adeli-needs-card');
    expect(describeState(s.state, 'fr')).toBe('L’activation d’un professionnel ADELI nécessite la carte physique.');
    expect(errorOfState(s.state)?.remedyText('fr')).toContain('carte CPS');
    expect(s.effects).toEqual([]);
    expect(withoutCardFlow.isTerminal(s.state)).toBe(true);
    s.send({ type: 'restart' });
    expect(s.state.step).toBe('national-id');
  });

  it('an unknown professional goes back to the identifier with a reason', () => {
    const s = sim().send(HAPPY[0] as WithoutCardEvent, { type: 'professional-unknown' });
    expect(s.state).toMatchObject({ step: 'national-id', rpps: null, error: { code: 'ProfessionalUnknown' } });
  });
});

describe('without the card: contact details missing', () => {
  it('shows the e-POP guidance with the 48 h delay; terminal but restartable', () => {
    const s = sim().send(...REACH['epop-guidance']);
    expect(s.state).toMatchObject({ step: 'epop-guidance', epopReadyAt: s.now + EPOP_DELAY_MS });
    expect(EPOP_DELAY_MS).toBe(48 * 3_600_000);
    expect(describeState(s.state, 'fr')).toContain('48 heures');
    const guidance = EPOP_GUIDANCE.map((g) => g.fr).join(' ');
    for (const word of ['Ordre', 'E-POP', 'Données professionnelles', 'loupe', 'crayon sur fond orange', '48 heures']) expect(guidance).toContain(word);
    expect(() => s.send({ type: 'cancel' })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
    s.send({ type: 'restart' });
    expect(s.state).toMatchObject({ step: 'national-id', rpps: null, epopReadyAt: null });
  });
});

describe('without the card: codes, errors and timeouts', () => {
  it('the phone’s code is confirmed on the computer before the SMS is sent', () => {
    const s = sim().send(...REACH['code-entry']);
    expect(s.state).toMatchObject({ step: 'code-entry', codeAttempts: 0 });
    expect(describeState(s.state, 'fr')).toContain('code affiché sur le téléphone');
    expect(() => s.send({ type: 'sms-code-verified' })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
    s.send({ type: 'code-entered', correct: false });
    expect(s.state).toMatchObject({ step: 'code-entry', codeAttempts: 1, error: { code: 'PairingCodeIncorrect', params: { n: 2 } } });
    expect(s.last).toEqual([]);
    s.send({ type: 'code-entered', correct: true });
    expect(s.state).toMatchObject({ step: 'sms-code', error: null });
    expect(s.last).toEqual([{ type: 'send-sms-code', activationId: 'act-9' }]);
  });

  it('three wrong phone codes revoke the e-mailed QR: a terminal error asking for a new request', () => {
    const s = sim().send(...REACH['code-entry'], { type: 'code-entered', correct: false }, { type: 'code-entered', correct: false });
    expect(s.state.step).toBe('code-entry');
    s.send({ type: 'code-entered', correct: false });
    expect(s.state).toMatchObject({ step: 'failed', deadline: null, error: { code: 'EmailedQrRevoked' } });
    expect(s.last).toEqual([{ type: 'cleanup', reason: 'failed' }]);
    const error = errorOfState(s.state)!;
    expect(error.remedyText('fr')).toContain('nouvelle demande');
    expect(error.remedyText('en')).toContain('new request');
    expect(() => s.send({ type: 'cancel' })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
    s.send({ type: 'restart' });
    expect(s.state).toMatchObject({ step: 'national-id', codeAttempts: 0, activationId: null });
  });

  it('three wrong SMS codes cancel the request: the user sends a new one', () => {
    const s = sim().send(...REACH['sms-code'], { type: 'sms-code-wrong' });
    expect(s.state).toMatchObject({ step: 'sms-code', smsAttempts: 1, error: { code: 'SmsCodeIncorrect', params: { n: 2 } } });
    s.send({ type: 'sms-code-wrong' }, { type: 'sms-code-wrong' });
    expect(s.state).toMatchObject({ step: 'ready-to-request', smsAttempts: 0, activationId: null, error: { code: 'SmsCodeAttemptsExhausted' } });
    expect(s.last).toEqual([{ type: 'cleanup', reason: 'pairing-lost' }]);
    s.send({ type: 'request-sent-confirmed' });
    expect(s.last).toEqual([{ type: 'request-activation', idNat: `8${RPPS}` }]);
  });

  it('« Renvoyer l’e-mail » while waiting for the scan: a new request (new QR, new e-mail); the old link is dropped first', () => {
    const s = sim().send(...REACH['awaiting-phone-scan'], { type: 'resend-email' });
    expect(s.state).toMatchObject({ step: 'requesting', activationId: null, error: null });
    expect(s.last).toEqual([{ type: 'cleanup', reason: 'pairing-lost' }, { type: 'request-activation', idNat: `8${RPPS}` }]);
    s.send({ type: 'qr-emailed', activationId: 'act-10' });
    expect(s.state).toMatchObject({ step: 'awaiting-phone-scan', activationId: 'act-10' });
    // Once the phone is connected, the e-mail has done its job: no resending from there.
    s.send({ type: 'phone-connected' });
    expect(() => s.send({ type: 'resend-email' })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
  });

  it('« Renvoyer le SMS »: a new code is sent and the tries start again (the authority resets them too)', () => {
    const s = sim().send(...REACH['sms-code'], { type: 'sms-code-wrong' }, { type: 'sms-code-wrong' });
    expect(s.state).toMatchObject({ step: 'sms-code', smsAttempts: 2 });
    s.send({ type: 'resend-sms' });
    expect(s.state).toMatchObject({ step: 'sms-code', smsAttempts: 0, error: null });
    expect(s.last).toEqual([{ type: 'send-sms-code', activationId: 'act-9' }]);
    expect(() => sim().send(...REACH['code-entry'], { type: 'resend-sms' })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
  });

  it('authority unreachable during the lookup: retry sends the same lookup again', () => {
    const s = sim().send(...REACH['authority-error']);
    expect(s.state).toMatchObject({ step: 'authority-error', resumeStep: 'looking-up' });
    s.send({ type: 'retry' });
    expect(s.state.step).toBe('looking-up');
    expect(s.last).toEqual([{ type: 'lookup-professional', idNat: `8${RPPS}` }]);
  });

  it('the e-mailed QR, the SMS code and the password each have a deadline', () => {
    const scan = sim().send(...REACH['awaiting-phone-scan']).wait(30 * 60_000);
    expect(scan.state).toMatchObject({ step: 'ready-to-request', error: { code: 'EmailedQrExpired' } });
    const code = sim().send(...REACH['code-entry']).wait(5 * 60_000);
    expect(code.state).toMatchObject({ step: 'ready-to-request', error: { code: 'RequestExpired' } });
    expect(code.last).toEqual([{ type: 'cleanup', reason: 'pairing-lost' }]);
    const sms = sim().send(...REACH['sms-code']).wait(10 * 60_000);
    expect(sms.state).toMatchObject({ step: 'ready-to-request', error: { code: 'SmsCodeTimeout' } });
    const pwd = sim().send(...REACH['choosing-password']).wait(10 * 60_000);
    expect(pwd.state).toMatchObject({ step: 'ready-to-request', error: { code: 'RequestExpired' } });
    const lookup = sim().send(...REACH['looking-up']).wait(30_000);
    expect(lookup.state).toMatchObject({ step: 'authority-error', error: { code: 'AuthorityTimeout' } });
  });

  it('the user’s own steps never time out', () => {
    for (const step of ['national-id', 'ready-to-request'] as const) {
      const s = sim().send(...REACH[step]).wait(7 * 24 * 3_600_000);
      expect(s.state.step).toBe(step);
    }
  });

  it('events of the other flow or of another step are invalid transitions', () => {
    const s = sim();
    expect(() => s.send({ type: 'pin-verified', triesLeft: 3 } as unknown as WithoutCardEvent)).toThrow(
      expect.objectContaining({ code: 'InvalidTransition', details: { flow: 'without-card', step: 'national-id', event: 'pin-verified' } }),
    );
    expect(() => s.send({ type: 'sms-code-verified' })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
  });
});

describe('without the card: cancel', () => {
  const terminal = ['done', 'failed', 'cancelled', 'adeli-needs-card', 'epop-guidance'];
  it.each(WITHOUT_CARD_STEPS.filter((step) => !terminal.includes(step)))('cancel from %s cleans up and ends', (step) => {
    const s = sim().send(...REACH[step]);
    s.send({ type: 'cancel' });
    expect(s.state).toMatchObject({ step: 'cancelled', deadline: null });
    expect(s.last).toEqual([{ type: 'cleanup', reason: 'cancel' }]);
  });

  it.each(terminal)('cancel from terminal %s is refused', (step) => {
    const s = sim().send(...REACH[step as WithoutCardStep]);
    expect(() => s.send({ type: 'cancel' })).toThrow(expect.objectContaining({ code: 'InvalidTransition' }));
  });
});
