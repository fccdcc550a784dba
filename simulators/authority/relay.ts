/**
 * The authority's websocket relay (issue 4 §3 "relay fallback"): when the phone cannot reach
 * the computer, both join `<relay url>?session=<s>&role=desktop|phone` — the same join form as
 * the pairing protocol (src-main/pairing/README.md § Relay), read by the shared
 * `parseRelayJoin` (src-shared/pairing-protocol.ts; the desktop and the test hub use it too),
 * the relay URL being what `describe().relayUrl` reports (`ws://host:port/relay/`; `/relay`
 * without the slash is accepted too). The relay forwards every frame of one side to the other,
 * unchanged. It never parses a frame: the pairing protocol is end-to-end encrypted, the relay
 * sees only ciphertext, and a man in the middle here makes the users' codes disagree.
 * It enforces only what keeps it healthy and the session shape: the desktop opens the session
 * and a phone may join only an open one (else 4101), one desktop and one phone per session
 * (another of a role: HTTP 409 at upgrade), 16 KiB frames, a bounded backlog, a bounded wait
 * for the second side (`waitForPeerMs`, then 4408; the desktop joins again while its QR is
 * valid, so an e-mailed QR valid 30 min stays reachable without the relay holding anything
 * longer than `waitForPeerMs` for a peer that may never come), at most `maxSessions`.
 * When one side closes, the other is closed with the same 4000–4999 code (so the phone learns
 * why, e.g. 4009 reset or 4011 password refused) or 4100 (peer left).
 *
 * `attachRelay` is the mount point.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { PairingClose, parseRelayJoin, RELAY_PATH, type RelayRole } from '../../src-shared/pairing-protocol';

export interface RelayOptions {
  /** Largest frame forwarded; a bigger one closes the sender's socket (1009). Default 16 KiB. */
  maxPayload?: number;
  /** A session with one peer waiting longer than this is closed. Default 120 s. */
  waitForPeerMs?: number;
  /** Simultaneous sessions; more are refused (503). Default 1000. */
  maxSessions?: number;
}

export interface RelayHandle {
  sessions(): number;
  close(): Promise<void>;
}

/** The relay's path on the authority server (a trailing slash is accepted). */
export { RELAY_PATH };
const BACKLOG_FRAMES = 32;

interface Session {
  desktop?: WebSocket;
  phone?: WebSocket;
  backlog: { data: RawData; binary: boolean }[];
  timer: NodeJS.Timeout | undefined;
}

const other = (role: RelayRole): RelayRole => (role === 'desktop' ? 'phone' : 'desktop');

export function attachRelay(server: Server, options: RelayOptions = {}): RelayHandle {
  const maxPayload = options.maxPayload ?? 16 * 1024;
  const waitForPeerMs = options.waitForPeerMs ?? 120_000;
  const maxSessions = options.maxSessions ?? 1000;
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  const sessions = new Map<string, Session>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const join = parseRelayJoin(req.url);
    if (!join) return refuse(socket, 404, 'Not Found');
    const session = sessions.get(join.session);
    // Refused before the upgrade so a third party never gets a socket to talk on.
    if (session?.[join.role]) return refuse(socket, 409, 'Conflict');
    if (!session && join.role === 'desktop' && sessions.size >= maxSessions) return refuse(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => attach(join.session, join.role, ws));
  };

  const attach = (id: string, role: RelayRole, ws: WebSocket) => {
    ws.on('error', () => ws.terminate());
    let session = sessions.get(id);
    if (!session) {
      // Only the desktop opens a session (it made the id and put it in the QR).
      if (role === 'phone') return ws.close(PairingClose.UnknownRelaySession, 'unknown session');
      session = { backlog: [], timer: undefined };
      sessions.set(id, session);
      const created = session;
      created.timer = setTimeout(() => end(id, created, PairingClose.RelayWaitOver, 'peer did not arrive'), waitForPeerMs);
    }
    if (session[role]) return ws.close(PairingClose.Busy, 'busy'); // raced another of its role
    const current = session;
    current[role] = ws;
    if (current.desktop && current.phone) {
      clearTimeout(current.timer);
      for (const frame of current.backlog.splice(0)) ws.send(frame.data, { binary: frame.binary });
    }
    ws.on('message', (data, binary) => {
      const peer = current[other(role)];
      if (peer && peer.readyState === WebSocket.OPEN) peer.send(data, { binary });
      else if (current.backlog.length < BACKLOG_FRAMES) current.backlog.push({ data, binary });
      else end(id, current, 1013, 'backlog full');
    });
    // One side leaving ends the session (no resumption through the relay); the other side
    // learns why: the pairing's own 4xxx close code is passed through, anything else is 4100.
    ws.on('close', (code, reason) => {
      if (current[role] !== ws) return;
      const forwarded = code >= 4000 && code <= 4999 ? code : PairingClose.PeerGone;
      end(id, current, forwarded, reason.toString('utf8').slice(0, 120) || 'peer left');
    });
  };

  const end = (id: string, session: Session, code: number, reason: string) => {
    if (sessions.get(id) !== session) return;
    sessions.delete(id);
    clearTimeout(session.timer);
    for (const peer of [session.desktop, session.phone]) {
      if (peer && (peer.readyState === WebSocket.OPEN || peer.readyState === WebSocket.CONNECTING)) peer.close(code, reason);
    }
  };

  server.on('upgrade', onUpgrade);
  return {
    sessions: () => sessions.size,
    close: async () => {
      server.off('upgrade', onUpgrade);
      for (const [id, session] of [...sessions]) end(id, session, 1001, 'relay closing');
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
