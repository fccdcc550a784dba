/**
 * The `ecps1` key schedule in plain JavaScript (@noble/curves, @noble/hashes, @noble/ciphers:
 * audited, dependency-free), for the phone page where WebCrypto is missing.
 *
 * Why a second browser suite: `crypto.subtle` exists only in secure contexts (https, localhost).
 * A phone opening the page at `http://192.168.x.y:port/` — the demo set-up, no certificate on a
 * pharmacy LAN — has no `crypto.subtle` at all, nor do older mobile browsers without WebCrypto
 * X25519. `crypto.getRandomValues` stays available everywhere, and noble uses it.
 *
 * Same schedule byte for byte as src-main/pairing/crypto.ts and src-shared/pairing-webcrypto.ts
 * (whose labels and framing helpers this file reuses); test/unit/pairing/noble-interop.test.ts
 * checks all three against each other. Synchronous except the password proof (PBKDF2 is slow:
 * done asynchronously so the page stays responsive).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, pairingProtocolErrors, toBase64Url, type PairingKeyPair } from '../../src-shared/pairing-protocol';
import {
  LABELS,
  codeFromBytes,
  constantTimeEqual,
  helloMessage,
  nonce,
  passwordMessage,
  transcriptInput,
  type AwaitablePairingCrypto,
  type AwaitablePairingSecrets,
  type AwaitableSealedChannel,
  type DeriveSecretsInput,
  type Direction,
} from '../../src-shared/pairing-webcrypto';

const enc = new TextEncoder();

function compromised(why: string, cause?: unknown) {
  return pairingProtocolErrors.create('ChannelCompromised', { details: { why }, ...(cause !== undefined ? { cause } : {}) });
}

/** X25519; low-order peer keys (all-zero shared secret, RFC 7748 §6.1) refused. */
function sharedSecret(privateKey: Uint8Array, peer: Uint8Array): Uint8Array {
  if (peer.length !== 32) throw compromised('key exchange');
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(privateKey, peer);
  } catch (cause) {
    throw compromised('key exchange', cause);
  }
  if (shared.every((b) => b === 0)) throw compromised('key exchange');
  return shared;
}

/** One key + counter per direction; `open` takes only the next counter and dies at the first bad frame. */
class NobleAeadChannel implements AwaitableSealedChannel {
  private sendSeq = 0;
  private recvSeq = 0;
  private broken = false;

  constructor(
    private readonly sendKey: Uint8Array,
    private readonly recvKey: Uint8Array,
    private readonly sendDir: Direction,
    private readonly recvDir: Direction,
    private readonly aad: Uint8Array,
  ) {}

  seal(plaintext: string): { seq: number; box: string } {
    const seq = this.sendSeq++;
    const box = gcm(this.sendKey, nonce(this.sendDir, seq), this.aad).encrypt(enc.encode(plaintext));
    return { seq, box: toBase64Url(box) };
  }

  open(frame: { seq: number; box: string }): string {
    const fail = (why: string) => {
      this.broken = true;
      return compromised(why);
    };
    if (this.broken) throw fail('channel already failed');
    if (frame.seq !== this.recvSeq) throw fail(frame.seq < this.recvSeq ? 'replayed frame' : 'frame out of order');
    const box = fromBase64Url(frame.box);
    if (!box || box.length < 16) throw fail('short frame');
    let plain: Uint8Array;
    try {
      plain = gcm(this.recvKey, nonce(this.recvDir, frame.seq), this.aad).decrypt(box);
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

function deriveSecrets(input: DeriveSecretsInput): AwaitablePairingSecrets {
  const privateKey = input.keyPair.privateKey;
  if (!(privateKey instanceof Uint8Array)) throw compromised('foreign private key');
  const shared = sharedSecret(privateKey, input.peerPublicKey);
  try {
    const th = sha256(transcriptInput(input.qrPayload, input.desktopKey, input.phoneKey, input.token));
    const d2p = hkdf(sha256, shared, th, enc.encode(LABELS.keyDesktopToPhone), 32);
    const p2d = hkdf(sha256, shared, th, enc.encode(LABELS.keyPhoneToDesktop), 32);
    const code = codeFromBytes(hkdf(sha256, shared, th, enc.encode(LABELS.code), 8));
    const channel =
      input.role === 'desktop'
        ? new NobleAeadChannel(d2p, p2d, 'desktop-to-phone', 'phone-to-desktop', th)
        : new NobleAeadChannel(p2d, d2p, 'phone-to-desktop', 'desktop-to-phone', th);
    return { transcriptHash: th, code, channel };
  } finally {
    shared.fill(0);
  }
}

export function pbkdf2Sha256(password: string, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array> {
  return pbkdf2Async(sha256, enc.encode(password), salt, { c: iterations, dkLen: length });
}

export const noblePairingCrypto = {
  randomBytes: (length: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(length)),
  generateKeyPair(): PairingKeyPair {
    const { secretKey, publicKey } = x25519.keygen();
    return { publicKey, privateKey: secretKey };
  },
  helloAuth: (token: Uint8Array, phoneKey: Uint8Array): Uint8Array => hmac(sha256, token, helloMessage(phoneKey)),
  equal: constantTimeEqual,
  deriveSecrets,
  async passwordProof(password: string, salt: Uint8Array, iterations: number, th: Uint8Array): Promise<Uint8Array> {
    const key = await pbkdf2Sha256(password, salt, iterations, 32);
    try {
      return hmac(sha256, key, passwordMessage(th));
    } finally {
      key.fill(0);
    }
  },
} satisfies AwaitablePairingCrypto;
