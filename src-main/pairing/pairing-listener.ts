/**
 * The direct endpoint: an HTTP server that only upgrades `/pair` to a websocket, bound to
 * ONE interface on a random port, opened while a QR is shown and closed as soon as it is not
 * (Zoom CVE-2019-13450: a local server that outlives its purpose is an attack surface).
 *
 * `ws` runs with `noServer: true` so every upgrade goes through `checkUpgrade` first
 * (electron-anchors.md rule 3), `maxPayload` 16 KiB (ws default is 100 MiB) and no
 * permessage-deflate (a compressed frame can inflate far beyond its wire size).
 * Node's header limits are tightened too: ws CVE-2024-37890 crashed servers with many headers.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, PAIR_PATH } from '../../src-shared/pairing-protocol';
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

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' };

function refuse(socket: Socket, status: number): void {
  // No CORS header, no body: nothing a browser page could read or act on. The socket is gone
  // as soon as the status is flushed (destroySoon), and at the latest 1 s later.
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroySoon();
  setTimeout(() => socket.destroy(), 1_000).unref();
}

export class PairingListener {
  private constructor(
    private readonly server: http.Server,
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
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end();
    });
    server.maxHeadersCount = 40;
    server.headersTimeout = 5_000;
    server.requestTimeout = 5_000;
    server.on('clientError', (_err, socket) => socket.destroy());

    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) => reject(pairingErrors.create('PairingListenFailed', { details: { bindAddress: options.bindAddress }, cause })));
      server.listen({ host: options.bindAddress, port: 0, exclusive: true }, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const listener = new PairingListener(server, wss, options.bindAddress, port);
    const policy = { expectedHost: hostFor(options.bindAddress, port), allowedOrigins: options.allowedOrigins };

    server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      const verdict = checkUpgrade(req, policy);
      if (!verdict.ok) {
        options.onRefused?.(verdict.why);
        refuse(socket, verdict.status);
        return;
      }
      const peer = socket.remoteAddress ?? '';
      wss.handleUpgrade(req, socket, head, (ws) => options.onConnection(ws, peer));
    });
    return listener;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Stops listening. Already upgraded sockets are the session's to close. */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections(); // plain HTTP keep-alives; upgraded sockets are detached
      this.wss.close();
    });
  }
}
