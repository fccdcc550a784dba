/**
 * The sandbox authority as a standalone HTTP JSON server (`node:http`): the routes of
 * AUTHORITY_ROUTES (src-shared/activation-authority-wire.ts, documented in README.md here),
 * `GET /outbox` for tests and trainees, and the websocket relay on
 * `/relay/?session=<s>&role=desktop|phone` (relay.ts; options: `relay` below, `false` for none).
 *
 * Bound to 127.0.0.1 by default: it is a sandbox, and its outbox shows full addresses and SMS
 * codes. Every request body is size-capped and schema-checked before the authority sees it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { authorityError, authorityErrors, type AuthorityErrorCode } from '../../src-shared/activation-authority';
import {
  AUTHORITY_HTTP_STATUS,
  AUTHORITY_ROUTES,
  MAX_JSON_BODY,
  toBase64,
  wireRequests,
  type AuthorityOperation,
} from '../../src-shared/activation-authority-wire';
import { isEcpsError, type EcpsError } from '../../src-shared/errors';
import { AtomicJsonFile } from './json-store';
import { attachRelay, type RelayHandle, type RelayOptions } from './relay';
import { SandboxAuthority, type SandboxAuthorityOptions } from './sandbox-authority';
import { authorityStateCodec } from './state';

export interface AuthorityServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** Folder of `authority-state.json`; without it activations live in memory only. */
  dataDir?: string;
  /** Passed to the SandboxAuthority (clock, directory, lifetimes…). */
  authority?: Omit<SandboxAuthorityOptions, 'store' | 'url' | 'relayUrl'>;
  relay?: RelayOptions | false;
}

export interface AuthorityServer {
  url: string;
  port: number;
  authority: SandboxAuthority;
  relay: RelayHandle | undefined;
  close(): Promise<void>;
}

export const STATE_FILE = 'authority-state.json';

export async function startAuthorityServer(options: AuthorityServerOptions = {}): Promise<AuthorityServer> {
  const host = options.host ?? '127.0.0.1';
  const store = options.dataDir ? await AtomicJsonFile.open(path.join(options.dataDir, STATE_FILE), authorityStateCodec) : undefined;
  // The authority needs the server's URL (describe() shows it), known only once listening.
  const ready: { authority?: SandboxAuthority } = {};
  const server = createServer((req, res) => {
    handle(ready.authority!, req, res).catch((error: unknown) => sendError(res, error));
  });
  // Slow-loris guard: a client has 10 s to send its headers and body.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const authority = new SandboxAuthority({ ...options.authority, ...(store ? { store } : {}), url, relayUrl: `${url.replace(/^http/, 'ws')}/relay/` });
  ready.authority = authority;
  const relay = options.relay === false ? undefined : attachRelay(server, options.relay ?? {});
  return {
    url,
    port,
    authority,
    relay,
    close: async () => {
      await relay?.close();
      await closeServer(server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

type Handler = (authority: SandboxAuthority, body: never) => Promise<unknown>;
/** One handler per operation; POST bodies arrive already validated by `wireRequests`. */
const HANDLERS: Record<AuthorityOperation, Handler> = {
  describe: async (a) => {
    const d = await a.describe();
    return { kind: d.kind, label: d.label, relayPath: '/relay/', apiVersion: d.apiVersion };
  },
  serverTime: async (a) => ({ serverTime: (await a.serverTime()).serverTime }),
  listActivations: async (a) => ({ activations: await a.listActivations() }),
  lookupProfessional: (a, b: { idNat: string }) => a.lookupProfessional(b.idNat),
  startWithCard: async (a, b: Parameters<SandboxAuthority['startWithCard']>[0]) => {
    const c = await a.startWithCard(b);
    return { ...c, challenge: toBase64(c.challenge) };
  },
  proveCard: (a, b: Parameters<SandboxAuthority['proveCard']>[0]) => a.proveCard(b),
  requestWithoutCard: (a, b: Parameters<SandboxAuthority['requestWithoutCard']>[0]) => a.requestWithoutCard(b),
  sendSmsCode: (a, b: { activationId: string }) => a.sendSmsCode(b.activationId),
  verifySmsCode: (a, b: { activationId: string; code: string }) => a.verifySmsCode(b.activationId, b.code),
  registerPhone: (a, b: Parameters<SandboxAuthority['registerPhone']>[0]) => a.registerPhone(b),
  getActivation: (a, b: { activationId: string }) => a.getActivation(b.activationId),
};

const BY_PATH = new Map<string, { op: AuthorityOperation; method: string }>(Object.entries(AUTHORITY_ROUTES).map(([op, r]) => [r.path, { op: op as AuthorityOperation, method: r.method }]));

async function handle(authority: SandboxAuthority, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://authority').pathname;
  if (pathname === '/outbox') {
    if (req.method !== 'GET') throw authorityError('MethodNotAllowed');
    return sendJson(res, 200, { messages: authority.outbox() });
  }
  const route = BY_PATH.get(pathname);
  if (!route) throw authorityError('RouteNotFound');
  if (req.method !== route.method) throw authorityError('MethodNotAllowed');
  if (route.method === 'GET') return sendJson(res, 200, await HANDLERS[route.op](authority, undefined as never));

  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type)) throw authorityError('UnsupportedMediaType');
  const text = await readBody(req, MAX_JSON_BODY);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw authorityError('InvalidRequest', { details: { reason: 'JSON invalide' } });
  }
  const parsed = wireRequests[route.op as keyof typeof wireRequests].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw authorityError('InvalidRequest', { details: { reason: `${issue?.path.join('.') || 'corps'} : ${issue?.message ?? 'invalide'}` } });
  }
  sendJson(res, 200, await HANDLERS[route.op](authority, parsed.data as never));
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(authorityError('PayloadTooLarge', { details: { limit } }));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(authorityError('PayloadTooLarge', { details: { limit } }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** `{ error: { code, message, details? } }`: French message (French first), non-secret details. */
function sendError(res: ServerResponse, error: unknown): void {
  const known: EcpsError =
    isEcpsError(error) && authorityErrors.has(error.code) ? error : authorityError('InternalError', { cause: error });
  if (known.code === 'InternalError') console.error('[authority] internal error:', error instanceof Error ? error.message : error);
  const status = AUTHORITY_HTTP_STATUS[known.code as AuthorityErrorCode] ?? 500;
  const details = Object.keys(known.details).length > 0 ? { details: { ...known.details } } : {};
  // A 413 leaves unread bytes behind: close the connection rather than parse them as a request.
  if (status === 413) res.setHeader('connection', 'close');
  sendJson(res, status, { error: { code: known.code, message: known.text('fr'), ...details } });
}
