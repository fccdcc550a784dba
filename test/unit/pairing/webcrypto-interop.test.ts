/**
 * The WebCrypto suite (src-shared/pairing-webcrypto.ts, what the phone page runs) against the
 * node:crypto suite (src-main/pairing/crypto.ts, what the desktop runs): same transcript, same
 * code, frames of one opened by the other, in both role assignments; standard vectors for the
 * primitives (RFC 7748, RFC 5869, RFC 4231, RFC 7914 §11) and refusals (low-order key, replay).
 */
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodePairingCrypto as node, transcriptHash as nodeTranscript } from '../../../src-main/pairing/crypto';
import { encodeQrPayload, fromBase64Url, toBase64Url, type PairingKeyPair } from '../../../src-shared/pairing-protocol';
import {
  confirmationCode,
  constantTimeEqual,
  hkdfSha256,
  hmacSha256,
  pbkdf2Sha256,
  transcriptHash,
  webPairingCrypto as web,
  x25519,
  type AwaitablePairingCrypto,
  type AwaitablePairingSecrets,
} from '../../../src-shared/pairing-webcrypto';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// RFC 7748 §6.1
const ALICE_PRIV = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
const ALICE_PUB = hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
const BOB_PRIV = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
const BOB_PUB = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
const SHARED = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');

function nodeKeyPair(priv: Uint8Array, pub: Uint8Array): PairingKeyPair {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: toBase64Url(priv), x: toBase64Url(pub) }, format: 'jwk' });
  return { publicKey: pub, privateKey };
}

async function webKeyPair(priv: Uint8Array, pub: Uint8Array): Promise<PairingKeyPair> {
  const privateKey = await globalThis.crypto.subtle.importKey(
    'jwk',
    { kty: 'OKP', crv: 'X25519', d: toBase64Url(priv), x: toBase64Url(pub) },
    { name: 'X25519' },
    false,
    ['deriveBits'],
  );
  return { publicKey: pub, privateKey };
}

const suites: Record<'node' | 'web', AwaitablePairingCrypto> = { node, web };

/** Desktop with one suite, phone with the other, real fresh keys. */
async function pair(desktopSuite: 'node' | 'web', phoneSuite: 'node' | 'web', tamper: { phoneKeySeenByDesktop?: Uint8Array } = {}) {
  const dc = suites[desktopSuite];
  const pc = suites[phoneSuite];
  const desktop = await dc.generateKeyPair();
  const phone = await pc.generateKeyPair();
  const token = dc.randomBytes(32);
  const qrPayload = encodeQrPayload({ direct: 'ws://192.168.1.20:4000/pair', token, desktopKey: desktop.publicKey, expiresAt: 1_800_000_000_000 });
  const seen = tamper.phoneKeySeenByDesktop ?? phone.publicKey;
  const d = await dc.deriveSecrets({ role: 'desktop', keyPair: desktop, peerPublicKey: seen, qrPayload, desktopKey: desktop.publicKey, phoneKey: seen, token });
  const p = await pc.deriveSecrets({ role: 'phone', keyPair: phone, peerPublicKey: desktop.publicKey, qrPayload, desktopKey: desktop.publicKey, phoneKey: phone.publicKey, token });
  return { d, p, dc, pc, token, phone };
}

const send = async (from: AwaitablePairingSecrets, to: AwaitablePairingSecrets, text: string) => to.channel.open(await from.channel.seal(text));

describe('WebCrypto pairing suite: standard vectors', () => {
  it('X25519 (RFC 7748 §6.1): both directions give the published shared secret', async () => {
    const alice = await webKeyPair(ALICE_PRIV, ALICE_PUB);
    const bob = await webKeyPair(BOB_PRIV, BOB_PUB);
    expect(toHex(await x25519(alice.privateKey as object, BOB_PUB))).toBe(toHex(SHARED));
    expect(toHex(await x25519(bob.privateKey as object, ALICE_PUB))).toBe(toHex(SHARED));
  });

  it('HKDF-SHA256 (RFC 5869 test case 1)', async () => {
    const okm = await hkdfSha256(hex('0b'.repeat(22)), hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('HMAC-SHA256 (RFC 4231 test case 2)', async () => {
    const mac = await hmacSha256(new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'));
    expect(toHex(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('PBKDF2-HMAC-SHA256 (RFC 7914 §11, c = 1)', async () => {
    const dk = await pbkdf2Sha256('passwd', new TextEncoder().encode('salt'), 1, 64);
    expect(toHex(dk)).toBe(
      '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
    );
  });

  it('constant-time equality compares contents and lengths', () => {
    expect(constantTimeEqual(hex('00ff10'), hex('00ff10'))).toBe(true);
    expect(constantTimeEqual(hex('00ff10'), hex('00ff11'))).toBe(false);
    expect(constantTimeEqual(hex('00ff'), hex('00ff10'))).toBe(false);
  });
});

describe('WebCrypto × node:crypto: the same key schedule', () => {
  it('fixed keys (RFC 7748 pair): transcript, code and a sealed frame are identical byte for byte', async () => {
    const token = hex('a5'.repeat(32));
    const qrPayload = encodeQrPayload({ direct: 'ws://10.0.0.2:40000/pair', token, desktopKey: ALICE_PUB, expiresAt: 1_800_000_000_000 });
    const input = (keyPair: PairingKeyPair, role: 'desktop' | 'phone', peer: Uint8Array) => ({
      role, keyPair, peerPublicKey: peer, qrPayload, desktopKey: ALICE_PUB, phoneKey: BOB_PUB, token,
    });
    const nodeDesktop = node.deriveSecrets(input(nodeKeyPair(ALICE_PRIV, ALICE_PUB), 'desktop', BOB_PUB));
    const webDesktop = await web.deriveSecrets(input(await webKeyPair(ALICE_PRIV, ALICE_PUB), 'desktop', BOB_PUB));
    const webPhone = await web.deriveSecrets(input(await webKeyPair(BOB_PRIV, BOB_PUB), 'phone', ALICE_PUB));
    expect(toHex(await transcriptHash(qrPayload, ALICE_PUB, BOB_PUB, token))).toBe(toHex(nodeTranscript(qrPayload, ALICE_PUB, BOB_PUB, token)));
    expect(toHex(webDesktop.transcriptHash)).toBe(toHex(nodeDesktop.transcriptHash));
    expect(webDesktop.code).toMatch(/^\d{6}$/);
    expect(webDesktop.code).toBe(nodeDesktop.code);
    expect(webPhone.code).toBe(nodeDesktop.code);
    // Same keys, same nonce (direction tag + seq 0), same AAD → the same ciphertext and tag.
    const a = await webDesktop.channel.seal('{"type":"welcome"}');
    const b = nodeDesktop.channel.seal('{"type":"welcome"}');
    expect(a).toEqual(b);
    expect(await webPhone.channel.open(b)).toBe('{"type":"welcome"}');
  });

  it('the code is HKDF("ecps1 code") of the shared secret, 64 bits mod 10^6', async () => {
    const th = hex('11'.repeat(32));
    const okm = await hkdfSha256(SHARED, th, 'ecps1 code', 8);
    const expected = (BigInt(`0x${toHex(okm)}`) % 1_000_000n).toString().padStart(6, '0');
    expect(await confirmationCode(SHARED, th)).toBe(expected);
  });

  for (const [desktopSuite, phoneSuite] of [['node', 'web'], ['web', 'node'], ['web', 'web']] as const) {
    it(`desktop ${desktopSuite} × phone ${phoneSuite}: same transcript and code, frames both ways, password proof`, async () => {
      const { d, p, dc, pc } = await pair(desktopSuite, phoneSuite);
      expect(toHex(d.transcriptHash)).toBe(toHex(p.transcriptHash));
      expect(d.code).toMatch(/^\d{6}$/);
      expect(d.code).toBe(p.code);
      expect(await send(d, p, '{"type":"welcome"}')).toBe('{"type":"welcome"}');
      expect(await send(p, d, 'é🙂 données')).toBe('é🙂 données');
      expect(await send(d, p, 'second')).toBe('second');
      const salt = dc.randomBytes(16);
      const fromPhone = await pc.passwordProof('4827', salt, 10_000, p.transcriptHash);
      const expected = await dc.passwordProof('4827', salt, 10_000, d.transcriptHash);
      expect(dc.equal(fromPhone, expected)).toBe(true);
      const wrong = await pc.passwordProof('4828', salt, 10_000, p.transcriptHash);
      expect(dc.equal(wrong, expected)).toBe(false);
    });

    it(`desktop ${desktopSuite} × phone ${phoneSuite}: hello auth computed by the phone verifies on the desktop`, async () => {
      const { dc, pc, token, phone } = await pair(desktopSuite, phoneSuite);
      const auth = await pc.helloAuth(token, phone.publicKey);
      expect(dc.equal(auth, await dc.helloAuth(token, phone.publicKey))).toBe(true);
      const other = new Uint8Array(token);
      other[0]! ^= 1;
      expect(dc.equal(auth, await dc.helloAuth(other, phone.publicKey))).toBe(false);
    });

    it(`desktop ${desktopSuite} × phone ${phoneSuite}: a substituted phone key changes the code and breaks the channel`, async () => {
      const { d, p } = await pair(desktopSuite, phoneSuite, { phoneKeySeenByDesktop: (await web.generateKeyPair()).publicKey });
      expect(d.code).not.toBe(p.code);
      await expect(send(d, p, 'x')).rejects.toMatchObject({ code: 'ChannelCompromised' });
    });
  }
});

describe('WebCrypto sealed channel refusals', () => {
  it('refuses replayed, reordered and tampered frames, and stays closed after one', async () => {
    const { d, p } = await pair('node', 'web');
    const f0 = await p.channel.seal('a');
    const f1 = await p.channel.seal('b');
    expect(await d.channel.open(f0)).toBe('a');
    expect(() => d.channel.open(f0)).toThrowError(expect.objectContaining({ details: { why: 'replayed frame' } }));

    const q = await pair('node', 'web');
    const g0 = q.d.channel.seal('a') as { seq: number; box: string };
    const g1 = q.d.channel.seal('b') as { seq: number; box: string };
    await expect(q.p.channel.open(g1)).rejects.toMatchObject({ details: { why: 'frame out of order' } });
    await expect(q.p.channel.open(g0)).rejects.toMatchObject({ details: { why: 'channel already failed' } });

    const r = await pair('web', 'web');
    const h0 = await r.d.channel.seal('tamper me');
    const box = fromBase64Url(h0.box)!;
    box[0]! ^= 0x80;
    await expect(r.p.channel.open({ seq: 0, box: toBase64Url(box) })).rejects.toMatchObject({ details: { why: 'authentication tag' } });
    await expect(r.p.channel.open(h0)).rejects.toMatchObject({ details: { why: 'channel already failed' } });
    expect(f1.seq).toBe(1);
  });

  it('opens concurrent frames in arrival order', async () => {
    const { d, p } = await pair('web', 'web');
    const frames = await Promise.all(['1', '2', '3'].map((t) => d.channel.seal(t)));
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(await Promise.all(frames.map((f) => p.channel.open(f)))).toEqual(['1', '2', '3']);
  });

  it('a frame cannot be reflected back to its sender', async () => {
    const { p } = await pair('node', 'web');
    const f = await p.channel.seal('mirror');
    await expect(p.channel.open(f)).rejects.toMatchObject({ code: 'ChannelCompromised' });
  });

  it('refuses a low-order public key (all-zero and order-8 points)', async () => {
    await expect(pair('web', 'web', { phoneKeySeenByDesktop: new Uint8Array(32) })).rejects.toMatchObject({ code: 'ChannelCompromised' });
    const one = new Uint8Array(32);
    one[0] = 1; // u = 1: order 4 point, all-zero shared secret
    await expect(pair('web', 'node', { phoneKeySeenByDesktop: one })).rejects.toMatchObject({ code: 'ChannelCompromised' });
    const kp = await web.generateKeyPair();
    await expect(x25519(kp.privateKey as object, new Uint8Array(31))).rejects.toMatchObject({ code: 'ChannelCompromised' });
  });
});
