/**
 * The `ecps1` pairing key schedule on WebCrypto (`globalThis.crypto.subtle`), for the phone
 * page in a browser (and usable under Node ≥ 20, whose webcrypto has X25519 too). Same
 * schedule, byte for byte, as the node:crypto suite in src-main/pairing/crypto.ts — the spec
 * is that file's header and src-main/pairing/README.md:
 *
 *   shared = X25519(own private, peer public)      — low-order peer keys refused
 *   th     = SHA-256("ecps1 transcript" ‖ lp(qr text) ‖ lp(desktopKey) ‖ lp(phoneKey) ‖ lp(token))
 *   k_D→P / k_P→D / code = HKDF-SHA256(shared, salt = th, info = "ecps1 key desktop->phone" /
 *            "ecps1 key phone->desktop" / "ecps1 code")
 *   frame  = AES-256-GCM(k_dir, nonce = dirTag(4) ‖ seq(8 BE), aad = th), box = ct ‖ tag
 *   hello  = HMAC-SHA256(token, "ecps1 hello" ‖ phoneKey)
 *   proof  = HMAC-SHA256(PBKDF2-SHA256(password, salt, iterations, 32), "ecps1 password" ‖ th)
 *
 * WebCrypto is asynchronous, so this suite cannot implement the synchronous `PairingCrypto`
 * interface of pairing-protocol.ts. `AwaitablePairingCrypto` below is the same interface with
 * each result allowed to be a promise: the node suite (synchronous) and this one both fit it,
 * and the phone's protocol core (simulators/phone/phone-core.ts) is written against it.
 *
 * No Node import, no DOM lib types: the few WebCrypto calls used are typed here, so this file
 * compiles in both the Node and the renderer TypeScript projects.
 */
import {
  fromBase64Url,
  pairingProtocolErrors,
  toBase64Url,
  type PairingCrypto,
  type PairingKeyPair,
} from './pairing-protocol';

export type Awaitable<T> = T | Promise<T>;

/** `SealedChannel` with possibly asynchronous operations (same ordering rules). */
export interface AwaitableSealedChannel {
  seal(plaintext: string): Awaitable<{ seq: number; box: string }>;
  open(frame: { seq: number; box: string }): Awaitable<string>;
}

export interface AwaitablePairingSecrets {
  transcriptHash: Uint8Array;
  code: string;
  channel: AwaitableSealedChannel;
}

export type DeriveSecretsInput = Parameters<PairingCrypto['deriveSecrets']>[0];

/** `PairingCrypto` where results may be promises: the node suite and the WebCrypto one both fit. */
export interface AwaitablePairingCrypto {
  randomBytes(length: number): Uint8Array;
  generateKeyPair(): Awaitable<PairingKeyPair>;
  helloAuth(token: Uint8Array, phoneKey: Uint8Array): Awaitable<Uint8Array>;
  equal(a: Uint8Array, b: Uint8Array): boolean;
  deriveSecrets(input: DeriveSecretsInput): Awaitable<AwaitablePairingSecrets>;
  passwordProof(password: string, salt: Uint8Array, iterations: number, transcriptHash: Uint8Array): Promise<Uint8Array>;
}

// ---------------------------------------------------------------- the WebCrypto surface used

type Key = object;
type Algorithm = { name: string; [k: string]: unknown };
interface Subtle {
  generateKey(algorithm: Algorithm, extractable: boolean, usages: string[]): Promise<{ publicKey: Key; privateKey: Key }>;
  exportKey(format: 'raw', key: Key): Promise<ArrayBuffer>;
  importKey(format: 'raw', data: Uint8Array, algorithm: Algorithm | string, extractable: boolean, usages: string[]): Promise<Key>;
  deriveBits(algorithm: Algorithm, key: Key, length: number): Promise<ArrayBuffer>;
  digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer>;
  sign(algorithm: string, key: Key, data: Uint8Array): Promise<ArrayBuffer>;
  encrypt(algorithm: Algorithm, key: Key, data: Uint8Array): Promise<ArrayBuffer>;
  decrypt(algorithm: Algorithm, key: Key, data: Uint8Array): Promise<ArrayBuffer>;
}
interface WebCrypto {
  subtle: Subtle;
  getRandomValues(array: Uint8Array): Uint8Array;
}

function webCrypto(): WebCrypto {
  const c = (globalThis as unknown as { crypto?: WebCrypto }).crypto;
  // `crypto.subtle` exists only in secure contexts (https, localhost) and Node ≥ 19.
  if (!c?.subtle) throw pairingProtocolErrors.create('ChannelCompromised', { details: { why: 'WebCrypto unavailable' } });
  return c;
}

// ---------------------------------------------------------------- primitives (exported for the vectors)

const enc = new TextEncoder();
const DIR_TAG = { 'desktop-to-phone': 0x44325031, 'phone-to-desktop': 0x50324431 } as const; // "D2P1" / "P2D1"
export type Direction = keyof typeof DIR_TAG;

/** The schedule's labels (HKDF infos, HMAC prefixes, the transcript's), shared with other JS suites. */
export const LABELS = {
  transcript: 'ecps1 transcript',
  keyDesktopToPhone: 'ecps1 key desktop->phone',
  keyPhoneToDesktop: 'ecps1 key phone->desktop',
  code: 'ecps1 code',
  hello: 'ecps1 hello',
  password: 'ecps1 password',
} as const;

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function lengthPrefixed(parts: readonly Uint8Array[]): Uint8Array {
  return concat(
    parts.flatMap((p) => {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, p.length);
      return [len, p];
    }),
  );
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webCrypto().subtle.digest('SHA-256', data));
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const subtle = webCrypto().subtle;
  const k = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, data));
}

export async function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length: number): Promise<Uint8Array> {
  const subtle = webCrypto().subtle;
  const k = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const infoBytes = typeof info === 'string' ? enc.encode(info) : info;
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: infoBytes }, k, length * 8));
}

export async function pbkdf2Sha256(password: string, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array> {
  const subtle = webCrypto().subtle;
  const k = await subtle.importKey('raw', enc.encode(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, k, length * 8));
}

/** What the transcript hash is taken over. */
export function transcriptInput(qrPayload: string, desktopKey: Uint8Array, phoneKey: Uint8Array, token: Uint8Array): Uint8Array {
  return concat([enc.encode(LABELS.transcript), lengthPrefixed([enc.encode(qrPayload), desktopKey, phoneKey, token])]);
}

export function transcriptHash(qrPayload: string, desktopKey: Uint8Array, phoneKey: Uint8Array, token: Uint8Array): Promise<Uint8Array> {
  return sha256(transcriptInput(qrPayload, desktopKey, phoneKey, token));
}

/** 8 HKDF bytes → the six digits: 64 bits mod 10^6, as the node suite (modulo bias < 2^-44). */
export function codeFromBytes(bytes: Uint8Array): string {
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0) % 1_000_000n;
  return n.toString().padStart(6, '0');
}

export async function confirmationCode(shared: Uint8Array, th: Uint8Array): Promise<string> {
  return codeFromBytes(await hkdfSha256(shared, th, LABELS.code, 8));
}

/** The hello's HMAC input and the password proof's, from their public parts. */
export const helloMessage = (phoneKey: Uint8Array): Uint8Array => concat([enc.encode(LABELS.hello), phoneKey]);
export const passwordMessage = (th: Uint8Array): Uint8Array => concat([enc.encode(LABELS.password), th]);

/** X25519 with the peer's raw public key; low-order keys (all-zero secret, RFC 7748 §6.1) refused. */
export async function x25519(privateKey: Key, peerRaw: Uint8Array): Promise<Uint8Array> {
  const compromised = (cause?: unknown) =>
    pairingProtocolErrors.create('ChannelCompromised', { details: { why: 'key exchange' }, ...(cause !== undefined ? { cause } : {}) });
  if (peerRaw.length !== 32) throw compromised();
  const subtle = webCrypto().subtle;
  let shared: Uint8Array;
  try {
    const peer = await subtle.importKey('raw', peerRaw, { name: 'X25519' }, true, []);
    shared = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: peer }, privateKey, 256));
  } catch (cause) {
    // WebCrypto (Secure Curves spec) fails deriveBits itself on an all-zero result.
    throw compromised(cause);
  }
  if (shared.every((b) => b === 0)) throw compromised();
  return shared;
}

/** Constant time in the contents (lengths are public: fixed-size MACs and codes). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** AES-GCM nonce: direction tag (4 bytes) ‖ counter (8 bytes, big-endian). */
export function nonce(direction: Direction, seq: number): Uint8Array {
  const n = new Uint8Array(12);
  const view = new DataView(n.buffer);
  view.setUint32(0, DIR_TAG[direction]);
  view.setBigUint64(4, BigInt(seq));
  return n;
}

// ---------------------------------------------------------------- the sealed channel

async function aesKey(raw: Uint8Array): Promise<Key> {
  return webCrypto().subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** One key + counter per direction; `open` accepts only the next counter and dies at the first bad frame. */
export class WebAeadChannel implements AwaitableSealedChannel {
  private sendSeq = 0;
  private recvSeq = 0;
  private broken = false;
  /** Frames are opened one after the other, in arrival order. */
  private opening: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sendKey: Key,
    private readonly recvKey: Key,
    private readonly sendDir: Direction,
    private readonly recvDir: Direction,
    private readonly aad: Uint8Array,
  ) {}

  async seal(plaintext: string): Promise<{ seq: number; box: string }> {
    const seq = this.sendSeq++; // taken now: the caller's order is the counter's order
    const ct = await webCrypto().subtle.encrypt(
      { name: 'AES-GCM', iv: nonce(this.sendDir, seq), additionalData: this.aad, tagLength: 128 },
      this.sendKey,
      enc.encode(plaintext),
    );
    return { seq, box: toBase64Url(new Uint8Array(ct)) };
  }

  open(frame: { seq: number; box: string }): Promise<string> {
    const run = this.opening.then(() => this.openNext(frame));
    this.opening = run.catch(() => undefined);
    return run;
  }

  private async openNext(frame: { seq: number; box: string }): Promise<string> {
    const fail = (why: string) => {
      this.broken = true; // no oracle for a patient attacker
      return pairingProtocolErrors.create('ChannelCompromised', { details: { why } });
    };
    if (this.broken) throw fail('channel already failed');
    if (frame.seq !== this.recvSeq) throw fail(frame.seq < this.recvSeq ? 'replayed frame' : 'frame out of order');
    const box = fromBase64Url(frame.box);
    if (!box || box.length < 16) throw fail('short frame');
    let plain: ArrayBuffer;
    try {
      plain = await webCrypto().subtle.decrypt(
        { name: 'AES-GCM', iv: nonce(this.recvDir, frame.seq), additionalData: this.aad, tagLength: 128 },
        this.recvKey,
        box,
      );
    } catch {
      throw fail('authentication tag');
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
    } catch {
      throw fail('not UTF-8');
    }
    this.recvSeq++;
    return text;
  }
}

// ---------------------------------------------------------------- the suite

export async function generateKeyPair(): Promise<PairingKeyPair> {
  const subtle = webCrypto().subtle;
  // The private key stays non-extractable; a public key is always exportable.
  const pair = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  return { publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)), privateKey: pair.privateKey };
}

export function helloAuth(token: Uint8Array, phoneKey: Uint8Array): Promise<Uint8Array> {
  return hmacSha256(token, helloMessage(phoneKey));
}

export async function deriveSecrets(input: DeriveSecretsInput): Promise<AwaitablePairingSecrets> {
  const shared = await x25519(input.keyPair.privateKey as Key, input.peerPublicKey);
  try {
    const th = await transcriptHash(input.qrPayload, input.desktopKey, input.phoneKey, input.token);
    const d2pRaw = await hkdfSha256(shared, th, LABELS.keyDesktopToPhone, 32);
    const p2dRaw = await hkdfSha256(shared, th, LABELS.keyPhoneToDesktop, 32);
    const [d2p, p2d] = [await aesKey(d2pRaw), await aesKey(p2dRaw)];
    d2pRaw.fill(0);
    p2dRaw.fill(0);
    const channel =
      input.role === 'desktop'
        ? new WebAeadChannel(d2p, p2d, 'desktop-to-phone', 'phone-to-desktop', th)
        : new WebAeadChannel(p2d, d2p, 'phone-to-desktop', 'desktop-to-phone', th);
    return { transcriptHash: th, code: await confirmationCode(shared, th), channel };
  } finally {
    shared.fill(0);
  }
}

export async function passwordProof(password: string, salt: Uint8Array, iterations: number, th: Uint8Array): Promise<Uint8Array> {
  const key = await pbkdf2Sha256(password, salt, iterations, 32);
  try {
    return await hmacSha256(key, passwordMessage(th));
  } finally {
    key.fill(0);
  }
}

export const webPairingCrypto = {
  randomBytes: (length: number): Uint8Array => webCrypto().getRandomValues(new Uint8Array(length)),
  generateKeyPair,
  helloAuth,
  equal: constantTimeEqual,
  deriveSecrets,
  passwordProof,
} satisfies AwaitablePairingCrypto;

/** True where this suite can run (WebCrypto with X25519): the page says so instead of failing later. */
export async function webCryptoSupported(): Promise<boolean> {
  try {
    const a = await generateKeyPair();
    const b = await generateKeyPair();
    await x25519(a.privateKey as Key, b.publicKey);
    return true;
  } catch {
    return false;
  }
}
