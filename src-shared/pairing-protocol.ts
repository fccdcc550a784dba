/**
 * The phone-pairing protocol shared by the desktop (src-main/pairing) and the phone
 * (simulators/phone, later the web page): QR payload codec, message schemas, close codes and
 * the crypto interface each side implements. Plain TypeScript only — no Node, no DOM — so the
 * phone page can reuse it. The key schedule itself lives with each implementation of
 * `PairingCrypto` (node:crypto in src-main/pairing/crypto.ts); the spec is in its header.
 *
 * Security rules: architecture.md §4 and electron-anchors.md "Local websocket/HTTP server
 * pitfalls" (Zoom CVE-2019-13450, Logitech Options 2018, Transmission CVE-2018-5702,
 * Vite CVE-2025-24010, ws CVE-2024-37890).
 */
import { z } from 'zod';
import { defineErrorCatalog } from './errors';

export const QR_PREFIX = 'ecps1:';
export const QR_MAX_LENGTH = 1024; // a QR code of version ~25 at level M still scans on a phone
export const MAX_FRAME_BYTES = 16 * 1024; // issue 4 §3: maxPayload ≤ 16 KiB (ws default is 100 MiB)
export const TOKEN_BYTES = 32; // ≥ 128 bits required; 256 costs nothing
export const KEY_BYTES = 32; // X25519 public key, raw
export const PAIR_PATH = '/pair';

export const pairingProtocolErrors = defineErrorCatalog({
  QrMalformed: {
    message: { fr: 'Le QR code d’appairage est illisible ou incomplet.', en: 'The pairing QR code is unreadable or incomplete.' },
    remedy: { fr: 'Scannez à nouveau le QR code affiché sur l’ordinateur.', en: 'Scan the QR code shown on the computer again.' },
  },
  QrUnsupportedVersion: {
    message: { fr: 'Ce QR code vient d’une version du Compagnon que ce téléphone ne connaît pas.', en: 'This QR code comes from a version of the companion this phone does not know.' },
    remedy: { fr: 'Mettez à jour l’application e-CPS et le Compagnon.', en: 'Update the e-CPS app and the companion.' },
  },
  QrExpired: {
    message: { fr: 'Ce QR code a expiré.', en: 'This QR code has expired.' },
    remedy: { fr: 'Scannez le nouveau QR code affiché sur l’ordinateur.', en: 'Scan the new QR code shown on the computer.' },
  },
  PairingRefused: {
    message: { fr: 'L’ordinateur a refusé ou fermé la connexion d’appairage.', en: 'The computer refused or closed the pairing connection.' },
    remedy: { fr: 'Scannez le QR code actuellement affiché et réessayez.', en: 'Scan the QR code currently shown and try again.' },
  },
  PairingUnreachable: {
    message: { fr: 'Impossible de joindre l’ordinateur, ni directement ni par le relais.', en: 'Cannot reach the computer, neither directly nor through the relay.' },
    remedy: { fr: 'Vérifiez que le téléphone a accès au réseau, puis scannez un nouveau QR code.', en: 'Check the phone has network access, then scan a new QR code.' },
  },
  ChannelCompromised: {
    message: { fr: 'Message chiffré invalide, rejoué ou dans le désordre : connexion fermée.', en: 'Invalid, replayed or reordered encrypted message: connection closed.' },
    remedy: { fr: 'Recommencez l’appairage avec un nouveau QR code.', en: 'Start pairing again with a new QR code.' },
  },
});

/** Websocket close codes (4000–4999 = application range, RFC 6455 §7.4.2). */
export const PairingClose = {
  Normal: 1000,
  TooBig: 1009, // sent by ws itself when a frame exceeds maxPayload
  InvalidJson: 4000,
  InvalidMessage: 4001,
  UnknownType: 4002,
  UnexpectedMessage: 4003,
  BadToken: 4004,
  Expired: 4005,
  Busy: 4006,
  BadCiphertext: 4007,
  Timeout: 4008,
  Reset: 4009,
  Stopped: 4010,
  PasswordRejected: 4011,
  /** Relay only: the other side left, or the relay session is unknown. */
  PeerGone: 4100,
  UnknownRelaySession: 4101,
  /**
   * Relay only: the session's first side waited longer than the relay's patience for the other
   * (the sandbox relay's `waitForPeerMs`). Not an error: the desktop joins again while its QR is valid.
   */
  RelayWaitOver: 4408,
} as const;
export type PairingCloseCode = (typeof PairingClose)[keyof typeof PairingClose];

// ---------------------------------------------------------------- base64url (RFC 4648 §5)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Map([...B64].map((ch, i) => [ch, i] as const));

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += B64[(n >> (18 - 6 * j)) & 63];
  }
  return out;
}

/** Strict decoder: no padding, no foreign characters, canonical trailing bits (one text per value). */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const ch of text) {
    const v = B64_INDEX.get(ch);
    if (v === undefined) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  return acc === 0 ? out : undefined;
}

const b64u = (min: number, max: number) =>
  z.string().max(Math.ceil((max * 4) / 3)).refine((s) => {
    const bytes = fromBase64Url(s);
    return bytes !== undefined && bytes.length >= min && bytes.length <= max;
  }, `base64url of ${min}..${max} bytes`);

// ---------------------------------------------------------------- QR payload

/** What the QR carries. `direct` and/or `relay`: the phone tries direct first. */
export interface QrPayload {
  /** `ws://<ip>:<port>/pair` on the one interface the desktop listens on (IP literal, no DNS). */
  direct?: string;
  /** The authority's websocket relay and the relay session to join. */
  relay?: { url: string; session: string };
  /** One-time secret (≥ 128 bits) proving the phone saw this QR; never sent on the wire. */
  token: Uint8Array;
  /** The desktop's ephemeral X25519 public key (raw 32 bytes). */
  desktopKey: Uint8Array;
  /** Epoch milliseconds after which the desktop refuses this token. */
  expiresAt: number;
}

const IPV4 = String.raw`(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const DIRECT_URL = new RegExp(String.raw`^ws://(?:${IPV4}|\[[0-9a-fA-F:.]{2,45}\]):(?:[1-9]\d{0,4})${PAIR_PATH}$`);
const RELAY_URL = /^wss?:\/\/[A-Za-z0-9.\-[\]:]+(?:\/[A-Za-z0-9._~\-/]*)?$/;

const qrJson = z
  .object({
    d: z.string().max(80).regex(DIRECT_URL).optional(),
    r: z.object({ u: z.string().max(200).regex(RELAY_URL), s: b64u(16, 48) }).strict().optional(),
    t: b64u(16, 64),
    k: b64u(KEY_BYTES, KEY_BYTES),
    x: z.number().int().positive().max(8.64e15),
  })
  .strict()
  .refine((p) => p.d !== undefined || p.r !== undefined, 'at least one endpoint');

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function encodeQrPayload(p: QrPayload): string {
  const json = {
    ...(p.direct !== undefined ? { d: p.direct } : {}),
    ...(p.relay !== undefined ? { r: { u: p.relay.url, s: p.relay.session } } : {}),
    t: toBase64Url(p.token),
    k: toBase64Url(p.desktopKey),
    x: p.expiresAt,
  };
  const text = QR_PREFIX + toBase64Url(utf8.encode(JSON.stringify(json)));
  // Validate what we emit with the same rules the phone applies: one codec, one truth.
  decodeQrPayload(text);
  return text;
}

export function decodeQrPayload(text: string): QrPayload {
  const malformed = (why: string) => pairingProtocolErrors.create('QrMalformed', { details: { why } });
  if (typeof text !== 'string' || text.length > QR_MAX_LENGTH) throw malformed('length');
  const version = /^ecps(\d{1,4}):/.exec(text);
  if (!version) throw malformed('prefix');
  if (version[0] !== QR_PREFIX) throw pairingProtocolErrors.create('QrUnsupportedVersion', { details: { version: Number(version[1]) } });
  const bytes = fromBase64Url(text.slice(QR_PREFIX.length));
  if (!bytes) throw malformed('base64url');
  let json: unknown;
  try {
    json = JSON.parse(utf8Strict.decode(bytes));
  } catch {
    throw malformed('json');
  }
  const parsed = qrJson.safeParse(json);
  if (!parsed.success) throw malformed(parsed.error.issues[0]?.path.join('.') || 'schema');
  const p = parsed.data;
  return {
    ...(p.d !== undefined ? { direct: p.d } : {}),
    ...(p.r !== undefined ? { relay: { url: p.r.u, session: p.r.s } } : {}),
    token: fromBase64Url(p.t)!,
    desktopKey: fromBase64Url(p.k)!,
    expiresAt: p.x,
  };
}

// ---------------------------------------------------------------- relay join

/** The relay's path (the sandbox authority reports `ws://host:port/relay/`; the slash is optional). */
export const RELAY_PATH = '/relay';
export type RelayRole = 'desktop' | 'phone';
export interface RelayJoin {
  session: string;
  role: RelayRole;
}

/** The QR's relay session rule (`r.s`): canonical base64url of 16–48 bytes. */
function isRelaySession(session: string): boolean {
  if (session.length > 64) return false; // 48 bytes: cheap bound before decoding
  const bytes = fromBase64Url(session);
  return bytes !== undefined && bytes.length >= 16 && bytes.length <= 48;
}

/**
 * `<relay url>?session=<s>&role=desktop|phone`: the one join form of the relay (the desktop,
 * the reference phone and both relays — src-main/pairing/relay.ts and the sandbox authority's).
 */
export function relayJoinUrl(relayUrl: string, session: string, role: RelayRole): string {
  const url = new URL(relayUrl);
  url.search = new URLSearchParams({ session, role }).toString();
  return url.toString();
}

/**
 * Reads a relay join from an upgrade's request target (`/relay/?session=…&role=…`) or a full
 * URL; undefined when it is not one. A trailing slash on the path is accepted; the session must
 * be what a QR may carry; the role is `desktop` or `phone`; each parameter exactly once.
 */
export function parseRelayJoin(url: string | undefined, path: string = RELAY_PATH): RelayJoin | undefined {
  if (url === undefined || url.length > 512) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://relay.invalid');
  } catch {
    return undefined;
  }
  if (parsed.pathname.replace(/\/+$/, '') !== path) return undefined;
  const sessions = parsed.searchParams.getAll('session');
  const roles = parsed.searchParams.getAll('role');
  if (sessions.length !== 1 || roles.length !== 1) return undefined;
  const [session, role] = [sessions[0]!, roles[0]!];
  if (!isRelaySession(session) || (role !== 'desktop' && role !== 'phone')) return undefined;
  return { session, role };
}

// ---------------------------------------------------------------- messages

/** The only cleartext message: the phone's ephemeral key and HMAC(token, key) — not the token. */
export const helloSchema = z
  .object({ type: z.literal('hello'), v: z.literal(1), phoneKey: b64u(KEY_BYTES, KEY_BYTES), auth: b64u(32, 32) })
  .strict();
/** Every later frame, both directions, on the direct socket and through the relay. */
export const sealedSchema = z
  .object({ type: z.literal('sealed'), seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), box: b64u(16, MAX_FRAME_BYTES) })
  .strict();

const topic = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/);
const inner = {
  welcome: z.object({ type: z.literal('welcome') }).strict(),
  'code-confirmed': z.object({ type: z.literal('code-confirmed') }).strict(),
  'password-request': z
    .object({ type: z.literal('password-request'), salt: b64u(16, 32), iterations: z.number().int().min(10_000).max(5_000_000) })
    .strict(),
  'password-proof': z.object({ type: z.literal('password-proof'), proof: b64u(32, 32) }).strict(),
  'password-result': z.object({ type: z.literal('password-result'), ok: z.boolean(), triesLeft: z.number().int().min(0).max(9) }).strict(),
  data: z.object({ type: z.literal('data'), topic, body: z.unknown() }).strict(),
  bye: z.object({ type: z.literal('bye'), reason: z.string().max(200) }).strict(),
} as const;

export type Hello = z.infer<typeof helloSchema>;
export type SealedFrame = z.infer<typeof sealedSchema>;
export type InnerMessage = { [K in keyof typeof inner]: z.infer<(typeof inner)[K]> }[keyof typeof inner];
export type InnerType = InnerMessage['type'];

/** What each side may receive once the channel is up. */
export const FROM_PHONE: readonly InnerType[] = ['password-proof', 'data', 'bye'];
export const FROM_DESKTOP: readonly InnerType[] = ['welcome', 'code-confirmed', 'password-request', 'password-result', 'data', 'bye'];

const outer = { hello: helloSchema, sealed: sealedSchema } as const;
const schemas: Record<string, z.ZodTypeAny> = { ...outer, ...inner };

export type ParseResult<T> = { ok: true; message: T } | { ok: false; close: PairingCloseCode; why: string };

/**
 * Parses one frame: invalid JSON, unknown type and wrong fields each give their own close
 * code, so a technician can tell a broken client from a hostile one.
 */
export function parseFrame<T extends { type: string }>(text: string, allowed: readonly string[]): ParseResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, close: PairingClose.InvalidJson, why: 'invalid JSON' };
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(schemas, type)) {
    return { ok: false, close: PairingClose.UnknownType, why: 'unknown message type' };
  }
  if (!allowed.includes(type)) return { ok: false, close: PairingClose.UnexpectedMessage, why: `unexpected '${type}'` };
  const parsed = schemas[type]!.safeParse(json);
  if (!parsed.success) return { ok: false, close: PairingClose.InvalidMessage, why: `invalid '${type}'` };
  return { ok: true, message: parsed.data as T };
}

// ---------------------------------------------------------------- crypto interface

/** Implemented with node:crypto on the desktop and the CLI phone; a browser page brings its own. */
export interface PairingKeyPair {
  publicKey: Uint8Array;
  /** Opaque to the protocol code; only the implementation that made it reads it. */
  privateKey: unknown;
}

/** AEAD with one key and one counter per direction: `open` refuses replays and reordering. */
export interface SealedChannel {
  seal(plaintext: string): { seq: number; box: string };
  /** Throws an EcpsError (ChannelCompromised) on a bad tag, a replay or a gap. */
  open(frame: { seq: number; box: string }): string;
}

export interface PairingSecrets {
  transcriptHash: Uint8Array;
  /** Six digits the phone shows and the user types on the computer. */
  code: string;
  channel: SealedChannel;
}

export interface PairingCrypto {
  randomBytes(length: number): Uint8Array;
  generateKeyPair(): PairingKeyPair;
  helloAuth(token: Uint8Array, phoneKey: Uint8Array): Uint8Array;
  /** Constant-time comparison (node: crypto.timingSafeEqual). */
  equal(a: Uint8Array, b: Uint8Array): boolean;
  deriveSecrets(input: {
    role: 'desktop' | 'phone';
    keyPair: PairingKeyPair;
    peerPublicKey: Uint8Array;
    qrPayload: string;
    desktopKey: Uint8Array;
    phoneKey: Uint8Array;
    token: Uint8Array;
  }): PairingSecrets;
  passwordProof(password: string, salt: Uint8Array, iterations: number, transcriptHash: Uint8Array): Promise<Uint8Array>;
}
