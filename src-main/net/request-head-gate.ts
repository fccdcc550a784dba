/**
 * A gate in front of a local HTTP server (the web shell, the pairing listener) that reads each
 * connection's first request head as RAW BYTES before Node's parser sees it, and refuses:
 *   - a Host that is not byte for byte the expected `ip:port` — Node's parser strips spaces and
 *     tabs around a header value (RFC 9110 §5.5 OWS), so `Host: 127.0.0.1:PORT ` (trailing
 *     space) would look exact afterwards (issue 13 #1);
 *   - more than one Host or Origin line (issue 13 #2; RFC 9112 §3.2 says 400 for several Host);
 *   - obsolete line folding, bare LF line ends, control bytes in a header line: framing that
 *     parsers disagree on (request smuggling), which no browser or phone ever sends;
 *   - a head larger than `maxHeadBytes` (431) or not complete within `headTimeoutMs` (slow loris).
 * A connection that passes is handed to the HTTP server as if it had accepted it itself
 * (`emit('connection')` with the bytes read put back). The gate checks ONE head per connection:
 * the server behind it must serve one request per connection (`Connection: close`), which both
 * of ours do (a page loads a handful of files; the pairing side only upgrades).
 */
import type http from 'node:http';
import net from 'node:net';

export type HeadVerdict = { ok: true } | { ok: false; status: 400 | 421 | 431; why: string };
type RefusalStatus = 400 | 403 | 421 | 431;

export interface RequestHeadGateOptions {
  /** The one acceptable Host value (`127.0.0.1:51234`, `[fe80::1]:4000`), known once listening. */
  expectedHost: () => string;
  /** Compare Host ignoring ASCII case (a phone may upper-case an IPv6 literal); default false. */
  hostCaseInsensitive?: boolean;
  /** Status for a wrong Host (default 421 Misdirected Request; the pairing side answers 403). */
  hostRefusalStatus?: 403 | 421;
  /** Default 16 KiB (Node's own default header limit). */
  maxHeadBytes?: number;
  /** Default 5 s. */
  headTimeoutMs?: number;
  /** Called for every refusal (never with header values: they may hold anything). */
  onRefused?(why: string, status: number): void;
  /** Called once per accepted TCP connection, before any byte is read; return false to drop it. */
  onAccept?(socket: net.Socket): boolean;
}

const REASON: Record<RefusalStatus, string> = { 400: 'Bad Request', 403: 'Forbidden', 421: 'Misdirected Request', 431: 'Request Header Fields Too Large' };
/** Encoded once: a hostile peer may ask for thousands a second. No CORS header, no body. */
const REFUSAL: Record<RefusalStatus, Buffer> = {
  400: refusalBytes(400),
  403: refusalBytes(403),
  421: refusalBytes(421),
  431: refusalBytes(431),
};

function refusalBytes(status: RefusalStatus): Buffer {
  return Buffer.from(`HTTP/1.1 ${status} ${REASON[status]}\r\nConnection: close\r\nContent-Length: 0\r\nCache-Control: no-store\r\n\r\n`, 'latin1');
}

const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

/**
 * The verdict on one raw request head (request line + header lines, up to and without the
 * blank line). Pure: the tests feed it bytes directly.
 */
export function checkRequestHead(head: Buffer, expectedHost: string, hostCaseInsensitive = false): HeadVerdict {
  const text = head.toString('latin1');
  // Every line must end in CRLF: a bare LF (or CR) is read differently by different parsers.
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) return { ok: false, status: 400, why: 'bare line ending' };
  const lines = text.split('\r\n');
  let hosts = 0;
  let origins = 0;
  let hostValue = '';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') return { ok: false, status: 400, why: 'folded header line' };
    // Control bytes (other than HTAB) and DEL have no place in a header line (RFC 9110 §5.5).
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) return { ok: false, status: 400, why: 'control byte in a header' };
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, status: 400, why: 'header line without a name' };
    const name = line.slice(0, colon).toLowerCase();
    if (name === 'host') {
      hosts++;
      // Leading OWS is how every client writes it ("Host: x"); anything after the value is not.
      hostValue = line.slice(colon + 1).replace(/^[ \t]+/, '');
    } else if (name === 'origin') origins++;
  }
  if (hosts !== 1) return { ok: false, status: 400, why: hosts === 0 ? 'no host' : 'several host headers' };
  if (origins > 1) return { ok: false, status: 400, why: 'several origin headers' };
  const same = hostCaseInsensitive ? hostValue.toLowerCase() === expectedHost.toLowerCase() : hostValue === expectedHost;
  if (!same) return { ok: false, status: 421, why: 'host' };
  return { ok: true };
}

export interface GatedListener {
  readonly port: number;
  readonly listening: boolean;
  /**
   * Stops accepting, drops the connections still in the gate and the HTTP server's idle or
   * in-flight ones; resolves once every accepted socket is closed (upgraded websockets are the
   * caller's to close, as with a plain `server.close`).
   */
  close(): Promise<void>;
}

/** Listens on `host:port` with the gate in front of `server` (which must not listen itself). */
export async function listenBehindGate(
  server: http.Server,
  listen: { host: string; port: number },
  options: RequestHeadGateOptions,
): Promise<GatedListener> {
  const maxHeadBytes = options.maxHeadBytes ?? 16 * 1024;
  const headTimeoutMs = options.headTimeoutMs ?? 5_000;
  const held = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    if (options.onAccept && !options.onAccept(socket)) {
      socket.destroy();
      return;
    }
    held.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => refuse(400, 'head timeout'), headTimeoutMs);
    timer.unref();
    const release = () => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      held.delete(socket);
    };
    const refuse = (status: RefusalStatus, why: string) => {
      release();
      options.onRefused?.(why, status);
      socket.end(REFUSAL[status]);
      // A peer that never reads our refusal does not keep the socket.
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(END_OF_HEAD);
      if (end < 0) {
        if (buffered.length > maxHeadBytes) refuse(431, 'head too large');
        return;
      }
      if (end > maxHeadBytes) return refuse(431, 'head too large');
      const verdict = checkRequestHead(buffered.subarray(0, end), options.expectedHost(), options.hostCaseInsensitive === true);
      if (!verdict.ok) return refuse(verdict.status === 421 ? (options.hostRefusalStatus ?? 421) : verdict.status, verdict.why);
      release();
      socket.pause();
      socket.unshift(buffered);
      server.emit('connection', socket);
      socket.resume();
    };
    socket.on('data', onData);
    socket.once('close', () => release());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen({ host: listen.host, port: listen.port, exclusive: true }, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const port = (tcp.address() as net.AddressInfo).port;
  // The HTTP server never listens itself, but its request/headers timeouts and
  // closeAllConnections() rely on the connection tracking Node starts on 'listening'.
  server.emit('listening');
  return {
    port,
    get listening() {
      return tcp.listening;
    },
    close() {
      if (!tcp.listening) return Promise.resolve();
      return new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const socket of held) socket.destroy();
        held.clear();
        server.close(() => undefined); // stops its connection-checking timer (it never listened itself)
        server.closeAllConnections();
      });
    },
  };
}
