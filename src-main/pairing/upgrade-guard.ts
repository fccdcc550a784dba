/**
 * Checks a websocket upgrade before any websocket exists (electron-anchors.md, rules 1–4).
 * - Path: only `/pair`; everything else is 404, like plain HTTP (no side effects, Zoom 2019).
 * - Host must be exactly the `ip:port` we listen on: a DNS-rebinding page reaches us under its
 *   own host name (Transmission CVE-2018-5702, Vite CVE-2025-24010, MCP SDK CVE-2025-66414).
 * - Origin: a browser always sends one; the native phone sends none. A present Origin must be
 *   on the allowlist (our own reference page only) — drive-by pages (Logitech Options 2018).
 *   Origin is not authentication: the token in the hello is.
 */
import { PAIR_PATH } from '../../src-shared/pairing-protocol';

export interface UpgradePolicy {
  /** `ip:port` as it appears in the QR (IPv6 in brackets). */
  expectedHost: string;
  /** Exact origins allowed to open the socket (e.g. `http://192.168.1.20:51234` for our page). */
  allowedOrigins: readonly string[];
}

export type UpgradeVerdict = { ok: true } | { ok: false; status: 400 | 403 | 404; why: string };

export function hostFor(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function checkUpgrade(
  request: { url?: string | undefined; method?: string | undefined; headers: Record<string, string | string[] | undefined> },
  policy: UpgradePolicy,
): UpgradeVerdict {
  // The raw request target, exactly: no query, no dot segment, no encoding (no normalisation).
  if (request.url !== PAIR_PATH) return { ok: false, status: 404, why: 'path' };
  if (request.method !== undefined && request.method !== 'GET') return { ok: false, status: 400, why: 'method' };
  const host = request.headers.host;
  if (typeof host !== 'string' || host.toLowerCase() !== policy.expectedHost.toLowerCase()) {
    return { ok: false, status: 403, why: 'host' };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && (typeof origin !== 'string' || !policy.allowedOrigins.includes(origin))) {
    return { ok: false, status: 403, why: 'origin' };
  }
  return { ok: true };
}
