/**
 * The sandbox activation authority, in-process (demo default; the standalone HTTP server wraps
 * the same object). It plays the ANS for training, demos and tests: a directory of fictitious
 * professionals, card proofs checked against the sandbox PKI, and an outbox instead of real
 * e-mails and SMS. Every change goes through the document store, so with a file store the
 * activations survive restarts and crashes (json-store.ts).
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import {
  authorityError,
  parseNationalId,
  SMS_CODE_ATTEMPTS,
  type ActivationAuthority,
  type ActivationRecord,
  type AuthorityDescription,
  type CardChallenge,
  type ProfessionalLookup,
  type ProveCardRequest,
  type RegisterPhoneRequest,
  type SmsCodeSent,
  type StartWithCardRequest,
  type VerifiedHolder,
  type WithoutCardRequest,
  type WithoutCardRequestResult,
} from '../../src-shared/activation-authority';
import { fromBase64, toBase64 } from '../../src-shared/activation-authority-wire';
import { decodeQrPayload } from '../../src-shared/pairing-protocol';
import { dayAndMonth } from '../../src-shared/day-month';
import type { EcpsError } from '../../src-shared/errors';
import { checkCardCertificate, checkCardSignature, sandboxCardTrust, type CardTrust } from './card-proof';
import { maskEmail, maskMobile, ProfessionalDirectory } from './directory';
import { MemoryStore, type DocumentStore } from './json-store';
import { authorityStateCodec, OUTBOX_LIMIT, publicRecord, type AuthorityState, type OutboxMessage, type StoredActivation } from './state';

/** Lifetimes [I]: no public figure exists for the real service; the QR's 90 s is the pairing's. */
export const DEFAULT_LIFETIMES = {
  /** The card signs right after the challenge arrives: a short window. */
  challengeMs: 2 * 60_000,
  /** From the card proof to the phone registered (QR, code, password). */
  withCardMs: 15 * 60_000,
  /** The QR e-mail may be read later in the day. */
  withoutCardMs: 24 * 3_600_000,
  smsCodeMs: 10 * 60_000,
};
/**
 * When the mailed QR stops working: the pairing payload's own deadline (the companion stops
 * waiting for the phone then), never later than the activation itself. One deadline, said the
 * same way in the e-mail and on the companion's screen (issue 12 item 6).
 */
function qrValidUntil(qrPayload: string, activationExpiresAt: string): Date {
  const activationEnd = Date.parse(activationExpiresAt);
  try {
    return new Date(Math.min(decodeQrPayload(qrPayload).expiresAt, activationEnd));
  } catch {
    return new Date(activationEnd);
  }
}

/** « Ce QR code est valable 30 minutes, jusqu’à 15:42. » — local time, as the companion shows it. */
export function qrValidity(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.round((until.getTime() - now.getTime()) / 60_000));
  const duration = minutes < 120 ? `${minutes} minute${minutes >= 2 ? 's' : ''}` : `${Math.round(minutes / 60)} heures`;
  const time = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' }).format(until);
  if (until.toDateString() === now.toDateString()) return `Ce QR code est valable ${duration}, jusqu’à ${time}.`;
  return `Ce QR code est valable ${duration}, jusqu’au ${dayAndMonth(until, 'fr')} à ${time}.`;
}

/** SMS sends per activation: each send renews the code, so unlimited sends would mean unlimited guesses. */
export const SMS_SEND_LIMIT = 3;

export interface SandboxAuthorityOptions {
  store?: DocumentStore<AuthorityState>;
  directory?: ProfessionalDirectory;
  trust?: CardTrust;
  /** Injected clock (tests of expiry); default the system clock. */
  now?: () => Date;
  /** CGU versions accepted; default any well-formed version. */
  acceptedCguVersions?: readonly string[];
  lifetimes?: Partial<typeof DEFAULT_LIFETIMES>;
  /** What describe() reports: the HTTP server sets its URL and relay. */
  url?: string;
  relayUrl?: string;
}

export class SandboxAuthority implements ActivationAuthority {
  private readonly store: DocumentStore<AuthorityState>;
  private readonly directory: ProfessionalDirectory;
  private readonly trust: CardTrust;
  private readonly now: () => Date;
  private readonly lifetimes: typeof DEFAULT_LIFETIMES;

  constructor(private readonly options: SandboxAuthorityOptions = {}) {
    this.store = options.store ?? new MemoryStore(authorityStateCodec.initial());
    this.directory = options.directory ?? ProfessionalDirectory.load();
    this.trust = options.trust ?? sandboxCardTrust();
    this.now = options.now ?? (() => new Date());
    this.lifetimes = { ...DEFAULT_LIFETIMES, ...options.lifetimes };
  }

  async describe(): Promise<AuthorityDescription> {
    return {
      kind: 'sandbox',
      transport: 'in-process',
      url: this.options.url ?? 'in-process:sandbox',
      label: { fr: 'Autorité de test (bac à sable) — aucune e-CPS réelle n’est activée', en: 'Sandbox test authority — no real e-CPS is activated' },
      ...(this.options.relayUrl !== undefined ? { relayUrl: this.options.relayUrl } : {}),
      apiVersion: 1,
    };
  }

  async serverTime() {
    return { serverTime: this.now().toISOString(), skewMs: 0 };
  }

  async lookupProfessional(idNat: string): Promise<ProfessionalLookup> {
    return ProfessionalDirectory.describe(this.findProfessional(idNat));
  }

  async startWithCard(request: StartWithCardRequest): Promise<CardChallenge> {
    const { acceptedCguVersions } = this.options;
    if (!/^[\w.-]{1,32}$/.test(request.cguVersion) || (acceptedCguVersions && !acceptedCguVersions.includes(request.cguVersion))) {
      throw authorityError('CguVersionUnsupported', { details: { cguVersion: request.cguVersion.slice(0, 32) } });
    }
    const now = this.now();
    // Refused early (expired, untrusted…) so the user is told before touching the phone.
    const identity = checkCardCertificate(request.certificateDer, this.trust, now);
    const challenge = randomBytes(32);
    const activation: StoredActivation = {
      ...this.newActivation('with-card', identity.idNat, now, this.lifetimes.withCardMs),
      status: 'card-challenge',
      cguVersion: request.cguVersion,
      certificateDer: toBase64(request.certificateDer),
      challenge: toBase64(challenge),
      challengeExpiresAt: this.after(now, this.lifetimes.challengeMs),
    };
    await this.store.update((s) => void (s.activations[activation.activationId] = activation));
    return { activationId: activation.activationId, challenge: new Uint8Array(challenge), expiresAt: activation.challengeExpiresAt! };
  }

  async proveCard(request: ProveCardRequest): Promise<VerifiedHolder> {
    const now = this.now();
    let verified: VerifiedHolder | undefined;
    const refusal = await this.change(request.activationId, ['card-challenge'], (a) => {
      const certificateDer = fromBase64(a.certificateDer ?? '');
      const challenge = fromBase64(a.challenge ?? '');
      // The challenge is single-use: whatever the outcome, it is gone.
      delete a.challenge;
      if (Date.parse(a.challengeExpiresAt ?? '') < now.getTime()) return this.lock(a, authorityError('ActivationExpired'));
      try {
        const identity = checkCardCertificate(certificateDer, this.trust, now); // may have expired meanwhile
        checkCardSignature(challenge, request.signature, request.algorithm, certificateDer);
        a.status = 'card-verified';
        a.holder = {
          ...(identity.surname !== undefined ? { surname: identity.surname } : {}),
          ...(identity.givenName !== undefined ? { givenName: identity.givenName } : {}),
          ...(identity.profession !== undefined ? { profession: identity.profession } : {}),
        };
        verified = {
          activationId: a.activationId,
          idNat: identity.idNat,
          kind: identity.rpps !== undefined ? 'rpps' : 'adeli',
          ...a.holder,
          certificateSerial: identity.certificateSerial,
          certificateNotAfter: identity.notAfter.toISOString(),
        };
        return undefined;
      } catch (error) {
        return this.lock(a, error as EcpsError);
      }
    });
    if (refusal) throw refusal;
    return verified!;
  }

  async requestWithoutCard(request: WithoutCardRequest): Promise<WithoutCardRequestResult> {
    const entry = this.findProfessional(request.idNat);
    if (entry.idNat.startsWith('0')) throw authorityError('CardRequired');
    if (entry.email === undefined || entry.mobile === undefined) {
      throw authorityError('ContactDetailsMissing', { details: { email: entry.email !== undefined, mobile: entry.mobile !== undefined } });
    }
    const now = this.now();
    const activation: StoredActivation = { ...this.newActivation('without-card', entry.idNat, now, this.lifetimes.withoutCardMs), status: 'request-sent' };
    // Placeholder until the caller passes the pairing payload: training only, nothing can pair with it.
    const qrPayload = request.qrPayload ?? `ecps-sandbox-placeholder:${randomBytes(16).toString('base64url')}`;
    const email = entry.email;
    await this.store.update((s) => {
      s.activations[activation.activationId] = activation;
      this.post(s, {
        channel: 'email',
        to: email,
        activationId: activation.activationId,
        subject: 'Activation de votre e-CPS',
        body: `Bonjour ${entry.givenName} ${entry.surname},\n\nScannez le QR code ci-joint avec l’application e-CPS pour poursuivre l’activation. ${qrValidity(qrValidUntil(qrPayload, activation.expiresAt), now)}\n\n(Message de l’autorité de test : aucune e-CPS réelle n’est activée.)`,
        qrPayload,
      });
    });
    return { activationId: activation.activationId, sentTo: maskEmail(email), expiresAt: activation.expiresAt };
  }

  async sendSmsCode(activationId: string): Promise<SmsCodeSent> {
    const now = this.now();
    let sent: SmsCodeSent | undefined;
    const refusal = await this.change(activationId, ['request-sent', 'sms-sent'], (a, state) => {
      if ((a.smsSent ?? 0) >= SMS_SEND_LIMIT) return authorityError('SmsSendLimit');
      const mobile = this.directory.find(a.idNat)?.mobile;
      if (mobile === undefined) return authorityError('ContactDetailsMissing');
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      Object.assign(a, {
        status: 'sms-sent',
        smsCodeHash: smsHash(a.activationId, code),
        smsExpiresAt: this.after(now, this.lifetimes.smsCodeMs),
        smsAttemptsLeft: SMS_CODE_ATTEMPTS,
        smsSent: (a.smsSent ?? 0) + 1,
      });
      this.post(state, { channel: 'sms', to: mobile, activationId, body: `e-CPS (TEST) : votre code d’activation est ${code}. Ne le communiquez à personne.`, code });
      sent = { activationId, sentTo: maskMobile(mobile), expiresAt: a.smsExpiresAt!, attemptsLeft: SMS_CODE_ATTEMPTS };
      return undefined;
    });
    if (refusal) throw refusal;
    return sent!;
  }

  async verifySmsCode(activationId: string, code: string): Promise<{ activationId: string; verified: true }> {
    const now = this.now();
    const refusal = await this.change(activationId, ['sms-sent'], (a) => {
      if (Date.parse(a.smsExpiresAt ?? '') < now.getTime()) return authorityError('ActivationExpired', { details: { step: 'sms' } });
      if (sameHash(smsHash(a.activationId, code.replace(/\s+/g, '')), a.smsCodeHash ?? '')) {
        a.status = 'sms-verified';
        delete a.smsCodeHash;
        return undefined;
      }
      a.smsAttemptsLeft = (a.smsAttemptsLeft ?? 1) - 1;
      if (a.smsAttemptsLeft <= 0) return this.lock(a, authorityError('SmsAttemptsExhausted'));
      return authorityError('SmsCodeIncorrect', { details: { attemptsLeft: a.smsAttemptsLeft } });
    });
    if (refusal) throw refusal;
    return { activationId, verified: true };
  }

  async registerPhone(request: RegisterPhoneRequest): Promise<ActivationRecord> {
    for (const [name, value] of [['phonePublicKey', request.phonePublicKey], ['passwordVerifier', request.passwordVerifier]] as const) {
      if (value.length < 16 || value.length > 1024) throw authorityError('InvalidRequest', { details: { reason: `${name}: 16 à 1024 octets` } });
    }
    const now = this.now();
    const refusal = await this.change(request.activationId, ['card-verified', 'sms-verified'], (a) => {
      a.status = 'completed';
      a.phoneKeySha256 = createHash('sha256').update(request.phonePublicKey).digest('hex');
      a.passwordVerifier = toBase64(request.passwordVerifier);
      a.completedAt = now.toISOString();
      delete a.certificateDer;
      return undefined;
    });
    if (refusal) throw refusal;
    return this.getActivation(request.activationId);
  }

  async getActivation(activationId: string): Promise<ActivationRecord> {
    const a = this.store.read().activations[activationId];
    if (!a) throw authorityError('ActivationUnknown');
    return publicRecord(a);
  }

  async listActivations(): Promise<ActivationRecord[]> {
    return Object.values(this.store.read().activations)
      .map(publicRecord)
      .sort((x, y) => x.createdAt.localeCompare(y.createdAt));
  }

  /** Sandbox only: what the authority "sent", oldest first. Never part of the interface. */
  outbox(): OutboxMessage[] {
    return this.store.read().outbox.map((m) => ({ ...m }));
  }

  private findProfessional(input: string) {
    const parsed = parseNationalId(input);
    if (!parsed) throw authorityError('NationalIdInvalid');
    const entry = this.directory.find(parsed.idNat);
    if (!entry) throw authorityError('ProfessionalUnknown', { details: { idNat: parsed.idNat } });
    return entry;
  }

  /**
   * Runs one step on a stored activation inside a single store update. `step` mutates the
   * activation and returns a refusal to throw AFTER the change is saved (a wrong SMS code must
   * cost an attempt even though the call fails), or undefined.
   */
  private async change(
    activationId: string,
    allowed: readonly StoredActivation['status'][],
    step: (a: StoredActivation, state: AuthorityState) => EcpsError | undefined,
  ): Promise<EcpsError | undefined> {
    const now = this.now();
    return this.store.update((state) => {
      const a = state.activations[activationId];
      if (!a) throw authorityError('ActivationUnknown');
      if (Date.parse(a.expiresAt) < now.getTime() && a.status !== 'completed') throw authorityError('ActivationExpired');
      if (!allowed.includes(a.status)) throw authorityError('ActivationWrongStep', { details: { status: a.status } });
      const refusal = step(a, state);
      a.updatedAt = now.toISOString();
      return refusal;
    });
  }

  private lock(a: StoredActivation, refusal: EcpsError): EcpsError {
    a.status = 'locked';
    return refusal;
  }

  private newActivation(mode: StoredActivation['mode'], idNat: string, now: Date, lifetimeMs: number) {
    const at = now.toISOString();
    // 128 random bits: an activation id is a handle an attacker must not guess.
    return { activationId: randomBytes(16).toString('base64url'), mode, idNat, createdAt: at, updatedAt: at, expiresAt: this.after(now, lifetimeMs) };
  }

  private after(now: Date, ms: number): string {
    return new Date(now.getTime() + ms).toISOString();
  }

  private post(state: AuthorityState, message: Omit<OutboxMessage, 'id' | 'sentAt'>): void {
    state.outbox.push({ id: randomBytes(8).toString('hex'), sentAt: this.now().toISOString(), ...message });
    if (state.outbox.length > OUTBOX_LIMIT) state.outbox.splice(0, state.outbox.length - OUTBOX_LIMIT);
  }
}

/** Constant-time comparison of two hex SHA-256 values (a stored one may be missing: never equal). */
function sameHash(typed: string, stored: string): boolean {
  const a = Buffer.from(typed, 'hex');
  const b = Buffer.from(stored, 'hex');
  return b.length === 32 && timingSafeEqual(a, b);
}

function smsHash(activationId: string, code: string): string {
  return createHash('sha256').update(`${activationId}:${code}`).digest('hex');
}
