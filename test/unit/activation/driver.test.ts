/**
 * ActivationDriver against fake ports (authority, pairing session, card): the machine's effects
 * are run in order against them, outcomes are fed back, and the UI sees the right events.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActivationAuthority, ActivationRecord } from '../../../src-shared/activation-authority';
import type { PairingEvents, PairingStartOptions } from '../../../src-main/pairing/pairing-types';
import { ActivationDriver, type DriverCard, type DriverEvent, type DriverPairing } from '../../../src-main/activation/driver';
import { activationError } from '../../../src-main/activation/errors';

const GOOD_CODE = '123456';

/** Every call the driver makes on a port, in order. */
type Log = string[];

class FakePairing extends EventEmitter<PairingEvents> implements DriverPairing {
  static made = 0;
  readonly id = ++FakePairing.made;
  attemptsLeft = 3;
  stopped = false;
  readonly sent: { topic: string; body: unknown }[] = [];
  startOptions: PairingStartOptions | undefined;
  constructor(private readonly log: Log) {
    super();
  }
  start(options?: PairingStartOptions): Promise<{ qrPayload: string; expiresAt: number }> {
    this.startOptions = options;
    this.log.push(`pairing#${this.id}.start`);
    return Promise.resolve({ qrPayload: `ecps1:fake-${this.id}`, expiresAt: Date.now() + 90_000 });
  }
  stop(): Promise<void> {
    if (!this.stopped) this.log.push(`pairing#${this.id}.stop`);
    this.stopped = true;
    return Promise.resolve();
  }
  confirmCode(code: string) {
    this.log.push(`pairing#${this.id}.confirmCode`);
    if (!/^\d{6}$/.test(code)) return Promise.resolve({ ok: false as const, reason: 'format' as const, attemptsLeft: this.attemptsLeft });
    if (code === GOOD_CODE) return Promise.resolve({ ok: true as const });
    this.attemptsLeft--;
    return Promise.resolve({ ok: false as const, reason: this.attemptsLeft === 0 ? ('reset' as const) : ('mismatch' as const), attemptsLeft: this.attemptsLeft });
  }
  setPassword(password: string): void {
    this.log.push(`pairing#${this.id}.setPassword(${password.length} digits)`);
  }
  send(topic: string, body: unknown): void {
    this.log.push(`pairing#${this.id}.send(${topic})`);
    this.sent.push({ topic, body });
  }
  /** The phone side: connects, proves the password, sends its enrolment. */
  phoneConnects(): void {
    this.emit('phone-connected', { via: 'direct' });
  }
  phoneProvesPassword(): void {
    this.emit('password-verified');
    this.emit('message', { topic: 'enrolment', body: { phonePublicKey: Buffer.alloc(32, 7).toString('base64url'), passwordVerifier: Buffer.alloc(32, 9).toString('base64url') } });
  }
}

const record = (activationId: string): ActivationRecord => ({
  activationId,
  mode: 'with-card',
  idNat: '899700000001',
  status: 'completed',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  expiresAt: '2025-01-01T00:15:00.000Z',
});

/** An authority whose methods log and answer; `failures[method]` makes the next n calls throw. */
function fakeAuthority(log: Log, failures: Partial<Record<keyof ActivationAuthority, unknown[]>> = {}): ActivationAuthority {
  const call = <T>(name: keyof ActivationAuthority, answer: () => T): Promise<T> => {
    log.push(`authority.${name}`);
    const failure = failures[name]?.shift();
    return failure === undefined ? Promise.resolve(answer()) : Promise.reject(failure);
  };
  const unused = () => Promise.reject(new Error('not used'));
  return {
    describe: unused,
    serverTime: unused,
    getActivation: unused,
    listActivations: unused,
    lookupProfessional: (idNat) => call('lookupProfessional', () => ({ idNat, kind: 'rpps' as const, contactOnFile: true, cardRequired: false })),
    startWithCard: () => call('startWithCard', () => ({ activationId: 'act-1', challenge: new Uint8Array(32).fill(1), expiresAt: '2025-01-01T00:02:00.000Z' })),
    proveCard: ({ activationId }) =>
      call('proveCard', () => ({ activationId, idNat: '899700000001', kind: 'rpps' as const, certificateSerial: '01', certificateNotAfter: '2030-01-01T00:00:00.000Z' })),
    requestWithoutCard: () => call('requestWithoutCard', () => ({ activationId: 'act-2', sentTo: 'ma•••@exemple.test', expiresAt: '2025-01-02T00:00:00.000Z' })),
    sendSmsCode: (activationId) => call('sendSmsCode', () => ({ activationId, sentTo: '06 •• •• •• 12', expiresAt: '2025-01-01T00:10:00.000Z', attemptsLeft: 3 })),
    verifySmsCode: (activationId) => call('verifySmsCode', () => ({ activationId, verified: true as const })),
    registerPhone: ({ activationId }) => call('registerPhone', () => record(activationId)),
  };
}

function fakeCard(log: Log, failures: { authenticate?: unknown[] } = {}): DriverCard {
  return {
    readAuthenticationCertificate: () => {
      log.push('card.readAuthenticationCertificate');
      return Promise.resolve(new Uint8Array([0x30, 0x00]));
    },
    authenticate: () => {
      log.push('card.authenticate');
      const failure = failures.authenticate?.shift();
      if (failure !== undefined) return Promise.reject(failure);
      return Promise.resolve({ signature: new Uint8Array(256).fill(2), algorithm: 'RSASSA-PKCS1-v1_5-SHA256' as const });
    },
  };
}

interface Harness {
  driver: ActivationDriver;
  log: Log;
  events: DriverEvent[];
  pairings: FakePairing[];
  /** The newest pairing session the driver made. */
  readonly pairing: FakePairing;
}

const drivers: ActivationDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop();
});

function harness(
  flow: 'with-card' | 'without-card',
  options: { authorityFailures?: Parameters<typeof fakeAuthority>[1]; cardFailures?: Parameters<typeof fakeCard>[1] } = {},
): Harness {
  const log: Log = [];
  const events: DriverEvent[] = [];
  const pairings: FakePairing[] = [];
  const driver = new ActivationDriver({
    flow,
    authority: fakeAuthority(log, options.authorityFailures),
    ...(flow === 'with-card' ? { card: fakeCard(log, options.cardFailures) } : {}),
    pairing: { bindAddress: '127.0.0.1', relayUrl: 'ws://relay.test/relay/' },
    createPairing: () => {
      const p = new FakePairing(log);
      pairings.push(p);
      return p;
    },
    tickMs: 3_600_000, // deadlines are the machines' business (tested there); no tick here
  });
  driver.on('event', (e) => events.push(e));
  drivers.push(driver);
  driver.start();
  return {
    driver,
    log,
    events,
    pairings,
    get pairing() {
      const last = pairings.at(-1);
      if (!last) throw new Error('no pairing session yet');
      return last;
    },
  };
}

async function until(what: string, condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
const stepIs = (h: Harness, step: string) => until(`step ${step} (now ${h.driver.state.step})`, () => h.driver.state.step === step);
const types = (h: Harness) => h.events.filter((e) => e.type !== 'state').map((e) => e.type);

/** With the card, up to the QR: PIN, CGU, the authority's challenge signed by the card. */
async function toQr(h: Harness): Promise<void> {
  h.driver.pinVerified(3);
  h.driver.acceptCgu('cgu-v3');
  await stepIs(h, 'showing-qr');
  await until('the QR', () => h.events.some((e) => e.type === 'qr'));
}

describe('ActivationDriver with the card (fake ports)', () => {
  it('happy path: effects run in order against the ports, the UI gets its events', async () => {
    const h = harness('with-card');
    await toQr(h);
    expect(h.pairing.startOptions).toMatchObject({ bindAddress: '127.0.0.1', relay: { url: 'ws://relay.test/relay/' } }); // no path rewriting
    h.pairing.phoneConnects();
    await stepIs(h, 'code-entry');
    await h.driver.enterCode(` ${GOOD_CODE} `);
    await stepIs(h, 'choosing-password');
    h.driver.choosePassword('2580', '2580');
    await stepIs(h, 'confirming-password');
    h.pairing.phoneProvesPassword();
    const final = await h.driver.finished();

    expect(final).toMatchObject({ step: 'done', activationId: 'act-1', passwordSet: true });
    expect(h.log).toEqual([
      'card.readAuthenticationCertificate',
      'authority.startWithCard',
      'card.authenticate',
      'authority.proveCard',
      'pairing#' + h.pairing.id + '.start',
      'pairing#' + h.pairing.id + '.confirmCode',
      'pairing#' + h.pairing.id + '.setPassword(4 digits)',
      'authority.registerPhone',
      'pairing#' + h.pairing.id + '.send(activated)',
      'pairing#' + h.pairing.id + '.stop',
    ]);
    expect(types(h)).toEqual(['qr', 'phone-connected', 'code-required', 'password-required', 'phone-password', 'done', 'end']);
    expect(h.events.find((e) => e.type === 'qr')).toMatchObject({ payload: `ecps1:fake-${h.pairing.id}`, generation: 1 });
    expect(h.events.find((e) => e.type === 'done')).toMatchObject({ activationId: 'act-1', record: { status: 'completed' } });
    const steps = h.events.flatMap((e) => (e.type === 'state' ? [e.step] : []));
    expect(steps).toEqual(['card-ready', 'cgu', 'starting-activation', 'signing-challenge', 'proving-card', 'showing-qr', 'code-entry', 'choosing-password', 'confirming-password', 'registering-phone', 'done']);
    expect(JSON.stringify(h.events)).not.toContain('2580');
  });

  it('authority down: authority-error with a resumable error, then retry succeeds', async () => {
    const h = harness('with-card', { authorityFailures: { startWithCard: [activationError('AuthorityUnreachable')] } });
    h.driver.pinVerified(3);
    h.driver.acceptCgu('cgu-v3');
    await stepIs(h, 'authority-error');
    expect(h.events.filter((e) => e.type === 'error')).toEqual([expect.objectContaining({ code: 'AuthorityUnreachable', step: 'starting-activation', resumable: true, remedy: expect.any(String) })]);
    expect(h.pairings).toHaveLength(0);

    h.driver.retry();
    await stepIs(h, 'showing-qr');
    await until('the QR', () => h.events.some((e) => e.type === 'qr'));
    expect(h.log.filter((l) => l === 'authority.startWithCard')).toHaveLength(2);
    expect(h.log.slice(-4)).toEqual(['authority.startWithCard', 'card.authenticate', 'authority.proveCard', `pairing#${h.pairing.id}.start`]);
  });

  it('card removed while the QR is shown: back to card-ready, the phone link stopped', async () => {
    const h = harness('with-card');
    await toQr(h);
    const pairing = h.pairing;
    h.driver.cardRemoved();
    await stepIs(h, 'card-ready');
    await until('the pairing stopped', () => pairing.stopped);
    expect(h.driver.state).toMatchObject({ step: 'card-ready', activationId: null });
    expect(h.events.filter((e) => e.type === 'error').at(-1)).toMatchObject({ code: 'CardRemoved' });
    // A late phone on the old session changes nothing.
    pairing.phoneConnects();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(h.driver.state.step).toBe('card-ready');
  });

  it('card pulled out while it signs: the card failure sends the flow back to card-ready', async () => {
    const h = harness('with-card', { cardFailures: { authenticate: [activationError('CardRemoved')] } });
    h.driver.pinVerified(3);
    h.driver.acceptCgu('cgu-v3');
    await stepIs(h, 'card-ready');
    expect(h.log).not.toContain('authority.proveCard');
    expect(h.events.some((e) => e.type === 'error' && e.code === 'CardRemoved')).toBe(true);
  });

  it('3 wrong codes: the pairing session is dropped and a new QR (new session) is shown', async () => {
    const h = harness('with-card');
    await toQr(h);
    const first = h.pairing;
    first.phoneConnects();
    await stepIs(h, 'code-entry');
    await h.driver.enterCode('12ab'); // malformed: costs no attempt
    expect(h.driver.state).toMatchObject({ step: 'code-entry', codeAttempts: 0 });
    await h.driver.enterCode('000001');
    await h.driver.enterCode('000002');
    expect(h.events.filter((e) => e.type === 'code-required').map((e) => (e as { attemptsLeft: number }).attemptsLeft)).toEqual([3, 3, 2, 1]);
    await h.driver.enterCode('000003');
    await stepIs(h, 'showing-qr');
    await until('a second pairing session', () => h.pairings.length === 2);
    await until('the new QR', () => h.events.filter((e) => e.type === 'qr').length === 2);
    expect(first.stopped).toBe(true);
    expect(h.events.filter((e) => e.type === 'qr').map((e) => (e as { generation: number }).generation)).toEqual([1, 2]);
    expect(h.events.some((e) => e.type === 'error' && e.code === 'PairingCodeAttemptsExhausted')).toBe(true);
    // The new session works.
    h.pairing.phoneConnects();
    await stepIs(h, 'code-entry');
    await h.driver.enterCode(GOOD_CODE);
    await stepIs(h, 'choosing-password');
  });
});

describe('ActivationDriver without the card (fake ports)', () => {
  async function toCodeEntry(h: Harness): Promise<void> {
    h.driver.enterNationalId('79927398713');
    await stepIs(h, 'ready-to-request');
    h.driver.confirmRequest();
    await stepIs(h, 'awaiting-phone-scan');
    h.pairing.phoneConnects();
    await stepIs(h, 'code-entry');
  }

  it('the phone’s code is confirmed in the machine before the SMS is sent, then the flow completes', async () => {
    const h = harness('without-card');
    await toCodeEntry(h);
    expect(h.log).not.toContain('authority.sendSmsCode');
    expect(h.events.find((e) => e.type === 'request-sent')).toMatchObject({ activationId: 'act-2', payload: `ecps1:fake-${h.pairing.id}` });
    await h.driver.enterCode(GOOD_CODE);
    await stepIs(h, 'sms-code');
    await until('the SMS', () => h.events.some((e) => e.type === 'sms-sent'));
    h.pairing.emit('message', { topic: 'sms-code', body: { code: '654321' } });
    await stepIs(h, 'choosing-password');
    h.driver.choosePassword('7391', '7391');
    await stepIs(h, 'confirming-password');
    h.pairing.phoneProvesPassword();
    expect(await h.driver.finished()).toMatchObject({ step: 'done' });
    const id = h.pairing.id;
    expect(h.log).toEqual([
      'authority.lookupProfessional',
      `pairing#${id}.start`,
      'authority.requestWithoutCard',
      `pairing#${id}.confirmCode`,
      'authority.sendSmsCode',
      `pairing#${id}.send(sms-sent)`,
      'authority.verifySmsCode',
      `pairing#${id}.send(sms-result)`,
      `pairing#${id}.setPassword(4 digits)`,
      'authority.registerPhone',
      `pairing#${id}.send(activated)`,
      `pairing#${id}.stop`,
    ]);
    expect(types(h)).toEqual(['contact', 'request-sent', 'phone-connected', 'code-required', 'sms-sent', 'sms-attempts', 'password-required', 'phone-password', 'done', 'end']);
  });

  it('« Renvoyer l’e-mail »: the first QR’s pairing is stopped, a new request mails a new QR with its deadline', async () => {
    const h = harness('without-card');
    h.driver.enterNationalId('79927398713');
    await stepIs(h, 'ready-to-request');
    h.driver.confirmRequest();
    await stepIs(h, 'awaiting-phone-scan');
    const first = h.pairing;
    h.driver.resend('email');
    await until('a second pairing', () => h.pairings.length === 2 && h.driver.state.step === 'awaiting-phone-scan');
    expect(first.stopped).toBe(true);
    const sent = h.events.filter((e) => e.type === 'request-sent');
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ payload: `ecps1:fake-${h.pairing.id}`, expiresAt: expect.any(Number) });
    expect(h.log.filter((l) => l === 'authority.requestWithoutCard')).toHaveLength(2);
  });

  it('a wrong SMS code: the phone and the screen get the same tries left; « Renvoyer le SMS » counts afresh', async () => {
    const h = harness('without-card', { authorityFailures: { verifySmsCode: [activationError('SmsCodeIncorrect', { n: 2 })] } });
    await toCodeEntry(h);
    await h.driver.enterCode(GOOD_CODE);
    await until('the SMS', () => h.events.some((e) => e.type === 'sms-attempts'));
    expect(h.events.filter((e) => e.type === 'sms-attempts').at(-1)).toEqual({ type: 'sms-attempts', attemptsLeft: 3 });
    h.pairing.emit('message', { topic: 'sms-code', body: { code: '000000' } });
    await until('the wrong code counted', () => h.events.filter((e) => e.type === 'sms-attempts').length === 2);
    expect(h.events.filter((e) => e.type === 'sms-attempts').at(-1)).toEqual({ type: 'sms-attempts', attemptsLeft: 2 });
    expect(h.pairing.sent.find((m) => m.topic === 'sms-result')?.body).toEqual({ ok: false, attemptsLeft: 2 });
    h.driver.resend('sms');
    await until('a new SMS', () => h.log.filter((l) => l === 'authority.sendSmsCode').length === 2);
    await until('the count renewed', () => h.events.filter((e) => e.type === 'sms-attempts').length === 3);
    expect(h.events.filter((e) => e.type === 'sms-attempts').at(-1)).toEqual({ type: 'sms-attempts', attemptsLeft: 3 });
    expect(h.driver.state).toMatchObject({ step: 'sms-code', smsAttempts: 0 });
  });

  it('3 wrong codes: the e-mailed QR is revoked, a terminal error asks for a new request', async () => {
    const h = harness('without-card');
    await toCodeEntry(h);
    const pairing = h.pairing;
    await h.driver.enterCode('000001');
    await h.driver.enterCode('000002');
    await h.driver.enterCode('000003');
    const final = await h.driver.finished();
    expect(final).toMatchObject({ step: 'failed', error: { code: 'EmailedQrRevoked' } });
    expect(pairing.stopped).toBe(true);
    expect(h.log).not.toContain('authority.sendSmsCode');
    const error = h.events.filter((e) => e.type === 'error').at(-1);
    expect(error).toMatchObject({ code: 'EmailedQrRevoked', resumable: false });
    expect((error as { remedy: string }).remedy).toContain('nouvelle demande');
    expect(types(h).at(-1)).toBe('end');
  });
});
