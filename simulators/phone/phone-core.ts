/**
 * The phone's side of the `ecps1` pairing protocol, transport-agnostic: the state machine and
 * message handling over an injected socket and an injected crypto suite. Two users:
 *   - the Node reference phone (`PhoneClient`, protocol-client.ts: `ws` + node:crypto), driven
 *     by `ecps phone` and the tests;
 *   - the phone web page (web/, the browser's WebSocket + src-shared/pairing-webcrypto.ts).
 * No Node import, no DOM type: runs in both.
 *
 * Flow: decode the QR → derive the keys → connect direct first, then through the relay →
 * hello (own ephemeral key + HMAC(token, key)) → `welcome` proves the desktop holds the same
 * keys → the code is shown, typed on the computer → `code-confirmed` → `password-request` →
 * proof → `password-result` → application `data` (enrolment, SMS code, activated).
 *
 * Ordering: with an asynchronous crypto suite (WebCrypto) frames are still handled one by one
 * in arrival order, and the socket's close is handled after the frames before it; outgoing
 * frames leave in call order. With a synchronous suite everything happens synchronously, as
 * in the Node client before this split.
 */
import {
  decodeQrPayload,
  FROM_DESKTOP,
  PairingClose,
  pairingProtocolErrors,
  parseFrame,
  relayJoinUrl,
  toBase64Url,
  fromBase64Url,
  type Hello,
  type InnerMessage,
  type QrPayload,
  type SealedFrame,
} from '../../src-shared/pairing-protocol';
import type { AwaitablePairingCrypto, AwaitablePairingSecrets } from '../../src-shared/pairing-webcrypto';

/** What the core needs of a websocket (adapters: `ws` in protocol-client.ts, the browser's in web/). */
export interface PhoneSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly isOpen: boolean;
  /** Called once, right after the socket opened: frames (`undefined` for a binary one) then the close. */
  listen(handlers: { message(text: string | undefined): void; close(code: number, reason: string): void }): void;
}

/** Opens a websocket to `url` (resolves once open, rejects on failure or after `timeoutMs`). */
export type SocketOpener = (url: string, timeoutMs: number) => Promise<PhoneSocket>;

export type Via = 'direct' | 'relay';

export interface PhoneLinkOptions {
  crypto: AwaitablePairingCrypto;
  openSocket: SocketOpener;
  /** Per endpoint: the direct attempt must fail fast on 4G / client isolation. */
  connectTimeoutMs?: number;
  /** The phone's clock may differ from the computer's: tolerate this much past `expiresAt`. */
  clockSkewMs?: number;
  /** Skip the direct endpoint (tests of the relay path; a phone known to be off the LAN). */
  relayOnly?: boolean;
  now?: () => number;
  /** Told before each attempt (the page shows "direct…", then "relay…"). */
  onAttempt?: (via: Via) => void;
}

export interface PhoneEvents {
  welcome: [];
  'code-confirmed': [];
  'password-request': [];
  'password-result': [{ ok: boolean; triesLeft: number }];
  data: [{ topic: string; body: unknown }];
  closed: [{ code: number; reason: string }];
}

type Received = Extract<InnerMessage, { type: 'welcome' | 'code-confirmed' | 'password-request' | 'password-result' | 'data' | 'bye' }>;
type Listener<A extends unknown[]> = (...args: A) => void;

/** A small typed event emitter (node:events is not in the browser). */
export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  private readonly listeners = new Map<keyof E, Listener<never[]>[]>();

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as unknown as Listener<never[]>]);
    return this;
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapped = (...args: E[K]) => {
      this.off(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = this.listeners.get(event);
    if (list) this.listeners.set(event, list.filter((l) => l !== (listener as unknown as Listener<never[]>)));
    return this;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.listeners.get(event);
    if (!list?.length) return false;
    for (const l of [...list]) (l as unknown as Listener<E[K]>)(...args);
    return true;
  }
}

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> => typeof (v as { then?: unknown } | null)?.then === 'function';

/** Runs jobs one after the other; synchronously while nothing asynchronous is pending. */
class Serial {
  private tail: Promise<void> | undefined;

  constructor(private readonly onError: (error: unknown) => void) {}

  run(job: () => void | Promise<void>): void {
    if (this.tail) return this.track(this.tail.then(job));
    let result: void | Promise<void>;
    try {
      result = job();
    } catch (error) {
      return this.onError(error);
    }
    if (isPromise(result)) this.track(result);
  }

  private track(p: Promise<void>): void {
    const t = p.catch((error: unknown) => this.onError(error));
    this.tail = t;
    void t.then(() => {
      if (this.tail === t) this.tail = undefined;
    });
  }
}

/** What `PhoneLink.establish` hands to the constructor: an open socket and the derived secrets. */
export interface EstablishedLink {
  socket: PhoneSocket;
  secrets: AwaitablePairingSecrets;
  crypto: AwaitablePairingCrypto;
  via: Via;
  hello: Hello;
}

export function phoneEndpoints(qr: QrPayload, relayOnly: boolean): { url: string; via: Via }[] {
  const list: { url: string; via: Via }[] = [];
  if (qr.direct && !relayOnly) list.push({ url: qr.direct, via: 'direct' });
  if (qr.relay) list.push({ url: relayJoinUrl(qr.relay.url, qr.relay.session, 'phone'), via: 'relay' });
  return list;
}

export class PhoneLink extends Emitter<PhoneEvents> {
  private pendingRequest: { salt: Uint8Array; iterations: number } | undefined;
  private closeInfo: { code: number; reason: string } | undefined;
  private readonly socket: PhoneSocket;
  private readonly secrets: AwaitablePairingSecrets;
  private readonly crypto: AwaitablePairingCrypto;
  private readonly inbox: Serial;
  private readonly outbox: Serial;
  readonly via: Via;

  /** Takes over an established link and sends the hello. */
  constructor(link: EstablishedLink) {
    super();
    this.socket = link.socket;
    this.secrets = link.secrets;
    this.crypto = link.crypto;
    this.via = link.via;
    // A job that throws (a listener's bug, a crypto failure while sealing) ends the link.
    const failed = () => this.closeSocket(PairingClose.InvalidMessage, 'phone internal error');
    this.inbox = new Serial(failed);
    this.outbox = new Serial(failed);
    link.socket.listen({
      message: (text) => this.inbox.run(() => this.onFrame(text)),
      close: (code, reason) =>
        this.inbox.run(() => {
          this.closeInfo = { code, reason };
          this.emit('closed', this.closeInfo);
        }),
    });
    link.socket.send(JSON.stringify(link.hello));
    // `code` is shown from our own derivation: if someone substituted keys it differs from
    // the computer's, and the user's typing fails there (the desktop judges).
  }

  /**
   * Decodes the QR, derives the keys and opens the first endpoint that answers (direct, then
   * relay). Throws QrMalformed / QrUnsupportedVersion / QrExpired / PairingUnreachable.
   */
  static async establish(qrText: string, options: PhoneLinkOptions): Promise<EstablishedLink> {
    const text = qrText.trim();
    const qr = decodeQrPayload(text);
    const now = options.now?.() ?? Date.now();
    if (now > qr.expiresAt + (options.clockSkewMs ?? 60_000)) throw pairingProtocolErrors.create('QrExpired');
    const { crypto } = options;
    // Everything the hello and the channel need is known before any socket: derive it first,
    // so the socket's frames are handled from the moment it opens.
    const keyPair = await crypto.generateKeyPair();
    const hello: Hello = {
      type: 'hello',
      v: 1,
      phoneKey: toBase64Url(keyPair.publicKey),
      auth: toBase64Url(await crypto.helloAuth(qr.token, keyPair.publicKey)),
    };
    const secrets = await crypto.deriveSecrets({
      role: 'phone', keyPair, peerPublicKey: qr.desktopKey, qrPayload: text,
      desktopKey: qr.desktopKey, phoneKey: keyPair.publicKey, token: qr.token,
    });
    let lastError: unknown;
    for (const endpoint of phoneEndpoints(qr, options.relayOnly === true)) {
      options.onAttempt?.(endpoint.via);
      try {
        const socket = await options.openSocket(endpoint.url, options.connectTimeoutMs ?? 3_000);
        return { socket, secrets, crypto, via: endpoint.via, hello };
      } catch (error) {
        lastError = error;
      }
    }
    throw pairingProtocolErrors.create('PairingUnreachable', { cause: lastError });
  }

  /** The six digits the app shows. */
  get code(): string {
    return this.secrets.code;
  }

  get closed(): { code: number; reason: string } | undefined {
    return this.closeInfo;
  }

  /** A password request is waiting for `answerPassword`. */
  get passwordPending(): boolean {
    return this.pendingRequest !== undefined;
  }

  /** Answers the pending password request with a proof; the password itself never leaves. */
  async answerPassword(password: string): Promise<void> {
    const request = this.pendingRequest;
    if (!request) throw new Error('no password request pending');
    this.pendingRequest = undefined;
    const proof = await this.crypto.passwordProof(password, request.salt, request.iterations, this.secrets.transcriptHash);
    this.sendInner({ type: 'password-proof', proof: toBase64Url(proof) });
  }

  send(topic: string, body: unknown): void {
    this.sendInner({ type: 'data', topic, body });
  }

  /** Fault injection for tests: a frame exactly as given, bypassing encryption. */
  sendRaw(text: string): void {
    this.outbox.run(() => this.socket.send(text));
  }

  /** Seals without sending (tests replay or reorder the result with `sendRaw`). Synchronous suites only. */
  sealForTest(message: InnerMessage): string {
    const sealed = this.secrets.channel.seal(JSON.stringify(message));
    if (isPromise(sealed)) throw new Error('sealForTest needs a synchronous crypto suite');
    return frameText(sealed);
  }

  close(reason = 'bye'): void {
    if (this.socket.isOpen) this.sendInner({ type: 'bye', reason });
    this.outbox.run(() => this.socket.close(PairingClose.Normal, reason));
  }

  /** Resolves at the next event of that name (or rejects when the socket closes first). */
  next<K extends keyof PhoneEvents>(event: K, timeoutMs = 5_000): Promise<PhoneEvents[K][0]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`timeout waiting for ${String(event)}`)), timeoutMs);
      const onEvent = (value: PhoneEvents[K][0]) => done(undefined, value);
      const onClosed = (info: { code: number; reason: string }) =>
        event === 'closed' ? done(undefined, info as PhoneEvents[K][0]) : done(pairingProtocolErrors.create('PairingRefused', { details: info }));
      const done = (error?: unknown, value?: PhoneEvents[K][0]) => {
        clearTimeout(timer);
        this.off(event, onEvent as never);
        this.off('closed', onClosed);
        if (error) reject(error);
        else resolve(value as PhoneEvents[K][0]);
      };
      if (this.closeInfo) return onClosed(this.closeInfo);
      this.on(event, onEvent as never);
      if (event !== 'closed') this.on('closed', onClosed);
    });
  }

  private sendInner(message: InnerMessage): void {
    const text = JSON.stringify(message);
    this.outbox.run(() => {
      const sealed = this.secrets.channel.seal(text);
      if (isPromise(sealed)) return sealed.then((s) => this.socket.send(frameText(s)));
      this.socket.send(frameText(sealed));
    });
  }

  private closeSocket(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  private onFrame(text: string | undefined): void | Promise<void> {
    if (this.closeInfo) return;
    if (text === undefined) return this.closeSocket(PairingClose.InvalidMessage, 'binary frame');
    const outer = parseFrame<SealedFrame>(text, ['sealed']);
    if (!outer.ok) return this.closeSocket(outer.close, outer.why);
    let opened: string | Promise<string>;
    try {
      opened = this.secrets.channel.open(outer.message);
    } catch {
      // Keys differ (someone in the middle) or a frame was replayed/reordered/tampered.
      return this.closeSocket(PairingClose.BadCiphertext, 'bad ciphertext');
    }
    if (isPromise(opened)) {
      return opened.then(
        (plaintext) => this.onMessage(plaintext),
        () => this.closeSocket(PairingClose.BadCiphertext, 'bad ciphertext'),
      );
    }
    return this.onMessage(opened);
  }

  private onMessage(plaintext: string): void {
    const inner = parseFrame<Received>(plaintext, FROM_DESKTOP);
    if (!inner.ok) return this.closeSocket(inner.close, inner.why);
    const m = inner.message;
    switch (m.type) {
      case 'welcome':
      case 'code-confirmed':
        return void this.emit(m.type);
      case 'password-request':
        this.pendingRequest = { salt: fromBase64Url(m.salt)!, iterations: m.iterations };
        return void this.emit('password-request');
      case 'password-result':
        return void this.emit('password-result', { ok: m.ok, triesLeft: m.triesLeft });
      case 'data':
        return void this.emit('data', { topic: m.topic, body: m.body });
      case 'bye':
        return this.closeSocket(PairingClose.Normal, 'bye');
    }
  }
}

function frameText(sealed: { seq: number; box: string }): string {
  return JSON.stringify({ type: 'sealed', ...sealed } satisfies SealedFrame);
}
