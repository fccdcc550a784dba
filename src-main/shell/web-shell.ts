/**
 * The web shell (issue 5 §2): the same renderer and the same IPC handlers as the Electron
 * window, over HTTP + one websocket on 127.0.0.1.
 *
 *   - bound to 127.0.0.1 only, on a random port;
 *   - a 256-bit secret token, handed to the browser in the page URL's fragment (never sent in
 *     an HTTP request, so never in a server log) and sent back as the websocket's first frame
 *     `{ type: 'auth', token }`; compared in constant time; never logged;
 *   - every HTTP request and the websocket upgrade must carry exactly one `Host: 127.0.0.1:<port>`,
 *     checked on the raw bytes before Node's parser trims them (src-main/net/request-head-gate.ts;
 *     DNS rebinding), and the upgrade exactly one `Origin: http://127.0.0.1:<port>` (no other
 *     site's page) on exactly the path `/ipc` (no normalisation: `/ipc/..`, `/ipc?x` are 404);
 *   - one request per TCP connection (`Connection: close`): the gate reads one head per connection;
 *   - unauthenticated sockets are capped, the OLDEST evicted when a new one comes: idle sockets
 *     of another local process can never lock the page (which holds the token) out;
 *   - small maxPayload; a binary, non-JSON or non-request frame closes the socket;
 *   - requests `{ id, channel, payload }` → `{ id, ok, result | error }` through the ONE
 *     validation wrapper (src-main/ipc/validated.ts); events `{ event, payload }`;
 *   - static files from dist/renderer only (no traversal, no symlink escape), strict CSP, JS/CSS
 *     compressed (brotli or gzip per Accept-Encoding, `Vary: Accept-Encoding`; compressed-files.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  WEB_SHELL_TOKEN_PARAM,
  WEB_SHELL_WS_PATH,
  WIRE_CLOSE,
  wireAuthSchema,
  wireRequestSchema,
  type WireResponse,
} from '../../src-shared/ipc-contract';
import type { IpcDispatcher } from '../ipc/validated';
import type { IpcEventSource } from '../ipc/handlers';
import { listenBehindGate } from '../net/request-head-gate';
import { CompressedFiles } from './compressed-files';
import { mimeTypeOf, rendererContentSecurityPolicy, resolveStaticFile } from './static-files';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
/** Largest websocket frame accepted (a request is a few hundred bytes). */
export const WEB_SHELL_MAX_PAYLOAD = 16 * 1024;
const AUTH_TIMEOUT_MS = 5_000;
/**
 * Sockets upgraded but not yet authenticated. Beyond this the oldest is closed (4408): the page
 * sends its token in the first frame, right after the upgrade, so only sockets that sit idle
 * are ever evicted — never a lock-out of the page (issue 13 #4).
 */
export const WEB_SHELL_MAX_UNAUTHENTICATED = 8;
/** Authenticated sockets (tabs of the page, a reload overlapping its predecessor). */
export const WEB_SHELL_MAX_AUTHENTICATED = 8;

export interface WebShellOptions {
  dispatcher: IpcDispatcher;
  events: IpcEventSource;
  rendererDir?: string;
  /** Tests only; default a fresh random 256-bit token. */
  token?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** Non-secret diagnostics (never a token, never a payload). */
  log?: (line: string) => void;
}

export interface WebShell {
  readonly port: number;
  readonly origin: string;
  /** The page URL WITH the token in its fragment: give it only to the browser. */
  readonly url: string;
  close(): Promise<void>;
}

export function contentSecurityPolicy(origin: string): string {
  return rendererContentSecurityPolicy([origin.replace(/^http:/, 'ws:')]);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const tokenDigest = digest(token);
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const log = options.log ?? (() => undefined);
  let port = 0;
  let origin = '';
  let host = '';
  let csp = '';

  const tokenMatches = (candidate: string): boolean => timingSafeEqual(digest(candidate), tokenDigest);

  function securityHeaders(res: ServerResponse): void {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
  }

  function plain(res: ServerResponse, status: number, text: string): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(text);
  }

  /** The file a URL path names inside rendererDir, or undefined (never outside it). */
  const resolveStatic = (urlPath: string): string | undefined => resolveStaticFile(rendererDir, urlPath);

  /** Sockets that already carried a request: the gate checked only the first head. */
  const served = new WeakSet<Socket>();
  const files = new CompressedFiles();

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    securityHeaders(res);
    res.shouldKeepAlive = false;
    // A request pipelined behind the first is left unanswered: the connection closes once the
    // first response is out (Connection: close), and its head never went through the gate.
    if (served.has(req.socket)) return;
    served.add(req.socket);
    if (req.headersDistinct.host?.length !== 1 || req.headers.host !== host) return plain(res, 421, 'Misdirected request\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'Method not allowed\n');
    }
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (!rawPath.startsWith('/')) return plain(res, 400, 'Bad request\n');
    if (!existsSync(path.join(rendererDir, 'index.html'))) {
      return plain(
        res,
        503,
        'Compagnon e-CPS : l’interface n’est pas construite. Lancez `npx vite build` (dossier dist/renderer/) puis relancez `npm start`.\n' +
          'Compagnon e-CPS: the user interface is not built. Run `npx vite build` (folder dist/renderer/), then `npm start` again.\n',
      );
    }
    let file: string | undefined;
    try {
      file = resolveStatic(rawPath);
    } catch {
      file = undefined;
    }
    if (!file) return plain(res, 404, 'Not found\n');
    const found = file;
    files.body(found, req.headers['accept-encoding']).then(
      ({ body, encoding }) => {
        res.statusCode = 200;
        res.setHeader('Content-Type', mimeTypeOf(found));
        // Caches (none should keep anything: no-store) and proxies must key on the coding.
        res.setHeader('Vary', 'Accept-Encoding');
        if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
        res.setHeader('Content-Length', body.length);
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => plain(res, 404, 'Not found\n'),
    );
  }

  const server = createServer({ connectionsCheckingInterval: 1_000, headersTimeout: 5_000, requestTimeout: 10_000 }, handleHttp);
  server.maxHeadersCount = 64;
  const wss = new WebSocketServer({ noServer: true, maxPayload: WEB_SHELL_MAX_PAYLOAD, clientTracking: true, perMessageDeflate: false });

  function refuseUpgrade(socket: Duplex, status: number, text: string, why: string): void {
    log(`web shell: websocket refused (${why})`);
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    // The raw request target, exactly: no query, no dot segments, no second slash, no encoding.
    if (req.url !== WEB_SHELL_WS_PATH) return refuseUpgrade(socket, 404, 'Not Found', 'path');
    if (req.method !== 'GET') return refuseUpgrade(socket, 405, 'Method Not Allowed', 'method');
    if (req.headersDistinct.host?.length !== 1 || req.headers.host !== host) return refuseUpgrade(socket, 421, 'Misdirected Request', 'host');
    if (req.headersDistinct.origin?.length !== 1 || req.headers.origin !== origin) return refuseUpgrade(socket, 403, 'Forbidden', 'origin');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  /** Unauthenticated sockets, oldest first (see WEB_SHELL_MAX_UNAUTHENTICATED). */
  const waiting = new Set<WebSocket>();
  let authenticated = 0;

  function onConnection(ws: WebSocket): void {
    let authed = false;
    let unsubscribe: (() => void) | undefined;
    const authTimer = setTimeout(() => ws.close(WIRE_CLOSE.authTimeout, 'auth timeout'), AUTH_TIMEOUT_MS);
    authTimer.unref();
    if (waiting.size >= WEB_SHELL_MAX_UNAUTHENTICATED) {
      const oldest = waiting.values().next().value as WebSocket;
      waiting.delete(oldest);
      log('web shell: oldest unauthenticated websocket evicted');
      oldest.close(WIRE_CLOSE.authTimeout, 'no auth (evicted)');
      setTimeout(() => oldest.terminate(), 1_000).unref();
    }
    waiting.add(ws);
    const send = (value: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
    };
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(authTimer);
      waiting.delete(ws);
      if (authed) authenticated--;
      unsubscribe?.();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return ws.close(WIRE_CLOSE.badFrame, 'binary frame');
      let message: unknown;
      try {
        message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
      } catch {
        return ws.close(WIRE_CLOSE.badFrame, 'not json');
      }
      if (!authed) {
        const auth = wireAuthSchema.safeParse(message);
        if (!auth.success || !tokenMatches(auth.data.token)) {
          log('web shell: websocket closed (bad or missing token)');
          waiting.delete(ws);
          return ws.close(WIRE_CLOSE.unauthorized, 'unauthorized');
        }
        waiting.delete(ws);
        clearTimeout(authTimer);
        if (authenticated >= WEB_SHELL_MAX_AUTHENTICATED) return ws.close(WIRE_CLOSE.tooManyClients, 'too many clients');
        authed = true;
        authenticated++;
        send({ type: 'auth-ok' });
        unsubscribe = options.events.subscribe((event, payload) => send({ event, payload }));
        return;
      }
      const request = wireRequestSchema.safeParse(message);
      if (!request.success) return ws.close(WIRE_CLOSE.badFrame, 'not a request');
      const { id, channel, payload } = request.data;
      void options.dispatcher.dispatch(channel, payload).then((outcome) => {
        const reply: WireResponse = outcome.ok ? { id, ok: true, result: outcome.result } : { id, ok: false, error: outcome.error };
        send(reply);
      });
    });
  }

  const listener = await listenBehindGate(
    server,
    { host: '127.0.0.1', port: options.port ?? 0 },
    { expectedHost: () => host, onRefused: (why, status) => log(`web shell: request refused before parsing (${status}, ${why})`) },
  );
  port = listener.port;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  csp = contentSecurityPolicy(origin);
  log(`web shell: listening on ${origin}`);
  files.warm(rendererDir);

  return {
    port,
    origin,
    url: `${origin}/#${WEB_SHELL_TOKEN_PARAM}=${token}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await listener.close();
    },
  };
}

