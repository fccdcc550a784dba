/**
 * The phone's side of the pairing protocol (the e-CPS app's part), as a library: the
 * `ecps phone` CLI and the tests drive it. The crypto is injected (`PairingCrypto`): the CLI
 * passes the node:crypto suite from src-main/pairing, a browser page would pass its own —
 * simulators may not import src-main/pairing, and the protocol logic must not care.
 *
 * Flow: decode the QR → connect direct (`ws://ip:port/pair`), else through the relay →
 * hello (own ephemeral key + HMAC(token, key)) → derive keys and the 6-digit code, show it →
 * `welcome` proves the desktop holds the same keys → `password-request` → proof → result.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  decodeQrPayload,
  FROM_DESKTOP,
  MAX_FRAME_BYTES,
  PairingClose,
  pairingProtocolErrors,
  parseFrame,
  toBase64Url,
  fromBase64Url,
  type Hello,
  type InnerMessage,
  type PairingCrypto,
  type PairingSecrets,
  type QrPayload,
  type SealedFrame,
} from '../../src-shared/pairing-protocol';

export interface PhoneClientOptions {
  crypto: PairingCrypto;
  /** Per endpoint: the direct attempt must fail fast on 4G / client isolation. */
  connectTimeoutMs?: number;
  /** The phone's clock may differ from the computer's: tolerate this much past `expiresAt`. */
  clockSkewMs?: number;
  /** Skip the direct endpoint (tests of the relay path; a phone known to be off the LAN). */
  relayOnly?: boolean;
  now?: () => number;
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

export class PhoneClient extends EventEmitter<PhoneEvents> {
  private pendingRequest: { salt: Uint8Array; iterations: number } | undefined;
  private closeInfo: { code: number; reason: string } | undefined;

  private constructor(
    private readonly ws: WebSocket,
    private readonly secrets: PairingSecrets,
    private readonly crypto: PairingCrypto,
    readonly via: 'direct' | 'relay',
  ) {
    super();
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString('utf8') };
      this.emit('closed', this.closeInfo);
    });
  }

  /** The six digits the app shows. */
  get code(): string {
    return this.secrets.code;
  }

  get closed(): { code: number; reason: string } | undefined {
    return this.closeInfo;
  }

  static async connect(qrText: string, options: PhoneClientOptions): Promise<PhoneClient> {
    const qr = decodeQrPayload(qrText.trim());
    const now = options.now?.() ?? Date.now();
    if (now > qr.expiresAt + (options.clockSkewMs ?? 60_000)) throw pairingProtocolErrors.create('QrExpired');
    const endpoints = PhoneClient.endpoints(qr, options.relayOnly === true);
    let lastError: unknown;
    for (const endpoint of endpoints) {
      try {
        const ws = await openSocket(endpoint.url, options.connectTimeoutMs ?? 3_000);
        return PhoneClient.handshake(ws, qr, qrText.trim(), options.crypto, endpoint.via);
      } catch (error) {
        lastError = error;
      }
    }
    throw pairingProtocolErrors.create('PairingUnreachable', { cause: lastError });
  }

  private static endpoints(qr: QrPayload, relayOnly: boolean): { url: string; via: 'direct' | 'relay' }[] {
    const list: { url: string; via: 'direct' | 'relay' }[] = [];
    if (qr.direct && !relayOnly) list.push({ url: qr.direct, via: 'direct' });
    if (qr.relay) list.push({ url: `${qr.relay.url}?session=${encodeURIComponent(qr.relay.session)}&role=phone`, via: 'relay' });
    return list;
  }

  private static handshake(ws: WebSocket, qr: QrPayload, qrText: string, crypto: PairingCrypto, via: 'direct' | 'relay'): PhoneClient {
    const keyPair = crypto.generateKeyPair();
    const hello: Hello = {
      type: 'hello',
      v: 1,
      phoneKey: toBase64Url(keyPair.publicKey),
      auth: toBase64Url(crypto.helloAuth(qr.token, keyPair.publicKey)),
    };
    const secrets = crypto.deriveSecrets({
      role: 'phone', keyPair, peerPublicKey: qr.desktopKey, qrPayload: qrText,
      desktopKey: qr.desktopKey, phoneKey: keyPair.publicKey, token: qr.token,
    });
    const client = new PhoneClient(ws, secrets, crypto, via);
    ws.send(JSON.stringify(hello));
    // `client.code` is shown now, from our own derivation: if someone substituted keys it
    // differs from the computer's, and the user's typing fails there (the desktop judges).
    return client;
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
    this.ws.send(text);
  }

  /** Seals without sending (tests replay or reorder the result with `sendRaw`). */
  sealForTest(message: InnerMessage): string {
    return JSON.stringify({ type: 'sealed', ...this.secrets.channel.seal(JSON.stringify(message)) } satisfies SealedFrame);
  }

  close(reason = 'bye'): void {
    if (this.ws.readyState === WebSocket.OPEN) this.sendInner({ type: 'bye', reason });
    this.ws.close(PairingClose.Normal, reason);
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
    this.ws.send(this.sealForTest(message));
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (isBinary) return void this.ws.close(PairingClose.InvalidMessage, 'binary frame');
    const outer = parseFrame<SealedFrame>(data.toString('utf8'), ['sealed']);
    if (!outer.ok) return void this.ws.close(outer.close, outer.why);
    let plaintext: string;
    try {
      plaintext = this.secrets.channel.open(outer.message);
    } catch {
      // Keys differ (someone in the middle) or a frame was replayed/reordered/tampered.
      return void this.ws.close(PairingClose.BadCiphertext, 'bad ciphertext');
    }
    const inner = parseFrame<Received>(plaintext, FROM_DESKTOP);
    if (!inner.ok) return void this.ws.close(inner.close, inner.why);
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
        return void this.ws.close(PairingClose.Normal, 'bye');
    }
  }
}

function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // No Origin header: the native app is not a browser (the desktop refuses unknown Origins).
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      ws.on('error', () => undefined);
      resolve(ws);
    });
    ws.once('error', (error) => reject(error));
  });
}
