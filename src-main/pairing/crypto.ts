/**
 * The pairing key schedule with node:crypto only (no third-party crypto to audit).
 *
 *   shared = X25519(own ephemeral private, peer ephemeral public)        (RFC 7748)
 *   th     = SHA-256("ecps1 transcript" ‖ lp(qrPayload) ‖ lp(desktopKey) ‖ lp(phoneKey) ‖ lp(token))
 *            lp(x) = 4-byte big-endian length ‖ x
 *   kD→P   = HKDF-SHA256(ikm = shared, salt = th, info = "ecps1 key desktop->phone", 32)
 *   kP→D   = HKDF-SHA256(ikm = shared, salt = th, info = "ecps1 key phone->desktop", 32)
 *   code   = HKDF-SHA256(ikm = shared, salt = th, info = "ecps1 code", 8) as uint64 mod 10^6, 6 digits
 *   frame  = AES-256-GCM(k_dir, nonce = dirTag(4) ‖ seq(8, big-endian), aad = th), box = ct ‖ tag
 *   hello  = HMAC-SHA256(key = token, "ecps1 hello" ‖ phoneKey)
 *   proof  = HMAC-SHA256(key = PBKDF2-SHA256(password, salt, iterations, 32), "ecps1 password" ‖ th)
 *
 * Why the code uses the shared secret and not only th: th is made of public values, so a
 * relay substituting its own key could grind ~10^6 keys until its code equals the phone's
 * (the classic short-authentication-string attack, cf. ZRTP's hash commitment). The phone's
 * shared secret needs the desktop's private key, so the attacker cannot predict its code.
 * Why HMAC(token, key) in hello: the token never crosses the wire, and a relay that sees the
 * hello cannot reuse it with a substituted key.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  pbkdf2,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import {
  fromBase64Url,
  pairingProtocolErrors,
  toBase64Url,
  type PairingCrypto,
  type PairingKeyPair,
  type PairingSecrets,
  type SealedChannel,
} from '../../src-shared/pairing-protocol';

const enc = new TextEncoder();
const DIR_TAG = { 'desktop-to-phone': 0x44325031, 'phone-to-desktop': 0x50324431 } as const; // "D2P1" / "P2D1"
type Direction = keyof typeof DIR_TAG;

function lengthPrefixed(parts: Uint8Array[]): Buffer {
  return Buffer.concat(
    parts.flatMap((p) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(p.length);
      return [len, Buffer.from(p)];
    }),
  );
}

export function transcriptHash(qrPayload: string, desktopKey: Uint8Array, phoneKey: Uint8Array, token: Uint8Array): Uint8Array {
  return createHash('sha256')
    .update('ecps1 transcript')
    .update(lengthPrefixed([enc.encode(qrPayload), desktopKey, phoneKey, token]))
    .digest();
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

export function confirmationCode(shared: Uint8Array, th: Uint8Array): string {
  // 64 bits mod 10^6: the modulo bias is below 2^-44, unlike a 32-bit draw (~2^-12).
  const n = hkdf(shared, th, 'ecps1 code', 8).readBigUInt64BE() % 1_000_000n;
  return n.toString().padStart(6, '0');
}

function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64Url(raw) }, format: 'jwk' });
}

function x25519(privateKey: KeyObject, peerRaw: Uint8Array): Buffer {
  const compromised = () => pairingProtocolErrors.create('ChannelCompromised', { details: { why: 'key exchange' } });
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey: publicKeyFromRaw(peerRaw) });
  } catch (cause) {
    // OpenSSL refuses low-order points (all-zero result, RFC 7748 §6.1).
    throw pairingProtocolErrors.create('ChannelCompromised', { details: { why: 'key exchange' }, cause });
  }
  if (shared.every((b) => b === 0)) throw compromised();
  return shared;
}

function nonce(direction: Direction, seq: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(DIR_TAG[direction], 0);
  n.writeBigUInt64BE(BigInt(seq), 4);
  return n;
}

/** One key + counter per direction; the receiver accepts only the next counter (no replay, no reorder). */
export class AeadChannel implements SealedChannel {
  private sendSeq = 0;
  private recvSeq = 0;
  private broken = false;

  constructor(
    private readonly sendKey: Buffer,
    private readonly recvKey: Buffer,
    private readonly sendDir: Direction,
    private readonly recvDir: Direction,
    private readonly aad: Uint8Array,
  ) {}

  seal(plaintext: string): { seq: number; box: string } {
    const seq = this.sendSeq++;
    const cipher = createCipheriv('aes-256-gcm', this.sendKey, nonce(this.sendDir, seq));
    cipher.setAAD(this.aad);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { seq, box: toBase64Url(ct) };
  }

  open(frame: { seq: number; box: string }): string {
    const fail = (why: string) => {
      this.broken = true; // one bad frame and the channel is dead: no oracle for a patient attacker
      return pairingProtocolErrors.create('ChannelCompromised', { details: { why } });
    };
    if (this.broken) throw fail('channel already failed');
    if (frame.seq !== this.recvSeq) throw fail(frame.seq < this.recvSeq ? 'replayed frame' : 'frame out of order');
    const box = fromBase64Url(frame.box);
    if (!box || box.length < 16) throw fail('short frame');
    const decipher = createDecipheriv('aes-256-gcm', this.recvKey, nonce(this.recvDir, frame.seq));
    decipher.setAAD(this.aad);
    decipher.setAuthTag(box.subarray(box.length - 16));
    let text: string;
    try {
      text = Buffer.concat([decipher.update(box.subarray(0, box.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw fail('authentication tag');
    }
    this.recvSeq++;
    return text;
  }
}

export function deriveSecrets(input: Parameters<PairingCrypto['deriveSecrets']>[0]): PairingSecrets {
  const shared = x25519(input.keyPair.privateKey as KeyObject, input.peerPublicKey);
  const th = transcriptHash(input.qrPayload, input.desktopKey, input.phoneKey, input.token);
  const d2p = hkdf(shared, th, 'ecps1 key desktop->phone', 32);
  const p2d = hkdf(shared, th, 'ecps1 key phone->desktop', 32);
  const channel =
    input.role === 'desktop'
      ? new AeadChannel(d2p, p2d, 'desktop-to-phone', 'phone-to-desktop', th)
      : new AeadChannel(p2d, d2p, 'phone-to-desktop', 'desktop-to-phone', th);
  const code = confirmationCode(shared, th);
  shared.fill(0);
  return { transcriptHash: th, code, channel };
}

export function generateKeyPair(): PairingKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const raw = fromBase64Url(publicKey.export({ format: 'jwk' }).x as string)!;
  return { publicKey: raw, privateKey };
}

export function helloAuth(token: Uint8Array, phoneKey: Uint8Array): Uint8Array {
  return createHmac('sha256', token).update('ecps1 hello').update(phoneKey).digest();
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Length is not secret here (fixed-size MACs and codes); timingSafeEqual throws on a mismatch.
  return a.length === b.length && timingSafeEqual(a, b);
}

export function passwordProof(password: string, salt: Uint8Array, iterations: number, th: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // Async PBKDF2: 600 000 rounds would block the event loop (and heartbeats) for ~0.3 s.
    pbkdf2(password, salt, iterations, 32, 'sha256', (err, key) => {
      if (err) return reject(err);
      const proof = createHmac('sha256', key).update('ecps1 password').update(th).digest();
      key.fill(0);
      resolve(proof);
    });
  });
}

export const nodePairingCrypto: PairingCrypto = {
  randomBytes: (length) => randomBytes(length),
  generateKeyPair,
  helloAuth,
  equal: constantTimeEqual,
  deriveSecrets,
  passwordProof,
};
