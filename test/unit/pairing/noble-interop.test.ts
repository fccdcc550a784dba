/**
 * The plain-JS suite (simulators/phone/noble-crypto.ts, what the phone page runs where
 * WebCrypto is missing — any page opened over http on a LAN address) against the node:crypto
 * suite (the desktop) and the WebCrypto suite: same transcript, same code, frames of one opened
 * by the other in every pairing of suites, the same password proof, the same hello; the RFC 7748
 * vector; refusals (low-order key, replay, reorder, tampering).
 */
import { describe, expect, it } from 'vitest';
import { nodePairingCrypto as node } from '../../../src-main/pairing/crypto';
import { noblePairingCrypto as noble } from '../../../simulators/phone/noble-crypto';
import { encodeQrPayload, type PairingKeyPair } from '../../../src-shared/pairing-protocol';
import { webPairingCrypto as web, type AwaitablePairingCrypto, type AwaitablePairingSecrets } from '../../../src-shared/pairing-webcrypto';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const suites = { node, web, noble } satisfies Record<string, AwaitablePairingCrypto>;
type SuiteName = keyof typeof suites;

async function pair(desktopSuite: SuiteName, phoneSuite: SuiteName, desktopKeyPair?: PairingKeyPair) {
  const dc = suites[desktopSuite];
  const pc = suites[phoneSuite];
  const desktop = desktopKeyPair ?? (await dc.generateKeyPair());
  const phone = await pc.generateKeyPair();
  const token = dc.randomBytes(32);
  const qrPayload = encodeQrPayload({ direct: 'ws://192.168.1.20:4000/pair', token, desktopKey: desktop.publicKey, expiresAt: 1_800_000_000_000 });
  const d = await dc.deriveSecrets({ role: 'desktop', keyPair: desktop, peerPublicKey: phone.publicKey, qrPayload, desktopKey: desktop.publicKey, phoneKey: phone.publicKey, token });
  const p = await pc.deriveSecrets({ role: 'phone', keyPair: phone, peerPublicKey: desktop.publicKey, qrPayload, desktopKey: desktop.publicKey, phoneKey: phone.publicKey, token });
  return { d, p, dc, pc, token, phone };
}

const send = async (from: AwaitablePairingSecrets, to: AwaitablePairingSecrets, text: string) => to.channel.open(await from.channel.seal(text));

describe('noble pairing suite', () => {
  it('a noble key pair made from RFC 7748 §6.1 (Alice) pairs with a node phone: same code and transcript', async () => {
    // Alice's published secret as a noble key pair; its public key is the published one.
    const alice = { publicKey: hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'), privateKey: hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a') };
    const { d, p } = await pair('noble', 'node', alice);
    expect(d.code).toBe(p.code);
    expect(toHex(d.transcriptHash)).toBe(toHex(p.transcriptHash));
  });

  for (const [desktop, phone] of [['node', 'noble'], ['noble', 'node'], ['web', 'noble'], ['noble', 'web'], ['noble', 'noble']] as const) {
    it(`desktop ${desktop} × phone ${phone}: same transcript and code, frames both ways, same proof`, async () => {
      const { d, p, dc, pc, token, phone: phoneKeys } = await pair(desktop, phone);
      expect(p.code).toMatch(/^\d{6}$/);
      expect(d.code).toBe(p.code);
      expect(toHex(d.transcriptHash)).toBe(toHex(p.transcriptHash));
      for (let i = 0; i < 3; i++) {
        expect(await send(d, p, `welcome ${i} é€`)).toBe(`welcome ${i} é€`);
        expect(await send(p, d, `proof ${i}`)).toBe(`proof ${i}`);
      }
      const salt = dc.randomBytes(16);
      const [dp, pp] = [await dc.passwordProof('4826', salt, 1000, d.transcriptHash), await pc.passwordProof('4826', salt, 1000, p.transcriptHash)];
      expect(toHex(pp)).toBe(toHex(dp));
      expect(toHex(await pc.passwordProof('4827', salt, 1000, p.transcriptHash))).not.toBe(toHex(dp));
      expect(toHex(await pc.helloAuth(token, phoneKeys.publicKey))).toBe(toHex(await dc.helloAuth(token, phoneKeys.publicKey)));
    });
  }

  it('refuses a low-order peer key (all-zero shared secret)', () => {
    const mine = noble.generateKeyPair();
    const zero = new Uint8Array(32);
    expect(() =>
      noble.deriveSecrets({ role: 'phone', keyPair: mine, peerPublicKey: zero, qrPayload: 'x', desktopKey: zero, phoneKey: mine.publicKey, token: new Uint8Array(16) }),
    ).toThrow(expect.objectContaining({ code: 'ChannelCompromised' }));
  });

  it('a replayed, reordered or tampered frame breaks the channel for good', async () => {
    const { d, p } = await pair('node', 'noble');
    const f0 = await d.channel.seal('a');
    const f1 = await d.channel.seal('b');
    expect(() => p.channel.open(f1)).toThrow(expect.objectContaining({ code: 'ChannelCompromised' }));
    expect(() => p.channel.open(f0)).toThrow(expect.objectContaining({ code: 'ChannelCompromised' })); // broken now
    const fresh = await pair('node', 'noble');
    const g0 = await fresh.d.channel.seal('hello');
    const flipped = { seq: g0.seq, box: g0.box.slice(0, -2) + (g0.box.endsWith('AA') ? 'AB' : 'AA') };
    expect(() => fresh.p.channel.open(flipped)).toThrow(expect.objectContaining({ code: 'ChannelCompromised' }));
    const again = await pair('node', 'noble');
    const h0 = await again.d.channel.seal('once');
    expect(again.p.channel.open(h0)).toBe('once');
    expect(() => again.p.channel.open(h0)).toThrow(expect.objectContaining({ code: 'ChannelCompromised' }));
  });
});
