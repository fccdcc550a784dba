/**
 * One websocket as seen by the desktop — a direct socket from the phone or the desktop's own
 * socket to the relay (same protocol, the relay only forwards). It owns the timers
 * (hello deadline, heartbeat, idle) and the framing: before the hello only `hello` is
 * accepted, after it only `sealed` frames, each decrypted and schema-validated
 * (electron-anchors.md rule 6). Any violation closes this socket with a specific code;
 * the session decides what happens next.
 */
import type { WebSocket } from 'ws';
import {
  FROM_PHONE,
  PairingClose,
  parseFrame,
  type Hello,
  type InnerMessage,
  type PairingCloseCode,
  type PairingSecrets,
  type SealedFrame,
} from '../../src-shared/pairing-protocol';

export interface LinkTimings {
  /** A socket that has not said hello by then is closed (frees the one phone slot). */
  helloTimeoutMs: number;
  /** Ping interval; a peer that missed a whole interval is terminated. */
  heartbeatMs: number;
  /** No frame from the phone for this long → closed. Long: the user types on the computer meanwhile. */
  idleMs: number;
}

export interface LinkHandler {
  /** Verifies the hello; returns the session secrets or the close code to refuse it with. */
  hello(link: PhoneLink, hello: Hello): PairingSecrets | PairingCloseCode;
  message(link: PhoneLink, message: InnerMessage): void;
  closed(link: PhoneLink, code: number, why: string): void;
}

export class PhoneLink {
  private secrets: PairingSecrets | undefined;
  private closedAlready = false;
  private alive = true;
  private helloTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly via: 'direct' | 'relay',
    private readonly timings: LinkTimings,
    private readonly handler: LinkHandler,
    /** Remote address (direct) or 'relay'. */
    readonly peer: string = via,
  ) {
    // A relay socket waits for a phone to join: the QR lifetime bounds it, not a hello deadline,
    // and the heartbeat keeps it (and the relay's view of it) alive meanwhile. A direct socket
    // is bounded by the hello deadline (shorter than a heartbeat), so it gets a heartbeat only
    // once its hello is accepted: a hostile socket that never gets that far costs one timer.
    if (via === 'direct') this.helloTimer = setTimeout(() => this.close(PairingClose.Timeout, 'no hello'), timings.helloTimeoutMs);
    else this.startHeartbeat();
    ws.on('pong', () => (this.alive = true));
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    // ws emits 'error' for a frame over maxPayload (then closes with 1009) and for bad framing.
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => this.finish(code, reason.toString('utf8')));
  }

  get secure(): boolean {
    return this.secrets !== undefined;
  }

  send(message: InnerMessage): void {
    if (!this.secrets || this.closedAlready) return;
    const frame: SealedFrame = { type: 'sealed', ...this.secrets.channel.seal(JSON.stringify(message)) };
    this.ws.send(JSON.stringify(frame));
  }

  close(code: number, why: string): void {
    if (this.closedAlready) return;
    this.ws.close(code, why.slice(0, 120));
    this.finish(code, why);
    // A peer that does not answer the close handshake must not hold the slot.
    setTimeout(() => this.ws.terminate(), 1_000).unref();
  }

  private terminate(why: string): void {
    this.ws.terminate();
    this.finish(PairingClose.Timeout, why);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closedAlready) return;
    this.alive = true;
    this.armIdle();
    if (isBinary) return this.close(PairingClose.InvalidMessage, 'binary frame');
    const text = data.toString('utf8');
    if (!this.secrets) {
      const parsed = parseFrame<Hello>(text, ['hello']);
      if (!parsed.ok) return this.close(parsed.close, parsed.why);
      clearTimeout(this.helloTimer);
      const verdict = this.handler.hello(this, parsed.message);
      if (typeof verdict === 'number') return this.close(verdict, 'hello refused');
      this.secrets = verdict;
      if (!this.heartbeat) this.startHeartbeat();
      this.send({ type: 'welcome' });
      return;
    }
    const sealed = parseFrame<SealedFrame>(text, ['sealed']);
    if (!sealed.ok) return this.close(sealed.close, sealed.why);
    let plaintext: string;
    try {
      plaintext = this.secrets.channel.open(sealed.message);
    } catch {
      return this.close(PairingClose.BadCiphertext, 'bad ciphertext');
    }
    const inner = parseFrame<InnerMessage>(plaintext, FROM_PHONE);
    if (!inner.ok) return this.close(inner.close, inner.why);
    this.handler.message(this, inner.message);
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      if (!this.alive) return this.terminate('heartbeat lost');
      this.alive = false;
      this.ws.ping();
    }, this.timings.heartbeatMs);
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(PairingClose.Timeout, 'idle'), this.timings.idleMs);
  }

  private finish(code: number, why: string): void {
    if (this.closedAlready) return;
    this.closedAlready = true;
    clearTimeout(this.helloTimer);
    clearTimeout(this.idleTimer);
    clearInterval(this.heartbeat);
    this.secrets = undefined;
    this.handler.closed(this, code, why);
  }
}
