/**
 * The authority's websocket relay (issue 4 §3 "relay fallback"): when the phone cannot reach
 * the computer, both connect to `/relay/<sessionId>` and the relay forwards every frame of one
 * to the other, unchanged. It never parses a frame: the pairing protocol is end-to-end
 * encrypted, the relay sees only ciphertext, and a man in the middle here makes the users'
 * codes disagree (src-main/pairing). It enforces only what keeps it healthy: two peers per
 * session, 16 KiB frames, a bounded backlog before the second peer arrives, an idle timeout.
 *
 * `attachRelay` is the mount point; the pairing teammates may swap in their own forwarding.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

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

/** ≥ 128 bits in base64url (22+ chars): session ids are unguessable, chosen by the desktop. */
export const RELAY_PATH = /^\/relay\/([A-Za-z0-9_-]{22,128})$/;
const BACKLOG_FRAMES = 32;

interface Session {
  peers: WebSocket[];
  backlog: { data: RawData; binary: boolean }[];
  timer: NodeJS.Timeout | undefined;
}

export function attachRelay(server: Server, options: RelayOptions = {}): RelayHandle {
  const maxPayload = options.maxPayload ?? 16 * 1024;
  const waitForPeerMs = options.waitForPeerMs ?? 120_000;
  const maxSessions = options.maxSessions ?? 1000;
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const sessions = new Map<string, Session>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = RELAY_PATH.exec(new URL(req.url ?? '/', 'http://relay').pathname);
    if (!match) return refuse(socket, 404, 'Not Found');
    const id = match[1]!;
    const session = sessions.get(id);
    // Refused before the upgrade so a third party never gets a socket to talk on.
    if (session && session.peers.length >= 2) return refuse(socket, 409, 'Conflict');
    if (!session && sessions.size >= maxSessions) return refuse(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => join(id, ws));
  };

  const join = (id: string, ws: WebSocket) => {
    let session = sessions.get(id);
    if (!session) {
      session = { peers: [], backlog: [], timer: undefined };
      sessions.set(id, session);
      const created = session;
      created.timer = setTimeout(() => end(id, created, 4408, 'peer did not arrive'), waitForPeerMs);
    }
    const current = session;
    current.peers.push(ws);
    if (current.peers.length === 2) {
      clearTimeout(current.timer);
      for (const frame of current.backlog.splice(0)) ws.send(frame.data, { binary: frame.binary });
    }
    ws.on('message', (data, binary) => {
      const peer = current.peers.find((p) => p !== ws);
      if (peer && peer.readyState === WebSocket.OPEN) peer.send(data, { binary });
      else if (current.backlog.length < BACKLOG_FRAMES) current.backlog.push({ data, binary });
      else end(id, current, 1013, 'backlog full');
    });
    // One side leaving ends the session: the protocol has no resumption through the relay.
    ws.on('close', () => end(id, current, 1000, 'peer left'));
    ws.on('error', () => ws.terminate());
  };

  const end = (id: string, session: Session, code: number, reason: string) => {
    if (sessions.get(id) !== session) return;
    sessions.delete(id);
    clearTimeout(session.timer);
    for (const peer of session.peers) {
      if (peer.readyState === WebSocket.OPEN || peer.readyState === WebSocket.CONNECTING) peer.close(code, reason);
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
