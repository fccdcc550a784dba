/**
 * ActivationDriver: the orchestrator that turns the pure flow machines (with-card.ts,
 * without-card.ts) into one running activation. It
 *   - feeds the user's actions (PIN verified, CGU accepted, code typed, password chosen…),
 *     the card's, the authority's and the phone's outcomes to `flow.transition` as events;
 *   - runs the effects the machine returns against injected ports: the ActivationAuthority,
 *     a PairingSession factory (bind address, relay) and a small card interface;
 *   - ticks once a second so the machine's deadlines fire;
 *   - reports what a UI needs as `DriverEvent`s (`qr`, `phone-connected`, `code-required`,
 *     `password-required`, `done`, `error`, `state`…), the same for the CLI and the app.
 *
 * What the phone sends besides the pairing protocol (application `data` topics, sealed):
 *   phone → desktop  `enrolment { phonePublicKey, passwordVerifier }` (base64url, after the
 *                    password proof), `sms-code { code }` (without the card)
 *   desktop → phone  `sms-sent { sentTo }`, `sms-result { ok, attemptsLeft }`,
 *                    `activated { activationId }` (the authority registered the phone)
 *
 * Secrets: the PIN never reaches this file (the caller verifies it through the card layer's
 * safety path); the e-CPS password is handed to the pairing session once and dropped.
 */
import { EventEmitter } from 'node:events';
import type { ActivationAuthority, ActivationRecord, CardSignatureAlgorithm } from '../../src-shared/activation-authority';
import { EcpsError, isEcpsError, type Lang } from '../../src-shared/errors';
import type { PairingEvents, PairingStartOptions } from '../pairing/pairing-types';
import { PairingSession } from '../pairing/pairing-session';
import { describeState, type ActivationState } from './describe';
import { activationError, errorOfState } from './errors';
import type { ActivationEffect } from './machine';
import { createWithCardFlow, type WithCardEvent, type WithCardState, type WithCardTimings } from './with-card';
import { WITHOUT_CARD_TIMINGS, createWithoutCardFlow, type WithoutCardEvent, type WithoutCardState, type WithoutCardTimings } from './without-card';

/** What the driver needs of a CPS (CpsCard fits; the PIN is verified before, by the caller). */
export interface DriverCard {
  readAuthenticationCertificate(): Promise<Uint8Array>;
  authenticate(challenge: Uint8Array): Promise<{ signature: Uint8Array; algorithm: CardSignatureAlgorithm }>;
}

/** What the driver uses of a PairingSession (a test may pass a double). */
export interface DriverPairing extends EventEmitter<PairingEvents> {
  start(options?: PairingStartOptions): Promise<{ qrPayload: string; expiresAt: number }>;
  stop(): Promise<void>;
  confirmCode(code: string): Promise<{ ok: true } | { ok: false; reason: 'format' | 'mismatch' | 'reset'; attemptsLeft: number }>;
  setPassword(password: string): void;
  send(topic: string, body: unknown): void;
}

export type DriverEvent =
  | { type: 'state'; step: string; text: string }
  | { type: 'qr'; payload: string; expiresAt: number; generation: number; phonePageUrl?: string }
  /** Without the card: the masked contact details on file, shown BEFORE the request is sent. */
  | { type: 'contact'; email?: string; mobile?: string }
  /** The e-mailed QR: where it went, when it stops working (the pairing's deadline), the demo phone page. */
  | { type: 'request-sent'; activationId: string; sentTo: string; payload: string; expiresAt: number; phonePageUrl?: string }
  | { type: 'phone-connected'; via: 'direct' | 'relay' }
  | { type: 'code-required'; attemptsLeft: number }
  | { type: 'sms-sent'; sentTo: string }
  /** SMS code tries left, as the machine counts them (after each send and each wrong code). */
  | { type: 'sms-attempts'; attemptsLeft: number }
  | { type: 'password-required' }
  | { type: 'phone-password' }
  | { type: 'done'; activationId: string; record: ActivationRecord; completedAt?: string }
  | { type: 'error'; code: string; message: string; remedy?: string; step: string; resumable: boolean }
  | { type: 'end'; step: string };

export interface ActivationDriverOptions {
  flow: 'with-card' | 'without-card';
  authority: ActivationAuthority;
  /** With the card: the card's authentication key and certificate. */
  card?: DriverCard;
  /** Where the phone connects: one interface, and the relay base URL when there is one. */
  pairing?: {
    bindAddress?: string;
    relayUrl?: string;
    passwordIterations?: number;
    timings?: PairingStartOptions['timings'];
    /**
     * Demo/sandbox only (the caller decides; never with a real authority): the reference phone
     * page's URL (simulators/phone/page-server.ts). Its exact origin becomes the one Origin the
     * pairing accepts, and `qr` events carry `phonePageUrl` = that URL with the payload in its fragment.
     */
    phonePage?: { url: string };
  };
  createPairing?: () => DriverPairing;
  lang?: Lang;
  tickMs?: number;
  now?: () => number;
  withCardTimings?: Partial<WithCardTimings>;
  withoutCardTimings?: Partial<WithoutCardTimings>;
}

type AnyEvent = WithCardEvent | WithoutCardEvent;
type AnyFlow = {
  initial(now: number): ActivationState;
  transition(state: ActivationState, event: AnyEvent, now: number): { state: ActivationState; effects: readonly ActivationEffect[] };
  isTerminal(state: ActivationState): boolean;
};

const TRANSPORT_CODES = new Set(['AuthorityUnreachable', 'AuthorityTimeout', 'AuthorityProtocolError', 'InternalError']);
const CARD_GONE = /CardRemoved|ConnectionBroken|CardUnpowered|CardReset|NoCard|ReaderUnavailable|ConnectionClosed|CardMute|CardNotResponding/;

export class ActivationDriver extends EventEmitter<{ event: [DriverEvent] }> {
  private readonly flow: AnyFlow;
  private stateNow: ActivationState;
  private readonly lang: Lang;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private pairing: DriverPairing | undefined;
  private pairingGeneration = 0;
  /** Bumped by every cleanup: results of work started before are dropped. */
  private epoch = 0;
  private algorithm: CardSignatureAlgorithm = 'RSASSA-PKCS1-v1_5-SHA256';
  private enrolment: { phonePublicKey: Uint8Array; passwordVerifier: Uint8Array } | undefined;
  private enrolmentWaiters: (() => void)[] = [];
  private lastQr: { payload: string; expiresAt: number } | undefined;
  private ended = false;
  private lastErrorCode: string | undefined;
  private readonly endPromise: Promise<ActivationState>;
  private resolveEnd: (s: ActivationState) => void = () => undefined;
  /** Serialises effects so their order is the machine's. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: ActivationDriverOptions) {
    super();
    this.lang = options.lang ?? 'fr';
    this.now = options.now ?? Date.now;
    this.flow = (options.flow === 'with-card' ? createWithCardFlow(options.withCardTimings) : createWithoutCardFlow(options.withoutCardTimings)) as unknown as AnyFlow;
    this.stateNow = this.flow.initial(this.now());
    this.endPromise = new Promise((resolve) => (this.resolveEnd = resolve));
  }

  get state(): ActivationState {
    return this.stateNow;
  }

  /** Resolves with the final state (done, failed, cancelled, guidance) or when stopped. */
  finished(): Promise<ActivationState> {
    return this.endPromise;
  }

  start(): void {
    this.emitState();
    this.timer = setInterval(() => this.send({ type: 'tick' }), this.options.tickMs ?? 1_000);
    this.timer.unref();
  }

  // ------------------------------------------------------------------ user and card actions

  pinVerified(triesLeft: number): void {
    this.send({ type: 'pin-verified', triesLeft });
  }
  pinFailed(triesLeft: number): void {
    this.send({ type: 'pin-failed', triesLeft });
  }
  acceptCgu(version: string): void {
    this.send({ type: 'cgu-accepted', version });
  }
  enterNationalId(value: string): void {
    this.send({ type: 'national-id-entered', value });
  }
  confirmRequest(): void {
    this.send({ type: 'request-sent-confirmed' });
  }
  /** « Renvoyer l’e-mail » (a new request and QR) or « Renvoyer le SMS » (a new code). */
  resend(what: 'email' | 'sms'): void {
    this.send({ type: what === 'email' ? 'resend-email' : 'resend-sms' });
  }
  /** The card left the reader, or (`service-down`) the PC/SC service stopped under it. */
  cardRemoved(reason?: 'service-down'): void {
    this.send(reason ? { type: 'card-removed', reason } : { type: 'card-removed' });
  }
  retry(): void {
    this.send({ type: 'retry' });
  }
  cancel(): void {
    this.send({ type: 'cancel' });
  }

  /** The code the phone shows, typed on the computer: checked by the pairing session. */
  async enterCode(code: string): Promise<void> {
    const pairing = this.pairing;
    if (!pairing) return;
    let result;
    try {
      result = await pairing.confirmCode(code.trim());
    } catch (error) {
      this.reportError(error);
      return;
    }
    // A malformed code (not 6 digits) costs no attempt; the machine counts the others, in both
    // flows (3 wrong: with the card a new QR, without it the e-mailed QR is revoked).
    if (!result.ok && result.reason === 'format') {
      this.reportError(activationError('PairingCodeIncorrect', { n: result.attemptsLeft }));
      this.emitUi({ type: 'code-required', attemptsLeft: result.attemptsLeft });
      return;
    }
    this.send({ type: 'code-entered', correct: result.ok });
    const s = this.stateNow;
    if (s.step === 'code-entry') this.emitUi({ type: 'code-required', attemptsLeft: 3 - (s as WithCardState | WithoutCardState).codeAttempts });
  }

  /** The e-CPS password, typed twice; the machine refuses trivial ones (then asks again). */
  choosePassword(first: string, second: string): void {
    this.send({ type: 'password-chosen', first, second });
    if (this.stateNow.step === 'choosing-password') this.emitUi({ type: 'password-required' });
  }

  /** Stops everything (timer, pairing); the flow is left where it is. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.epoch++;
    await this.stopPairing();
    this.finish();
  }

  // ------------------------------------------------------------------ the machine

  /**
   * Feeds one event to the machine. `cause`: the port failure behind it (authority down…), reported
   * once the machine has moved, so `resumable` says whether `retry` now works (`step` stays the
   * step that failed), and still before the new step's `state` event (the CLI reads it there).
   */
  private send(event: AnyEvent, cause?: unknown): void {
    if (this.ended) return;
    const before = this.stateNow;
    let out;
    try {
      out = this.flow.transition(before, event, this.now());
    } catch (error) {
      // A late result (the flow moved on meanwhile) is not an error the user must see.
      if (isEcpsError(error, 'InvalidTransition')) {
        if (cause !== undefined) this.reportError(cause);
        return;
      }
      throw error;
    }
    this.stateNow = out.state;
    if (cause !== undefined) this.reportError(cause, before.step);
    if (out.state !== before && (out.state.step !== before.step || out.state.error !== before.error)) {
      if (out.state.error !== null && out.state.error !== before.error && out.state.error.code !== this.lastErrorCode) this.reportError(errorOfState(out.state)!);
      this.lastErrorCode = undefined;
      if (out.state.step !== before.step || out.state.error !== before.error) this.emitState();
      this.prompt(before);
    }
    for (const effect of out.effects) this.chain = this.chain.then(() => this.run(effect)).catch((error: unknown) => this.reportError(error));
    if (this.flow.isTerminal(out.state)) void this.chain.then(() => this.finish());
  }

  /** The UI events a step entered asks for. */
  private prompt(before: ActivationState): void {
    const s = this.stateNow;
    if (s.step === before.step) return;
    if (s.step === 'code-entry') this.emitUi({ type: 'code-required', attemptsLeft: 3 });
    if (s.step === 'choosing-password') this.emitUi({ type: 'password-required' });
    if (s.step === 'confirming-password') this.emitUi({ type: 'phone-password' });
  }

  private async run(effect: ActivationEffect): Promise<void> {
    const epoch = this.epoch;
    const feed = (event: AnyEvent, cause?: unknown) => {
      if (epoch === this.epoch) this.send(event, cause);
    };
    const authorityFailed = (error: unknown) => {
      if (epoch !== this.epoch) return;
      const code = isEcpsError(error) ? error.code : 'InternalError';
      if (TRANSPORT_CODES.has(code) || !isEcpsError(error)) feed({ type: 'authority-unreachable' }, error);
      else feed({ type: 'authority-refused', reason: code }, error);
    };
    const { authority } = this.options;
    switch (effect.type) {
      case 'start-activation': {
        const card = this.requireCard();
        let certificateDer: Uint8Array;
        try {
          certificateDer = await card.readAuthenticationCertificate();
        } catch (error) {
          return this.cardFailed(error, epoch);
        }
        try {
          const c = await authority.startWithCard({ certificateDer, cguVersion: effect.cguVersion });
          feed({ type: 'challenge-received', activationId: c.activationId, challenge: Buffer.from(c.challenge).toString('base64') });
        } catch (error) {
          authorityFailed(error);
        }
        return;
      }
      case 'sign-challenge': {
        try {
          const signed = await this.requireCard().authenticate(new Uint8Array(Buffer.from(effect.challenge, 'base64')));
          this.algorithm = signed.algorithm;
          feed({ type: 'challenge-signed', signature: Buffer.from(signed.signature).toString('base64') });
        } catch (error) {
          this.cardFailed(error, epoch);
        }
        return;
      }
      case 'send-card-proof':
        try {
          await authority.proveCard({ activationId: effect.activationId, signature: new Uint8Array(Buffer.from(effect.signature, 'base64')), algorithm: this.algorithm });
          feed({ type: 'card-proof-accepted' });
        } catch (error) {
          authorityFailed(error);
        }
        return;
      case 'show-qr':
      case 'renew-qr':
        await this.startPairing(effect.lifetimeMs, effect.generation);
        return;
      case 'reset-pairing':
        await this.stopPairing();
        return;
      case 'send-sms-code':
        await this.sendSms(effect.activationId, epoch);
        return;
      case 'send-password-proof':
        try {
          this.pairing?.setPassword(effect.password);
        } catch (error) {
          this.reportError(error);
        }
        return;
      case 'lookup-professional':
        try {
          const found = await authority.lookupProfessional(effect.idNat);
          if (epoch === this.epoch && found.contactOnFile) {
            this.emitUi({ type: 'contact', ...(found.maskedEmail ? { email: found.maskedEmail } : {}), ...(found.maskedPhone ? { mobile: found.maskedPhone } : {}) });
          }
          feed({ type: 'contact-on-file', onFile: found.contactOnFile });
        } catch (error) {
          if (isEcpsError(error, 'ProfessionalUnknown')) feed({ type: 'professional-unknown' });
          else authorityFailed(error);
        }
        return;
      case 'request-activation': {
        // The e-mailed QR is this desktop's pairing QR: the server listens while it is valid.
        const lifetimeMs = this.options.withoutCardTimings?.emailedQrMs ?? 30 * 60_000;
        const qr = await this.startPairing(lifetimeMs, 1, false);
        if (!qr) return;
        try {
          const sent = await authority.requestWithoutCard({ idNat: effect.idNat, qrPayload: qr.payload });
          if (epoch !== this.epoch) return;
          this.emitUi({ type: 'request-sent', activationId: sent.activationId, sentTo: sent.sentTo, payload: qr.payload, expiresAt: qr.expiresAt, ...this.phonePageLink(qr.payload) });
          feed({ type: 'qr-emailed', activationId: sent.activationId });
        } catch (error) {
          await this.stopPairing();
          authorityFailed(error);
        }
        return;
      }
      case 'register-phone': {
        const enrolment = await this.waitForEnrolment(epoch);
        if (!enrolment) return;
        try {
          const record = await authority.registerPhone({ activationId: effect.activationId, ...enrolment });
          if (epoch !== this.epoch) return;
          try {
            this.pairing?.send('activated', { activationId: record.activationId });
          } catch {
            // the phone left after its proof: the activation is recorded all the same
          }
          this.emitUi({ type: 'done', activationId: record.activationId, record, ...(record.completedAt ? { completedAt: record.completedAt } : {}) });
          feed({ type: 'phone-registered' });
        } catch (error) {
          authorityFailed(error);
        }
        return;
      }
      case 'cleanup':
        this.epoch++;
        this.enrolment = undefined;
        await this.stopPairing();
        return;
    }
  }

  private requireCard(): DriverCard {
    if (!this.options.card) throw activationError('CardRemoved');
    return this.options.card;
  }

  private cardFailed(error: unknown, epoch: number): void {
    if (epoch !== this.epoch) return;
    // Pulled out, mute or refusing: in every case the activation restarts at the PIN.
    void CARD_GONE;
    this.send({ type: 'card-removed' }, error);
  }

  // ------------------------------------------------------------------ the phone link

  private async startPairing(lifetimeMs: number, generation: number, show = true): Promise<{ payload: string; expiresAt: number } | undefined> {
    await this.stopPairing();
    const pairing: DriverPairing = this.options.createPairing?.() ?? new PairingSession();
    const mine = ++this.pairingGeneration;
    this.pairing = pairing;
    this.enrolment = undefined;
    const live = () => this.pairing === pairing && mine === this.pairingGeneration;
    pairing.on('phone-connected', ({ via }) => {
      if (!live()) return;
      this.emitUi({ type: 'phone-connected', via });
      this.send({ type: 'phone-connected' });
    });
    pairing.on('password-verified', () => live() && this.send({ type: 'phone-password-confirmed' }));
    pairing.on('password-rejected', () => live() && this.send({ type: 'phone-password-mismatch' }));
    pairing.on('phone-lost', () => {
      if (!live() || this.stateNow.step === 'done' || this.stateNow.step === 'registering-phone') return;
      if (this.stateNow.flow === 'with-card') this.send({ type: 'phone-disconnected' });
    });
    pairing.on('qr', ({ qrPayload, expiresAt, reason }) => {
      // Rotations the session makes on its own while a QR is shown (hostile hellos): show the new one.
      if (!live() || reason !== 'too-many-attempts' || this.stateNow.step !== 'showing-qr') return;
      this.lastQr = { payload: qrPayload, expiresAt };
      this.emitUi({ type: 'qr', payload: qrPayload, expiresAt, generation, ...this.phonePageLink(qrPayload) });
    });
    pairing.on('message', ({ topic, body }) => live() && this.onPhoneData(topic, body));
    const { pairing: p = {} } = this.options;
    try {
      const qr = await pairing.start({
        bindAddress: p.bindAddress ?? '127.0.0.1',
        ttlMs: lifetimeMs,
        ...(p.relayUrl ? { relay: { url: p.relayUrl } } : {}),
        ...(p.passwordIterations ? { passwordIterations: p.passwordIterations } : {}),
        ...(p.timings ? { timings: p.timings } : {}),
        ...(phonePageOrigin(p.phonePage) ? { allowedOrigins: [phonePageOrigin(p.phonePage)!] } : {}),
      });
      if (!live()) return undefined;
      this.lastQr = { payload: qr.qrPayload, expiresAt: qr.expiresAt };
      if (show) this.emitUi({ type: 'qr', payload: qr.qrPayload, expiresAt: qr.expiresAt, generation, ...this.phonePageLink(qr.qrPayload) });
      return { payload: qr.qrPayload, expiresAt: qr.expiresAt };
    } catch (error) {
      if (!live()) return undefined; // stopped meanwhile (a newer QR, a cancel): nothing failed
      this.reportError(error);
      this.send({ type: 'cancel' });
      return undefined;
    }
  }

  /** The phone page's link for this QR (demo), when a valid page URL was given. */
  private phonePageLink(qrPayload: string): { phonePageUrl?: string } {
    const page = this.options.pairing?.phonePage;
    const origin = phonePageOrigin(page);
    return page && origin ? { phonePageUrl: `${origin}/#${qrPayload}` } : {};
  }

  private async stopPairing(): Promise<void> {
    const pairing = this.pairing;
    this.pairing = undefined;
    this.pairingGeneration++;
    if (!pairing) return;
    await pairing.stop().catch(() => undefined);
    pairing.removeAllListeners();
  }

  private onPhoneData(topic: string, body: unknown): void {
    const b = (body ?? {}) as Record<string, unknown>;
    if (topic === 'enrolment') {
      const key = typeof b.phonePublicKey === 'string' ? Buffer.from(b.phonePublicKey, 'base64url') : undefined;
      const verifier = typeof b.passwordVerifier === 'string' ? Buffer.from(b.passwordVerifier, 'base64url') : undefined;
      if (!key || !verifier) return;
      this.enrolment = { phonePublicKey: new Uint8Array(key), passwordVerifier: new Uint8Array(verifier) };
      for (const wake of this.enrolmentWaiters.splice(0)) wake();
      return;
    }
    if (topic === 'sms-code' && typeof b.code === 'string' && this.stateNow.flow === 'without-card' && this.stateNow.step === 'sms-code') {
      void this.verifySms(b.code);
    }
  }

  private waitForEnrolment(epoch: number): Promise<{ phonePublicKey: Uint8Array; passwordVerifier: Uint8Array } | undefined> {
    if (this.enrolment) return Promise.resolve(this.enrolment);
    return new Promise((resolve) => {
      this.enrolmentWaiters.push(() => resolve(epoch === this.epoch ? this.enrolment : undefined));
    });
  }

  private async sendSms(activationId: string, epoch: number): Promise<void> {
    try {
      const sent = await this.options.authority.sendSmsCode(activationId);
      if (epoch !== this.epoch) return;
      this.emitUi({ type: 'sms-sent', sentTo: sent.sentTo });
      this.emitSmsAttempts();
      this.pairing?.send('sms-sent', { sentTo: sent.sentTo });
    } catch (error) {
      this.reportError(error);
    }
  }

  private async verifySms(code: string): Promise<void> {
    const activationId = this.stateNow.activationId;
    if (!activationId) return;
    try {
      await this.options.authority.verifySmsCode(activationId, code);
      this.pairing?.send('sms-result', { ok: true, attemptsLeft: 0 });
      this.send({ type: 'sms-code-verified' });
    } catch (error) {
      const wrong = isEcpsError(error, 'SmsCodeIncorrect') || isEcpsError(error, 'SmsAttemptsExhausted');
      if (wrong) this.send({ type: 'sms-code-wrong' });
      else this.reportError(error);
      // The phone is told the same count as the computer shows: the machine's (issue 12 item 6).
      const attemptsLeft = wrong ? this.smsAttemptsLeft() : isEcpsError(error) && typeof error.details.attemptsLeft === 'number' ? error.details.attemptsLeft : 0;
      try {
        this.pairing?.send('sms-result', { ok: false, attemptsLeft });
      } catch {
        // phone gone
      }
      if (wrong) this.emitSmsAttempts();
    }
  }

  /** SMS code tries left now (0 once the request was dropped for too many wrong codes). */
  private smsAttemptsLeft(): number {
    const s = this.stateNow;
    if (s.flow !== 'without-card' || s.step !== 'sms-code') return 0;
    const max = this.options.withoutCardTimings?.maxSmsAttempts ?? WITHOUT_CARD_TIMINGS.maxSmsAttempts;
    return Math.max(0, max - s.smsAttempts);
  }

  private emitSmsAttempts(): void {
    if (this.stateNow.step === 'sms-code') this.emitUi({ type: 'sms-attempts', attemptsLeft: this.smsAttemptsLeft() });
  }

  // ------------------------------------------------------------------ UI events

  private emitUi(event: DriverEvent): void {
    this.emit('event', event);
  }

  private emitState(): void {
    this.emitUi({ type: 'state', step: this.stateNow.step, text: describeState(this.stateNow, this.lang) });
  }

  private reportError(error: unknown, step: string = this.stateNow.step): void {
    const err: EcpsError = isEcpsError(error)
      ? error
      : new EcpsError('UnexpectedError', { message: { fr: `Erreur inattendue : ${String(error)}`, en: `Unexpected error: ${String(error)}` } });
    const remedy = err.remedyText(this.lang);
    this.lastErrorCode = err.code;
    this.emitUi({
      type: 'error',
      code: err.code,
      message: err.text(this.lang),
      ...(remedy ? { remedy } : {}),
      step,
      resumable: this.stateNow.step === 'authority-error',
    });
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    this.emitUi({ type: 'end', step: this.stateNow.step });
    this.resolveEnd(this.stateNow);
  }

  /** The last QR shown (tests, a UI re-rendering). */
  get currentQr(): { payload: string; expiresAt: number } | undefined {
    return this.lastQr;
  }
}

/** The exact origin of the phone page (`http(s)://host:port`), or undefined: never a wildcard, never `null`. */
export function phonePageOrigin(page: { url: string } | undefined): string | undefined {
  if (!page) return undefined;
  try {
    const url = new URL(page.url);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.hostname.includes('*')) return undefined;
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

export type { WithCardState, WithoutCardState };
