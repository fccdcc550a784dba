/**
 * A tiny static HTTP server for the reference phone page (dist/phone, built by
 * `npm run build:phone`), for demos and training: a phone browser on the same network opens
 * `http://<ip>:<port>/#ecps1:…` and pairs with the companion.
 *
 * Rules (architecture.md §4, electron-anchors.md "Local websocket/HTTP server pitfalls"):
 * - a fixed list of files, read once at start: no file system access per request, no
 *   directory listing, nothing else reachable (path traversal has nothing to traverse);
 * - GET (and HEAD) only, anything else 405; a request target that is not a plain path 400;
 * - Host must be the `ip:port` served (DNS rebinding), else 403;
 * - every answer carries a strict CSP (no inline script, no eval), `cache-control: no-store`,
 *   nosniff, no referrer, no framing;
 * - bound to one interface (the pairing one), on a random port unless told.
 * The page's origin (`origin`) is what the pairing session must allow — exactly that one.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { defineErrorCatalog } from '../../src-shared/errors';

export const phonePageErrors = defineErrorCatalog({
  PhonePageMissing: {
    message: { fr: 'La page du téléphone de référence n’est pas construite (dist/phone).', en: 'The reference phone page is not built (dist/phone).' },
    remedy: { fr: 'Lancez « npm run build:phone », puis recommencez.', en: 'Run “npm run build:phone”, then try again.' },
  },
  PhonePageListenFailed: {
    message: { fr: 'Impossible de servir la page du téléphone sur cette adresse.', en: 'Cannot serve the phone page on this address.' },
    remedy: { fr: 'Vérifiez l’adresse (--bind) et le port (--port) choisis.', en: 'Check the chosen address (--bind) and port (--port).' },
  },
});

export const DEFAULT_PHONE_PAGE_DIR = fileURLToPath(new URL('../../dist/phone/', import.meta.url));

/** The only files served (vite.phone.config.ts gives them these fixed names). */
export const PHONE_PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/phone.js': { file: 'phone.js', type: 'text/javascript; charset=utf-8' },
  '/phone.css': { file: 'phone.css', type: 'text/css; charset=utf-8' },
};

/**
 * `connect-src ws: wss:`: the desktop's port is random and the relay is the authority's; the
 * desktop's own upgrade guard is what decides (Origin = this page, exactly).
 */
export const PHONE_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  'connect-src ws: wss:',
  'media-src blob: mediastream:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PHONE_PAGE_CSP,
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
};

export interface PhonePageServerOptions {
  /** The interface to listen on: the one the pairing listens on (an IP literal). */
  bindAddress?: string;
  /** 0 (default): a random free port. */
  port?: number;
  /** Where the built page is (default dist/phone). */
  dir?: string;
}

export interface PhonePageServer {
  /** `http://<ip>:<port>/` */
  url: string;
  /** `http://<ip>:<port>`: the one Origin the pairing session may allow. */
  origin: string;
  address: string;
  port: number;
  /** The page URL carrying a QR payload in its fragment (never sent to any server). */
  linkFor(qrPayload: string): string;
  close(): Promise<void>;
}

function hostFor(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

function loadFiles(dir: string): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  const cache = new Map<string, Buffer>();
  for (const [route, { file, type }] of Object.entries(PHONE_PAGE_FILES)) {
    let body = cache.get(file);
    if (!body) {
      try {
        body = readFileSync(`${dir.replace(/\/+$/, '')}/${file}`);
      } catch (cause) {
        throw phonePageErrors.create('PhonePageMissing', { details: { file }, cause });
      }
      cache.set(file, body);
    }
    files.set(route, { body, type });
  }
  return files;
}

export async function startPhonePageServer(options: PhonePageServerOptions = {}): Promise<PhonePageServer> {
  const bindAddress = options.bindAddress ?? '127.0.0.1';
  const files = loadFiles(options.dir ?? DEFAULT_PHONE_PAGE_DIR);
  let expectedHost = '';
  let expectedPort = '';

  const send = (res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}, head = false) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.writeHead(status, {
      ...COMMON_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      ...headers,
      'content-length': String(bytes.length),
    });
    res.end(head ? undefined : bytes);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? '';
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
    const head = method === 'HEAD';
    const host = req.headers.host;
    const hostOk = typeof host === 'string' && (expectedHost ? host.toLowerCase() === expectedHost.toLowerCase() : host.endsWith(`:${expectedPort}`));
    if (!hostOk) {
      return send(res, 403, 'Forbidden\n', {}, head);
    }
    const target = req.url ?? '';
    // A plain absolute path, nothing encoded, no dot segments, no backslash: anything else is
    // refused before the lookup (the lookup would refuse it too: the list is fixed).
    if (!target.startsWith('/') || /[\\%]|\/\.\.?(?:\/|$)|\/\//.test(target.split('?')[0]!)) {
      return send(res, 400, 'Bad Request\n', {}, head);
    }
    const path = target.split('?')[0]!;
    const entry = files.get(path);
    if (!entry) return send(res, 404, 'Not Found\n', {}, head);
    return send(res, 200, entry.body, { 'content-type': entry.type }, head);
  };

  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, maxHeaderSize: 8 * 1024 }, handle);
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(phonePageErrors.create('PhonePageListenFailed', { details: { address: bindAddress }, cause })));
    server.listen(options.port ?? 0, bindAddress, () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  // Bound to every interface (only when asked, e.g. `--bind 0.0.0.0`): the Host check then
  // accepts any address with this port; otherwise exactly `ip:port`.
  if (!WILDCARD.has(bindAddress)) expectedHost = hostFor(address, port);
  expectedPort = String(port);
  const shownAddress = WILDCARD.has(bindAddress) ? '127.0.0.1' : address;
  const origin = `http://${hostFor(shownAddress, port)}`;
  return {
    url: `${origin}/`,
    origin,
    address: shownAddress,
    port,
    linkFor: (qrPayload) => `${origin}/#${qrPayload}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
