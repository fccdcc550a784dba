/**
 * The websocket relay (issue 4 §3 "relay fallback": phone on 4G, Wi-Fi client isolation).
 * `createRelayHub()` (with its man-in-the-middle hook) on a bare loopback server,
 * `startRelayServer()`, is the tests' relay; the sandbox authority serves the same join form
 * and close-code rules with its own forwarder (simulators/authority/relay.ts `attachRelay`).
 *
 * Relay frame format — deliberately nothing of its own, so the relay can read nothing:
 * - join: websocket upgrade to `<relay url>?session=<QR relay session>&role=desktop|phone`
 *   (`relayJoinUrl` / `parseRelayJoin`, src-shared/pairing-protocol.ts);
 *   the desktop opens the session, a phone may join only an open session (else 4101);
 *   one desktop and one phone per session (a second of a role: 4006);
 * - frames: each websocket text message (≤ 16 KiB) is forwarded verbatim to the other side.
 *   They are the pairing protocol's own frames: the hello (public key + HMAC, no secret)
 *   then AES-GCM `sealed` frames. The relay never parses them;
 * - leave: when one side closes, the relay closes the other with the same application close
 *   code (4000–4999, so the phone learns why) or 4100, and forgets the session.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES, PairingClose, parseRelayJoin, relayJoinUrl, type RelayRole } from '../../src-shared/pairing-protocol';

export interface RelayHubOptions {
  /**
   * Test double hook: a hostile relay that rewrites frames (man-in-the-middle tests).
   * Return the frame to forward, or undefined to drop it. A real relay never sets it.
   */
  intercept?(frame: string, from: RelayRole, session: string): string | undefined;
}

export interface RelayHub {
  attach(ws: WebSocket, join: { session: string; role: RelayRole }): void;
  readonly sessionCount: number;
  closeAll(): void;
}

/**
 * How long the desktop waits before joining its relay session again after `failures` joins in
 * a row that did not hold (relay down or refusing, a hostile phone cut off, a link that died
 * at once): 50 ms, doubling, at most 5 s — so a relay that is down costs it one attempt per 5 s,
 * and one that comes back is rejoined within 5 s. `failures` 0 (the relay's wait for a phone ran
 * out after a healthy wait, 4408) rejoins at once: the QR may be in an e-mail read 29 min later.
 */
export function relayRejoinDelay(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(RELAY_REJOIN_MAX_MS, 50 * 2 ** Math.min(failures - 1, 16));
}
const RELAY_REJOIN_MAX_MS = 5_000;

/** One side's socket to the relay (the same limits as the direct endpoint). */
export function joinRelay(relayUrl: string, session: string, role: RelayRole): WebSocket {
  const ws = new WebSocket(relayJoinUrl(relayUrl, session, role), { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, handshakeTimeout: 5_000 });
  ws.on('error', () => undefined);
  return ws;
}

export function createRelayHub(options: RelayHubOptions = {}): RelayHub {
  const sessions = new Map<string, { desktop?: WebSocket; phone?: WebSocket }>();

  function leave(session: string, role: RelayRole, ws: WebSocket, code: number, reason: string): void {
    const entry = sessions.get(session);
    if (!entry || entry[role] !== ws) return;
    sessions.delete(session);
    const peer = role === 'desktop' ? entry.phone : entry.desktop;
    const forwarded = code >= 4000 && code <= 4999 ? code : PairingClose.PeerGone;
    peer?.close(forwarded, reason.slice(0, 120) || 'peer left');
  }

  return {
    get sessionCount() {
      return sessions.size;
    },
    attach(ws, { session, role }) {
      ws.on('error', () => undefined);
      const entry = sessions.get(session);
      if (role === 'phone' && !entry) return ws.close(PairingClose.UnknownRelaySession, 'unknown session');
      if (entry?.[role]) return ws.close(PairingClose.Busy, 'busy');
      const slot = entry ?? {};
      slot[role] = ws;
      sessions.set(session, slot);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return ws.close(PairingClose.InvalidMessage, 'binary frame');
        const current = sessions.get(session);
        const peer = role === 'desktop' ? current?.phone : current?.desktop;
        if (!peer) return; // desktop frames before a phone joined have no reader: dropped
        const text = (data as Buffer).toString('utf8');
        const out = options.intercept ? options.intercept(text, role, session) : text;
        if (out !== undefined) peer.send(out);
      });
      ws.on('close', (code, reason) => leave(session, role, ws, code, reason.toString('utf8')));
    },
    closeAll() {
      for (const entry of sessions.values()) for (const ws of [entry.desktop, entry.phone]) ws?.terminate();
      sessions.clear();
    },
  };
}

/** The hub on its own loopback server: the authority's relay stand-in for tests. */
export async function startRelayServer(
  options: RelayHubOptions & { host?: string } = {},
): Promise<{ url: string; hub: RelayHub; close(): Promise<void> }> {
  const hub = createRelayHub(options);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const server = http.createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const join = parseRelayJoin(req.url);
    if (!join) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws, join));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://${host}:${port}/relay`,
    hub,
    close: () =>
      new Promise<void>((resolve) => {
        hub.closeAll();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
