/**
 * Plugs a virtual card into pcscd through the vsmartcard `vpcd` driver.
 *
 * vpcd listens on one TCP port per slot (35963 = slot 0 and 35964 = slot 1 in Debian's
 * /etc/reader.conf.d/vpcd); the card side connects to it. Frames are a 2-byte big-endian
 * length followed by the payload. A 1-byte payload is a control: 0 power off, 1 power on,
 * 2 reset, 4 "send your ATR" (the only one that expects an answer). Any longer payload is
 * a command APDU to answer. Closing the socket removes the card from the slot.
 *
 * Protocol read from the vsmartcard project's vpcd documentation; the code is ours.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { isFault, type VirtualCard } from './virtual-card';

export const VPCD_DEFAULT_PORT = 35963;

const CTRL_OFF = 0x00;
const CTRL_ON = 0x01;
const CTRL_RESET = 0x02;
const CTRL_ATR = 0x04;

export interface VpcdPlugOptions {
  host?: string;
  /** Base port of the reader (slot 0); the slot number is added to it. */
  port?: number;
  slot?: number;
  /** Reconnect after pcscd restarts, as a card left in a reader stays there. Default true. */
  stayInserted?: boolean;
  /** Delay between reconnection attempts, in ms. */
  retryMs?: number;
}

/**
 * A card in a vpcd slot. Events: `inserted` (socket connected), `removed` (socket closed),
 * `apdu` ({ command, response }) for rigs that count exchanges, `error`.
 */
export class VpcdSlot extends EventEmitter {
  readonly host: string;
  readonly port: number;
  private socket: net.Socket | undefined;
  private pending = Buffer.alloc(0);
  private wanted = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly stayInserted: boolean;
  private readonly retryMs: number;
  /**
   * Serialises replies on the current socket: vpcd sends one command at a time, but an async
   * card must not reorder. One chain per socket (reset in open()): after pcscd restarts, the
   * new pcscd's ATR request must not wait behind an answer still pending for the dead socket.
   */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private card: VirtualCard,
    options: VpcdPlugOptions = {},
  ) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.port = (options.port ?? VPCD_DEFAULT_PORT) + (options.slot ?? 0);
    this.stayInserted = options.stayInserted ?? true;
    this.retryMs = options.retryMs ?? 100;
  }

  get inserted(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && this.socket.readyState === 'open';
  }

  get currentCard(): VirtualCard {
    return this.card;
  }

  /** Inserts the card; resolves once vpcd accepted the connection. */
  insert(card: VirtualCard = this.card): Promise<void> {
    this.card = card;
    this.wanted = true;
    return new Promise((resolve, reject) => {
      const onIn = () => {
        cleanup();
        resolve();
      };
      const onErr = (err: Error) => {
        if (!this.stayInserted) {
          cleanup();
          reject(err);
        }
      };
      const cleanup = () => {
        this.off('inserted', onIn);
        this.off('connect-error', onErr);
      };
      this.on('inserted', onIn);
      this.on('connect-error', onErr);
      this.open();
    });
  }

  /** Pulls the card out (closes the socket) and stops reconnecting. */
  async remove(): Promise<void> {
    this.wanted = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  private open(): void {
    if (this.socket && !this.socket.destroyed) return;
    const socket = net.createConnection({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    this.chain = Promise.resolve();
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      this.emit('inserted');
    });
    socket.on('data', (chunk) => this.onData(socket, chunk));
    socket.on('error', (err) => {
      if (socket.readyState !== 'open') this.emit('connect-error', err);
    });
    socket.on('close', () => {
      const wasCurrent = this.socket === socket;
      if (wasCurrent) this.socket = undefined;
      // A failed connection attempt (vpcd not listening yet) is not a removal.
      if (connected) this.emit('removed');
      if (wasCurrent && this.wanted && this.stayInserted) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (this.wanted) this.open();
        }, this.retryMs);
      }
    });
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 2) {
      const length = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + length) break;
      const payload = new Uint8Array(this.pending.subarray(2, 2 + length));
      this.pending = this.pending.subarray(2 + length);
      this.chain = this.chain.then(() => this.handle(socket, payload)).catch((err) => {
        this.emit('error', err);
      });
    }
  }

  private async handle(socket: net.Socket, payload: Uint8Array): Promise<void> {
    if (payload.length === 1) {
      switch (payload[0]) {
        case CTRL_OFF:
          this.card.powerOff();
          return;
        case CTRL_ON:
          this.card.powerOn();
          return;
        case CTRL_RESET:
          this.card.reset();
          return;
        case CTRL_ATR:
          this.send(socket, this.card.atr());
          return;
        default:
          return;
      }
    }
    const reply = await this.card.transmit(payload);
    if (isFault(reply)) {
      if (reply.fault === 'drop') {
        // The card is pulled out mid-command: vpcd sees the socket close.
        this.wanted = false;
        socket.destroy();
      }
      // 'mute': never answer. pcscd waits until the card is removed.
      return;
    }
    this.emit('apdu', { command: payload, response: reply });
    this.send(socket, reply);
  }

  private send(socket: net.Socket, data: Uint8Array): void {
    if (socket.destroyed) return;
    const frame = Buffer.alloc(2 + data.length);
    frame.writeUInt16BE(data.length, 0);
    frame.set(data, 2);
    socket.write(frame);
  }
}
