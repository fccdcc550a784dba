import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nodePairingCrypto as c, transcriptHash } from '../../../src-main/pairing/crypto';
import { encodeQrPayload, type PairingSecrets } from '../../../src-shared/pairing-protocol';

function pair(tamper: { phoneKeySeenByDesktop?: Uint8Array } = {}) {
  const desktop = c.generateKeyPair();
  const phone = c.generateKeyPair();
  const token = c.randomBytes(32);
  const qrPayload = encodeQrPayload({ direct: 'ws://127.0.0.1:4000/pair', token, desktopKey: desktop.publicKey, expiresAt: 1 });
  const seen = tamper.phoneKeySeenByDesktop ?? phone.publicKey;
  const d = c.deriveSecrets({ role: 'desktop', keyPair: desktop, peerPublicKey: seen, qrPayload, desktopKey: desktop.publicKey, phoneKey: seen, token });
  const p = c.deriveSecrets({ role: 'phone', keyPair: phone, peerPublicKey: desktop.publicKey, qrPayload, desktopKey: desktop.publicKey, phoneKey: phone.publicKey, token });
  return { d, p, token, qrPayload, desktop, phone };
}

const roundTrip = (from: PairingSecrets, to: PairingSecrets, text: string) => to.channel.open(from.channel.seal(text));

describe('pairing key schedule', () => {
  it('both sides derive the same transcript, code and keys', () => {
    const { d, p } = pair();
    expect(d.transcriptHash).toEqual(p.transcriptHash);
    expect(d.code).toMatch(/^\d{6}$/);
    expect(d.code).toBe(p.code);
    expect(roundTrip(d, p, 'bonjour')).toBe('bonjour');
    expect(roundTrip(p, d, 'é🙂')).toBe('é🙂');
  });

  it('a substituted phone key (man in the middle) changes the code and breaks decryption', () => {
    const { d, p } = pair({ phoneKeySeenByDesktop: c.generateKeyPair().publicKey });
    expect(d.code).not.toBe(p.code);
    expect(() => roundTrip(d, p, 'x')).toThrowError(expect.objectContaining({ code: 'ChannelCompromised' }));
  });

  it('refuses replayed, reordered and tampered frames, and stays closed after one', () => {
    const { d, p } = pair();
    const f0 = p.channel.seal('a');
    const f1 = p.channel.seal('b');
    expect(d.channel.open(f0)).toBe('a');
    expect(() => d.channel.open(f0)).toThrowError(expect.objectContaining({ details: { why: 'replayed frame' } }));
    expect(() => d.channel.open(f1)).toThrowError(expect.objectContaining({ details: { why: 'channel already failed' } }));
    const q = pair();
    const g0 = q.p.channel.seal('a');
    const g1 = q.p.channel.seal('b');
    expect(() => q.d.channel.open(g1)).toThrowError(expect.objectContaining({ details: { why: 'frame out of order' } }));
    expect(() => q.d.channel.open(g0)).toThrow();
  });

  it('any flipped bit of a sealed frame is refused', () => {
    fc.assert(fc.property(fc.string({ maxLength: 50 }), fc.nat(), (text, where) => {
      const { d, p } = pair();
      const frame = p.channel.seal(text);
      const chars = [...frame.box];
      const i = where % chars.length;
      chars[i] = chars[i] === 'A' ? 'B' : 'A';
      expect(() => d.channel.open({ seq: frame.seq, box: chars.join('') })).toThrow();
    }), { numRuns: 50 });
  });

  it('a frame of one direction cannot be reflected back to its sender', () => {
    const { p } = pair();
    const f = p.channel.seal('mirror');
    expect(() => p.channel.open(f)).toThrow();
  });

  it('refuses a low-order public key (all-zero shared secret)', () => {
    expect(() => pair({ phoneKeySeenByDesktop: new Uint8Array(32) })).toThrowError(expect.objectContaining({ code: 'ChannelCompromised' }));
  });

  it('the transcript binds every input', () => {
    const k = new Uint8Array(32);
    const base = transcriptHash('ecps1:x', k, k, k);
    expect(transcriptHash('ecps1:y', k, k, k)).not.toEqual(base);
    expect(transcriptHash('ecps1:x', k, new Uint8Array(32).fill(1), k)).not.toEqual(base);
    // Length prefixes: moving a byte from one field to the next gives another hash.
    expect(transcriptHash('ecps1:x', k.subarray(1), new Uint8Array(33), k)).not.toEqual(base);
  });

  it('hello auth binds the token to the phone key', () => {
    const token = c.randomBytes(32);
    const k1 = c.generateKeyPair().publicKey;
    const k2 = c.generateKeyPair().publicKey;
    expect(c.equal(c.helloAuth(token, k1), c.helloAuth(token, k1))).toBe(true);
    expect(c.equal(c.helloAuth(token, k1), c.helloAuth(token, k2))).toBe(false);
    expect(c.equal(c.helloAuth(token, k1), c.helloAuth(c.randomBytes(32), k1))).toBe(false);
  });

  it('the password proof matches only for the same password, salt and session', async () => {
    const { d, p } = pair();
    const salt = c.randomBytes(16);
    const proof = (pw: string, s = salt, th = p.transcriptHash) => c.passwordProof(pw, s, 10_000, th);
    const expected = await proof('4827', salt, d.transcriptHash);
    expect(c.equal(await proof('4827'), expected)).toBe(true);
    expect(c.equal(await proof('4828'), expected)).toBe(false);
    expect(c.equal(await proof('4827', c.randomBytes(16)), expected)).toBe(false);
    expect(c.equal(await proof('4827', salt, pair().p.transcriptHash), expected)).toBe(false);
  });
});
