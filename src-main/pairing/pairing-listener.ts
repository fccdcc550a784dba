/**
 * The direct endpoint: an HTTP server that only upgrades `/pair` to a websocket, bound to
 * ONE interface on a random port, opened while a QR is shown and closed as soon as it is not
 * (Zoom CVE-2019-13450: a local server that outlives its purpose is an attack surface).
 *
 * `ws` runs with `noServer: true` so every upgrade goes through `checkUpgrade` first
 * (electron-anchors.md rule 3), `maxPayload` 16 KiB (ws default is 100 MiB) and no
 * permessage-deflate (a compressed frame can inflate far beyond its wire size).
 * Node's header limits are tightened too: ws CVE-2024-37890 crashed servers with many headers.
 * The request head is checked as raw bytes first (src-main/net/request-head-gate.ts): exactly
 * one Host, byte-exact (no trailing space), at most one Origin, no folded or bare-LF lines.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, PAIR_PATH } from '../../src-shared/pairing-protocol';
import { listenBehindGate, type GatedListener } from '../net/request-head-gate';
import { pairingErrors } from './errors';
import { checkUpgrade, hostFor } from './upgrade-guard';

export interface ListenerOptions {
  bindAddress: string;
  allowedOrigins: readonly string[];
  /** `peer` is the remote IP address (the session keeps at most one unauthenticated socket per peer). */
  onConnection(ws: WebSocket, peer: string): void;
  /** Upgrades refused before any websocket existed (for diagnostics; never includes secrets). */
  onRefused?(why: string): void;
}

/**
 * Connections one peer address may have open before their upgrade is decided (headers still
 * coming, or a refusal being flushed). The phone needs one; a LAN attacker with one address
 * opening hundreds is turned away at accept, before any header is parsed or answered.
 */
export const MAX_PENDING_PER_PEER = 4;

/**
 * The first frame of a socket is the hello (~150 bytes of JSON); anything announcing more than
 * this is closed with 1009 from its header alone, before `ws` reads it. Why here and not only
 * ws's maxPayload (16 KiB, still the limit after the hello): ws refuses an oversized frame by
 * building an Error whose stack Node formats at once (streams' onwrite), which under tsx's
 * source maps costs ~0.5 ms — per hostile socket, the most expensive refusal we had.
 */
export const MAX_FIRST_FRAME_BYTES = 1024;

/** `ok`, `more` (header incomplete) or `too-big`, from the first bytes of a client frame (RFC 6455 §5.2). */
export function firstFrameVerdict(header: Buffer, maxBytes: number): 'ok' | 'more' | 'too-big' {
  if (header.length < 2) return 'more';
  const len7 = header[1]! & 0x7f;
  if (len7 <= 125) return len7 > maxBytes ? 'too-big' : 'ok';
  if (len7 === 127) return 'too-big'; // 64-bit length: ≥ 64 KiB
  if (header.length < 4) return 'more';
  return header.readUInt16BE(2) > maxBytes ? 'too-big' : 'ok';
}

/**
 * Sits between the socket and `ws` until the first frame's length is known (2–4 bytes): a
 * frame within MAX_FIRST_FRAME_BYTES goes on to ws untouched (and the gate is gone for good);
 * a bigger one is never handed to ws (`tooBig`, its bytes dropped unread). Relies on ws reading
 * through one 'data' listener (ws 8 `setSocket`); if that ever changes, ws's own limit applies.
 */
function guardFirstFrame(socket: Socket, tooBig: () => void): void {
  const listeners = socket.listeners('data') as ((this: Socket, chunk: Buffer) => void)[];
  if (listeners.length !== 1) return;
  const wsOnData = listeners[0]!;
  let held: Buffer = Buffer.alloc(0);
  let refused = false;
  const gate = (chunk: Buffer) => {
    if (refused) return;
    held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
    const verdict = firstFrameVerdict(held, MAX_FIRST_FRAME_BYTES);
    if (verdict === 'more') return;
    if (verdict === 'too-big') {
      refused = true;
      held = Buffer.alloc(0);
      tooBig();
      return;
    }
    socket.removeListener('data', gate);
    socket.on('data', wsOnData);
    wsOnData.call(socket, held);
  };
  socket.removeListener('data', wsOnData);
  socket.on('data', gate);
}

const REFUSAL: Record<400 | 403 | 404, Buffer> = {
  400: Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', 'latin1'),
  403: Buffer.from('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', 'latin1'),
  404: Buffer.from('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', 'latin1'),
};

function refuse(socket: Socket, status: 400 | 403 | 404): void {
  // No CORS header, no body: nothing a browser page could read or act on. end() closes our
  // side once the status is flushed; a peer that never closes its side is cut 1 s later.
  socket.end(REFUSAL[status]);
  setTimeout(() => socket.destroy(), 1_000).unref();
}

export class PairingListener {
  private constructor(
    private readonly gate: GatedListener,
    private readonly wss: WebSocketServer,
    readonly address: string,
    readonly port: number,
  ) {}

  /** `ws://<ip>:<port>/pair`, as written in the QR. */
  get url(): string {
    return `ws://${hostFor(this.address, this.port)}${PAIR_PATH}`;
  }

  static async open(options: ListenerOptions): Promise<PairingListener> {
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
    wss.on('error', () => undefined); // never crash the companion on a hostile peer
    // connectionsCheckingInterval: Node enforces headersTimeout only on this tick (30 s by
    // default), so slow-loris sockets that never finish their headers would live 30 s.
    const server = http.createServer({ connectionsCheckingInterval: 1_000 }, (_req, res) => {
      // Plain HTTP has no meaning here: 404 for everything, no side effect, no CORS (Zoom 2019).
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
      res.end();
    });
    server.maxHeadersCount = 40;
    server.headersTimeout = 5_000;
    server.requestTimeout = 5_000;
    server.on('clientError', (_err, socket) => socket.destroy());
    // Per-peer cap on connections not yet upgraded (see MAX_PENDING_PER_PEER). Counted from
    // accept until the socket closes (a refusal: once flushed) or becomes a websocket (then the
    // session's own caps apply: one unauthenticated socket per peer, MAX_UNAUTHENTICATED in all).
    const pending = new Map<string, number>();
    const upgraded = new WeakMap<Socket, () => void>();
    const release = (peer: string) => {
      const n = (pending.get(peer) ?? 1) - 1;
      if (n > 0) pending.set(peer, n);
      else pending.delete(peer);
    };
    const admit = (socket: Socket): boolean => {
      const peer = socket.remoteAddress ?? '';
      const n = (pending.get(peer) ?? 0) + 1;
      if (n > MAX_PENDING_PER_PEER) {
        options.onRefused?.('too many connections from one peer');
        return false;
      }
      pending.set(peer, n);
      let counted = true;
      const done = () => {
        if (!counted) return;
        counted = false;
        release(peer);
      };
      socket.once('close', done);
      upgraded.set(socket, done);
      return true;
    };

    let expectedHost = '';
    let gate: GatedListener;
    try {
      gate = await listenBehindGate(
        server,
        { host: options.bindAddress, port: 0 },
        {
          expectedHost: () => expectedHost,
          hostCaseInsensitive: true, // an IPv6 literal may come back in another case
          hostRefusalStatus: 403,
          maxHeadBytes: 8 * 1024,
          headTimeoutMs: 5_000,
          onAccept: admit,
          onRefused: (why) => options.onRefused?.(why),
        },
      );
    } catch (cause) {
      throw pairingErrors.create('PairingListenFailed', { details: { bindAddress: options.bindAddress }, cause });
    }
    const port = gate.port;
    expectedHost = hostFor(options.bindAddress, port);
    const listener = new PairingListener(gate, wss, options.bindAddress, port);
    const policy = { expectedHost, allowedOrigins: options.allowedOrigins };

    server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      const verdict = checkUpgrade(req, policy);
      if (!verdict.ok) {
        options.onRefused?.(verdict.why);
        refuse(socket, verdict.status);
        return;
      }
      const peer = socket.remoteAddress ?? '';
      upgraded.get(socket)?.(); // a websocket now: the session's caps apply
      wss.handleUpgrade(req, socket, head, (ws) => {
        guardFirstFrame(socket, () => {
          options.onRefused?.('first frame too big');
          ws.close(1009, 'frame too big');
          setTimeout(() => ws.terminate(), 1_000).unref();
        });
        options.onConnection(ws, peer);
      });
    });
    return listener;
  }

  get listening(): boolean {
    return this.gate.listening;
  }

  /** Stops listening. Already upgraded sockets are the session's to close. */
  close(): Promise<void> {
    if (!this.gate.listening) return Promise.resolve();
    this.wss.close();
    return this.gate.close();
  }
}
