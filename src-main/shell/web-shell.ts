/**
 * The web shell (issue 5 §2): the same renderer and the same IPC handlers as the Electron
 * window, over HTTP + one websocket on 127.0.0.1.
 *
 *   - bound to 127.0.0.1 only, on a random port;
 *   - a 256-bit secret token, handed to the browser in the page URL's fragment (never sent in
 *     an HTTP request, so never in a server log) and sent back as the websocket's first frame
 *     `{ type: 'auth', token }`; compared in constant time; never logged;
 *   - every HTTP request and the websocket upgrade must carry `Host: 127.0.0.1:<port>` (DNS
 *     rebinding) and the upgrade `Origin: http://127.0.0.1:<port>` (no other site's page);
 *   - small maxPayload; a binary, non-JSON or non-request frame closes the socket;
 *   - requests `{ id, channel, payload }` → `{ id, ok, result | error }` through the ONE
 *     validation wrapper (src-main/ipc/validated.ts); events `{ event, payload }`;
 *   - static files from dist/renderer only (no traversal, no symlink escape), strict CSP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
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
import { mimeTypeOf, rendererContentSecurityPolicy, resolveStaticFile } from './static-files';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
/** Largest websocket frame accepted (a request is a few hundred bytes). */
export const WEB_SHELL_MAX_PAYLOAD = 16 * 1024;
const AUTH_TIMEOUT_MS = 5_000;
const MAX_CLIENTS = 4;

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

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    securityHeaders(res);
    if (req.headers.host !== host) return plain(res, 421, 'Misdirected request\n');
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
    res.statusCode = 200;
    res.setHeader('Content-Type', mimeTypeOf(file));
    const body = readFileSync(file);
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer(handleHttp);
  const wss = new WebSocketServer({ noServer: true, maxPayload: WEB_SHELL_MAX_PAYLOAD, clientTracking: true, perMessageDeflate: false });

  function refuseUpgrade(socket: Duplex, status: number, text: string, why: string): void {
    log(`web shell: websocket refused (${why})`);
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  server.on('upgrade', (req, socket, head) => {
    const rawPath = (req.url ?? '').split('?')[0];
    if (rawPath !== WEB_SHELL_WS_PATH) return refuseUpgrade(socket, 404, 'Not Found', 'path');
    if (req.headers.host !== host) return refuseUpgrade(socket, 421, 'Misdirected Request', 'host');
    if (req.headers.origin !== origin) return refuseUpgrade(socket, 403, 'Forbidden', 'origin');
    if (wss.clients.size >= MAX_CLIENTS) return refuseUpgrade(socket, 503, 'Service Unavailable', 'too many clients');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    let authed = false;
    let unsubscribe: (() => void) | undefined;
    const authTimer = setTimeout(() => ws.close(WIRE_CLOSE.authTimeout, 'auth timeout'), AUTH_TIMEOUT_MS);
    authTimer.unref();
    const send = (value: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
    };
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(authTimer);
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
          return ws.close(WIRE_CLOSE.unauthorized, 'unauthorized');
        }
        authed = true;
        clearTimeout(authTimer);
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('web shell: no TCP address');
  port = address.port;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  csp = contentSecurityPolicy(origin);
  log(`web shell: listening on ${origin}`);

  return {
    port,
    origin,
    url: `${origin}/#${WEB_SHELL_TOKEN_PARAM}=${token}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

