/**
 * PairingSession: what the activation orchestrator drives (issue 4 §3, architecture.md §4).
 *
 *   start() → QR shown, direct listener (and relay socket) open, one-time token + fresh key
 *   phone hello (HMAC of the token) → token used up, listener closed → `phone-connected`
 *   confirmCode(code typed by the user) → `code-confirmed`; 3 wrong codes → new QR (`qr`, reason 'code-reset')
 *   setPassword(pw4) → encrypted password-request → phone's proof → `password-verified`
 *   send()/`message` → application data; stop() → nothing listens any more.
 *
 * Every rotation (renew, 3 wrong codes, phone lost before the end, expiry with autoRenew,
 * too many bad hellos) makes a new token, a new X25519 key and a new port: nothing from an
 * old QR opens anything (Logitech Options 2018: a guessable or lasting secret is no secret).
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import {
  encodeQrPayload,
  PairingClose,
  TOKEN_BYTES,
  toBase64Url,
  fromBase64Url,
  type Hello,
  type InnerMessage,
  type PairingCloseCode,
  type PairingKeyPair,
  type PairingSecrets,
} from '../../src-shared/pairing-protocol';
import { nodePairingCrypto } from './crypto';
import { pairingErrors } from './errors';
import { PairingListener } from './pairing-listener';
import { PasswordStep } from './password-step';
import type { CodeResult, PairingEvents, PairingPhase, PairingStartOptions, QrReason } from './pairing-types';
import { PhoneLink, type LinkHandler, type LinkTimings } from './phone-link';
import { joinRelay, relayRejoinDelay } from './relay';

const CODE_ATTEMPTS = 3;
/**
 * Unauthenticated direct sockets kept at once (each from a different peer address). The one
 * phone slot goes to the first that proves the token; the others are then closed (4006).
 * Beyond this, the oldest unauthenticated socket is evicted (4008): the phone sends its hello
 * right after the upgrade, so a squatter can no longer hold the slot for the hello deadline.
 */
const MAX_UNAUTHENTICATED = 16;
/**
 * A relay link that stayed joined at least this long was healthy: its end (typically the relay's
 * own wait running out, 4408) starts the rejoin backoff afresh. Shorter-lived links count as
 * failures, so a relay that drops us at once is not hammered (see `relayRejoinDelay`).
 */
const RELAY_HEALTHY_MS = 100;
const DEFAULT_TIMINGS: LinkTimings = { helloTimeoutMs: 5_000, heartbeatMs: 15_000, idleMs: 10 * 60_000 };

export class PairingSession extends EventEmitter<PairingEvents> implements LinkHandler {
  private options: Required<Omit<PairingStartOptions, 'relay' | 'timings'>> & { relay?: { url: string }; timings: LinkTimings } =
    undefined as never;
  private phaseNow: PairingPhase = 'stopped';
  private listener: PairingListener | undefined;
  private readonly links = new Set<PhoneLink>();
  private phone: PhoneLink | undefined;
  private token: Uint8Array | undefined;
  private keyPair: PairingKeyPair | undefined;
  private qr: { qrPayload: string; expiresAt: number; relaySession?: string } | undefined;
  private secrets: PairingSecrets | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private codeAttempts = 0;
  private failedHellos = 0;
  /** Relay joins in a row that did not hold; reset by a healthy one (see reopenRelay). */
  private relayFailures = 0;
  private relayJoinedAt = 0;
  private password: PasswordStep = undefined as never;
  private generation = 0;
  private tearingDown = false;
  /**
   * Between start() and stop(), whatever the phase: a rotation passes through 'stopped' while
   * its old listener closes, and a stop() arriving then must still win — before, it saw
   * 'stopped', did nothing, and the rotation then opened a listener no QR showed, alive for the
   * QR's 90 s (issue 13 #8), keeping the process alive that long (#5).
   */
  private running = false;

  get phase(): PairingPhase {
    return this.phaseNow;
  }

  /** Port of the direct listener while it listens (tests, diagnostics). */
  get directPort(): number | undefined {
    return this.listener?.listening ? this.listener.port : undefined;
  }

  async start(options: PairingStartOptions = {}): Promise<{ qrPayload: string; expiresAt: number }> {
    if (this.phaseNow !== 'stopped' || this.running) throw pairingErrors.create('PairingAlreadyStarted');
    this.running = true;
    this.options = {
      bindAddress: options.bindAddress ?? '127.0.0.1',
      ttlMs: options.ttlMs ?? 90_000,
      allowedOrigins: options.allowedOrigins ?? [],
      autoRenew: options.autoRenew ?? false,
      passwordIterations: options.passwordIterations ?? 600_000,
      maxFailedHellos: options.maxFailedHellos ?? 50,
      crypto: options.crypto ?? nodePairingCrypto,
      timings: { ...DEFAULT_TIMINGS, ...options.timings },
      ...(options.relay ? { relay: options.relay } : {}),
    };
    this.password = new PasswordStep(this.options.crypto, this.options.passwordIterations);
    const qr = await this.open('start');
    if (!qr) throw pairingErrors.create('PairingStopped');
    return qr;
  }

  /** A fresh QR (new token, key, port); whatever phone was connected is disconnected. */
  async renew(): Promise<{ qrPayload: string; expiresAt: number }> {
    if (!this.running) throw pairingErrors.create('PairingNotStarted');
    const qr = await this.rotate('renew', PairingClose.Reset);
    if (!qr) throw pairingErrors.create('PairingStopped');
    return qr;
  }

  /** The user typed the code the phone shows. Constant-time comparison; 3 misses → new QR. */
  async confirmCode(typed: string): Promise<CodeResult> {
    if (this.phaseNow !== 'connected' || !this.secrets) throw pairingErrors.create('PairingWrongStep', { details: { phase: this.phaseNow } });
    const attemptsLeft = CODE_ATTEMPTS - this.codeAttempts;
    if (!/^\d{6}$/.test(typed)) return { ok: false, reason: 'format', attemptsLeft };
    const enc = new TextEncoder();
    if (this.options.crypto.equal(enc.encode(typed), enc.encode(this.secrets.code))) {
      this.phaseNow = 'confirmed';
      this.phone?.send({ type: 'code-confirmed' });
      this.emit('code-confirmed');
      this.requestPasswordIfReady();
      return { ok: true };
    }
    this.codeAttempts++;
    if (this.codeAttempts >= CODE_ATTEMPTS) {
      await this.rotate('code-reset', PairingClose.Reset);
      return { ok: false, reason: 'reset', attemptsLeft: 0 };
    }
    this.emit('code-rejected', { attemptsLeft: CODE_ATTEMPTS - this.codeAttempts });
    return { ok: false, reason: 'mismatch', attemptsLeft: CODE_ATTEMPTS - this.codeAttempts };
  }

  /** The 4-digit e-CPS password the user chose on the computer (triviality is checked upstream). */
  setPassword(password: string): void {
    if (!/^\d{4}$/.test(password)) throw pairingErrors.create('PairingPasswordFormat');
    if (this.phaseNow === 'stopped' || this.phaseNow === 'verified') throw pairingErrors.create('PairingWrongStep', { details: { phase: this.phaseNow } });
    this.password.set(password);
    this.requestPasswordIfReady();
  }

  /** Application data to the phone, once the user confirmed the code (the channel is authenticated). */
  send(topic: string, body: unknown): void {
    if ((this.phaseNow !== 'confirmed' && this.phaseNow !== 'verified') || !this.phone) {
      throw pairingErrors.create('PairingWrongStep', { details: { phase: this.phaseNow } });
    }
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(topic)) throw pairingErrors.create('PairingTopicInvalid');
    this.phone.send({ type: 'data', topic, body });
  }

  /** Nothing listens, no phone stays connected, no timer is left, even in the middle of a rotation. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // teardown bumps the generation: a rotation or a start in flight sees it and opens nothing.
    await this.teardown(PairingClose.Stopped, 'stopped');
    this.phaseNow = 'stopped';
    this.emit('closed', { reason: 'stopped' });
  }

  // ------------------------------------------------------------ LinkHandler (called by PhoneLink)

  hello(link: PhoneLink, hello: Hello): PairingSecrets | PairingCloseCode {
    if (this.phaseNow !== 'waiting' || !this.token || !this.keyPair || !this.qr) return PairingClose.Busy;
    if (Date.now() > this.qr.expiresAt) return PairingClose.Expired;
    const crypto = this.options.crypto;
    const phoneKey = fromBase64Url(hello.phoneKey)!;
    if (!crypto.equal(crypto.helloAuth(this.token, phoneKey), fromBase64Url(hello.auth)!)) {
      // One rotation per `maxFailedHellos` bad hellos on this QR: exactly at the limit, and only
      // if the QR is still this one when it runs. Before, every bad hello past the limit queued
      // its own rotation (200 at once → 45 QRs in 1.5 s, issue 13 #7).
      if (++this.failedHellos === this.options.maxFailedHellos) {
        const generation = this.generation;
        setImmediate(() => {
          if (generation === this.generation && this.phaseNow === 'waiting') void this.rotate('too-many-attempts', PairingClose.Reset);
        });
      }
      return PairingClose.BadToken;
    }
    let secrets: PairingSecrets;
    try {
      secrets = crypto.deriveSecrets({
        role: 'desktop', keyPair: this.keyPair, peerPublicKey: phoneKey, qrPayload: this.qr.qrPayload,
        desktopKey: this.keyPair.publicKey, phoneKey, token: this.token,
      });
    } catch {
      return PairingClose.InvalidMessage; // a low-order "public key"
    }
    // Single use: the token dies here, and nothing listens any more (architecture.md §4).
    this.token = undefined;
    this.keyPair = undefined;
    clearTimeout(this.expiryTimer);
    void this.listener?.close();
    for (const other of this.links) if (other !== link) other.close(PairingClose.Busy, 'another phone is connected');
    this.phone = link;
    this.secrets = secrets;
    this.phaseNow = 'connected';
    this.emit('phone-connected', { via: link.via });
    return secrets;
  }

  message(link: PhoneLink, message: InnerMessage): void {
    if (link !== this.phone) return;
    if (message.type === 'bye') return link.close(PairingClose.Normal, 'bye');
    if (message.type === 'data') {
      if (this.phaseNow === 'confirmed' || this.phaseNow === 'verified') this.emit('message', { topic: message.topic, body: message.body });
      else link.close(PairingClose.UnexpectedMessage, 'data before code');
      return;
    }
    if (message.type === 'password-proof' && this.password.awaitingProof && this.phaseNow === 'confirmed') {
      void this.checkProof(link, fromBase64Url(message.proof)!);
      return;
    }
    link.close(PairingClose.UnexpectedMessage, `unexpected '${message.type}'`);
  }

  closed(link: PhoneLink, code: number, why: string): void {
    this.links.delete(link);
    if (this.tearingDown) return; // we closed it ourselves
    if (link !== this.phone) {
      this.emit('refused', { code, why, via: link.via });
      if (link.via === 'relay' && this.phaseNow === 'waiting') this.reopenRelay(Date.now() - this.relayJoinedAt, code);
      return;
    }
    this.phone = undefined;
    this.emit('phone-lost', { code, why });
    if (this.phaseNow === 'verified') {
      this.running = false;
      void this.teardown(PairingClose.Normal, 'done').then(() => {
        this.phaseNow = 'stopped';
        this.emit('closed', { reason: 'phone-lost' });
      });
    } else {
      void this.rotate(code === PairingClose.PasswordRejected ? 'password-reset' : 'phone-lost', PairingClose.Reset);
    }
  }

  // ------------------------------------------------------------ internals

  private requestPasswordIfReady(): void {
    if (this.phaseNow !== 'confirmed' || !this.phone) return;
    const salt = this.password.nextRequest();
    if (salt) this.phone.send({ type: 'password-request', salt: toBase64Url(salt), iterations: this.password.iterations });
  }

  private async checkProof(link: PhoneLink, proof: Uint8Array): Promise<void> {
    const generation = this.generation;
    const ok = await this.password.check(proof, this.secrets!.transcriptHash);
    if (generation !== this.generation || link !== this.phone) return; // the session moved on meanwhile
    const triesLeft = this.password.triesLeft;
    link.send({ type: 'password-result', ok, triesLeft });
    if (ok) {
      this.phaseNow = 'verified';
      this.emit('password-verified');
      return;
    }
    this.emit('password-rejected', { triesLeft });
    if (triesLeft === 0) return link.close(PairingClose.PasswordRejected, 'password rejected');
    this.requestPasswordIfReady();
  }

  /** A new QR and its listener; undefined when stop() came meanwhile (then nothing is left open). */
  private async open(reason: QrReason): Promise<{ qrPayload: string; expiresAt: number } | undefined> {
    const { crypto, bindAddress, ttlMs, relay } = this.options;
    if (!this.running) return undefined;
    const generation = ++this.generation;
    let listener: PairingListener;
    try {
      listener = await PairingListener.open({
        bindAddress,
        allowedOrigins: this.options.allowedOrigins,
        onConnection: (ws, peer) => this.accept(ws, 'direct', peer),
        onRefused: (why) => this.emit('refused', { code: 0, why, via: 'upgrade' }),
      });
    } catch (error) {
      if (generation !== this.generation || !this.running) return undefined;
      this.running = false;
      this.phaseNow = 'stopped';
      this.emit('closed', { reason: 'listen-failed', error });
      throw error;
    }
    if (generation !== this.generation || !this.running) {
      await listener.close();
      return undefined;
    }
    this.listener = listener;
    this.token = crypto.randomBytes(TOKEN_BYTES);
    this.keyPair = crypto.generateKeyPair();
    const expiresAt = Date.now() + ttlMs;
    const relaySession = relay ? toBase64Url(crypto.randomBytes(16)) : undefined;
    const qrPayload = encodeQrPayload({
      direct: listener.url,
      ...(relay && relaySession ? { relay: { url: relay.url, session: relaySession } } : {}),
      token: this.token,
      desktopKey: this.keyPair.publicKey,
      expiresAt,
    });
    this.qr = { qrPayload, expiresAt, ...(relaySession ? { relaySession } : {}) };
    this.codeAttempts = 0;
    this.failedHellos = 0;
    this.relayFailures = 0;
    this.phaseNow = 'waiting';
    this.expiryTimer = setTimeout(() => void this.expire(generation), ttlMs);
    if (relay) this.connectRelay(generation);
    this.emit('qr', { qrPayload, expiresAt, reason });
    return { qrPayload, expiresAt };
  }

  private accept(ws: WebSocket, via: 'direct' | 'relay', peer: string = via): void {
    const refuse = (why: string) => {
      // One phone at a time (architecture.md §4): a second socket is told so, then dropped.
      ws.on('error', () => undefined);
      ws.close(PairingClose.Busy, why);
      setTimeout(() => ws.terminate(), 1_000).unref();
      this.emit('refused', { code: PairingClose.Busy, why, via });
    };
    if (this.phaseNow !== 'waiting') return refuse('busy');
    if (via === 'relay') {
      if ([...this.links].some((l) => l.via === 'relay')) return refuse('busy');
    } else {
      // Several unauthenticated sockets may wait for their hello, but at most one per peer
      // address (a second one from the same peer is "busy", as before) and MAX_UNAUTHENTICATED
      // in all, the oldest evicted first. Only a hello with the right HMAC takes the slot.
      const waiting = [...this.links].filter((l) => l.via === 'direct');
      if (waiting.some((l) => l.peer === peer)) return refuse('busy');
      if (waiting.length >= MAX_UNAUTHENTICATED) waiting[0]!.close(PairingClose.Timeout, 'no hello (evicted)');
    }
    this.links.add(new PhoneLink(ws, via, this.options.timings, this, peer));
  }

  private connectRelay(generation: number): void {
    const { relay } = this.options;
    if (!relay || !this.qr?.relaySession) return;
    const ws = joinRelay(relay.url, this.qr.relaySession, 'desktop');
    let accepted = false;
    // Before it is accepted (relay down, refused): retry; after, PhoneLink reports the close.
    ws.once('close', () => !accepted && generation === this.generation && this.reopenRelay(0, 0));
    ws.once('open', () => {
      if (generation !== this.generation || this.phaseNow !== 'waiting') return ws.close(PairingClose.Stopped);
      accepted = true;
      this.relayJoinedAt = Date.now();
      this.accept(ws, 'relay');
      this.emit('relay-ready');
    });
  }

  /**
   * The relay link ended before a phone said hello — the relay's wait for a peer ran out (4408,
   * every 120 s on the sandbox relay), it was down or refused us, a hostile phone was cut off:
   * join again, for as long as the QR is valid. The QR may be the one e-mailed without the card,
   * valid 30 min, scanned at minute 29 from a phone on 4G: the relay must still lead here.
   * A healthy wait that ran out rejoins at once; failures in a row back off (relayRejoinDelay).
   */
  private reopenRelay(livedMs: number, code: number): void {
    if (this.phaseNow !== 'waiting' || !this.qr) return;
    if (livedMs < RELAY_HEALTHY_MS) this.relayFailures++;
    else this.relayFailures = code === PairingClose.RelayWaitOver ? 0 : 1;
    const delay = relayRejoinDelay(this.relayFailures);
    if (Date.now() + delay >= this.qr.expiresAt) return; // the QR is over before: expire() handles it
    const generation = this.generation;
    setTimeout(() => generation === this.generation && this.phaseNow === 'waiting' && this.connectRelay(generation), delay).unref();
  }

  private async expire(generation: number): Promise<void> {
    if (generation !== this.generation || this.phaseNow !== 'waiting') return;
    if (this.options.autoRenew) {
      await this.rotate('expired', PairingClose.Expired);
      return;
    }
    this.running = false;
    await this.teardown(PairingClose.Expired, 'QR expired');
    this.phaseNow = 'stopped';
    this.emit('expired');
    this.emit('closed', { reason: 'expired' });
  }

  private async rotate(reason: QrReason, closeCode: number): Promise<{ qrPayload: string; expiresAt: number } | undefined> {
    await this.teardown(closeCode, reason);
    return this.open(reason);
  }

  private async teardown(closeCode: number, why: string): Promise<void> {
    this.generation++;
    clearTimeout(this.expiryTimer);
    this.phaseNow = 'stopped'; // until open() shows a new QR: no hello, no new socket
    this.tearingDown = true;
    try {
      for (const link of [...this.links]) link.close(closeCode, why);
    } finally {
      this.tearingDown = false;
    }
    this.phone = undefined;
    this.links.clear();
    this.token = this.keyPair = this.secrets = this.qr = undefined;
    this.password.clear();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }
}
