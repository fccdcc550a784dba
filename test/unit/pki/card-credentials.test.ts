import { constants, createHash, privateEncrypt, sign, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CARD_KEY_SETS,
  issueCardCredentials,
  loadSandboxPki,
  sandboxTrustAnchors,
  TEST_HOLDERS,
  validityFor,
} from '../../../simulators/pki/index';
import { isEcpsError } from '../../../src-shared/errors';
import { x509 } from '../../../simulators/pki/x509';

const NOW = new Date('2026-03-15T10:20:30.456Z');
const dates = (der: Uint8Array) => {
  const cert = new x509.X509Certificate(der);
  return { notBefore: cert.notBefore, notAfter: cert.notAfter };
};

describe('issueCardCredentials', () => {
  it('issues an authentication and a signature certificate that chain to the sandbox trust anchor', async () => {
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist, { now: NOW });
    const anchor = new X509Certificate(sandboxTrustAnchors()[0]!);
    const issuing = new X509Certificate(card.issuingCaDer);
    expect(Buffer.from(card.rootDer).equals(anchor.raw)).toBe(true);
    expect(issuing.verify(anchor.publicKey)).toBe(true);
    for (const { certificateDer } of [card.authentication, card.signature]) {
      const leaf = new X509Certificate(certificateDer);
      expect(leaf.verify(issuing.publicKey)).toBe(true);
      expect(leaf.checkIssued(issuing)).toBe(true);
      expect(leaf.verify(anchor.publicKey)).toBe(false);
      expect(leaf.ca).toBe(false);
    }
  });

  it('gives each key the usages of its card role (auth 0x82: clientAuth; signature 0x81: nonRepudiation)', async () => {
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    const auth = new x509.X509Certificate(card.authentication.certificateDer);
    const sig = new x509.X509Certificate(card.signature.certificateDer);
    const F = x509.KeyUsageFlags;
    expect(auth.getExtension(x509.KeyUsagesExtension)?.usages).toBe(F.digitalSignature | F.keyEncipherment);
    expect(auth.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(sig.getExtension(x509.KeyUsagesExtension)?.usages).toBe(F.nonRepudiation);
    expect(sig.getExtension(x509.ExtendedKeyUsageExtension)).toBeNull();
    // AKI of the leaf = SKI of the issuing CA (what chain builders match on).
    const ca = new x509.X509Certificate(card.issuingCaDer);
    expect(auth.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
  });

  it('pairs each certificate with its own private key, distinct for authentication and signature', async () => {
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    const auth = new X509Certificate(card.authentication.certificateDer);
    const sig = new X509Certificate(card.signature.certificateDer);
    expect(auth.checkPrivateKey(card.authentication.privateKey)).toBe(true);
    expect(sig.checkPrivateKey(card.signature.privateKey)).toBe(true);
    expect(auth.checkPrivateKey(card.signature.privateKey)).toBe(false);
    expect(card.authentication.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('card signatures verify with the certificate: PKCS#1 v1.5 SHA-256 (CPS3) and RSA-PSS (CPS4)', async () => {
    const { authentication, signature } = await issueCardCredentials(TEST_HOLDERS.doctor);
    const challenge = Buffer.from('défi de test 2026');
    for (const { privateKey, certificateDer } of [authentication, signature]) {
      const publicKey = new X509Certificate(certificateDer).publicKey;
      expect(verify('sha256', challenge, publicKey, sign('sha256', challenge, privateKey))).toBe(true);
      const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      const pssSignature = sign('sha256', challenge, { key: privateKey, ...pss });
      expect(verify('sha256', challenge, { key: publicKey, ...pss }, pssSignature)).toBe(true);
      expect(verify('sha256', Buffer.from('autre'), { key: publicKey, ...pss }, pssSignature)).toBe(false);
    }
  });

  it('a raw RSA operation (CPS4 style) on a DigestInfo block is a valid PKCS#1 v1.5 signature', async () => {
    const { authentication } = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    const data = Buffer.from('challenge');
    const digestInfo = Buffer.concat([
      Buffer.from('3031300d060960864801650304020105000420', 'hex'),
      createHash('sha256').update(data).digest(),
    ]);
    // EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF…FF 00 DigestInfo, 256 bytes for RSA-2048.
    const padding = Buffer.alloc(256 - 3 - digestInfo.length, 0xff);
    const block = Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), digestInfo]);
    const raw = privateEncrypt({ key: authentication.privateKey, padding: constants.RSA_NO_PADDING }, block);
    const publicKey = new X509Certificate(authentication.certificateDer).publicKey;
    expect(verify('sha256', data, publicKey, raw)).toBe(true);
  });

  it('honours explicit validity dates (to the second)', async () => {
    const notBefore = new Date('2025-01-02T03:04:05Z');
    const notAfter = new Date('2028-01-02T03:04:05Z');
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist, { notBefore, notAfter });
    expect(dates(card.authentication.certificateDer)).toEqual({ notBefore, notAfter });
    expect(dates(card.signature.certificateDer)).toEqual({ notBefore, notAfter });
  });

  it.each(['valid', 'expired', 'not-yet-valid'] as const)('issues %s cards relative to "now"', async (variant) => {
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist, { variant, now: NOW });
    const { notBefore, notAfter } = dates(card.authentication.certificateDer);
    expect({ notBefore, notAfter }).toEqual(validityFor(variant, NOW));
    const isValidNow = notBefore <= NOW && NOW <= notAfter;
    expect(isValidNow).toBe(variant === 'valid');
    if (variant === 'expired') expect(notAfter < NOW).toBe(true);
    if (variant === 'not-yet-valid') expect(notBefore > NOW).toBe(true);
  });

  it('validityFor rounds to the second and spans about three years', () => {
    const { notBefore, notAfter } = validityFor('valid', NOW);
    expect(notBefore.getUTCMilliseconds()).toBe(0);
    expect(notBefore < NOW && NOW < notAfter).toBe(true);
    expect((notAfter.getTime() - notBefore.getTime()) / 86_400_000).toBe(3 * 365);
  });

  it('refuses a validity that ends before it starts, with a coded error', async () => {
    const error = await issueCardCredentials(TEST_HOLDERS.pharmacist, {
      notBefore: new Date('2030-01-01T00:00:00Z'),
      notAfter: new Date('2029-01-01T00:00:00Z'),
    }).catch((e: unknown) => e);
    expect(isEcpsError(error, 'InvalidValidity')).toBe(true);
  });

  it('same holder → same keys in every call; key sets give distinct keys', async () => {
    const a = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    const b = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    expect(a.authentication.privateKey.equals(b.authentication.privateKey)).toBe(true);
    expect(Buffer.from(a.authentication.certificateDer).equals(Buffer.from(b.authentication.certificateDer))).toBe(false);
    const { cardKeys } = await loadSandboxPki();
    const used = new Set<number>();
    for (let keySet = 0; keySet < CARD_KEY_SETS; keySet++) {
      const card = await issueCardCredentials(TEST_HOLDERS.pharmacist, { keySet });
      used.add(cardKeys.indexOf(card.authentication.privateKey));
      used.add(cardKeys.indexOf(card.signature.privateKey));
    }
    expect(used.size).toBe(2 * CARD_KEY_SETS);
    expect(used.has(-1)).toBe(false);
    await expect(issueCardCredentials(TEST_HOLDERS.pharmacist, { keySet: CARD_KEY_SETS })).rejects.toThrow(RangeError);
  });

  it('serial numbers are random, positive and 16 bytes', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const card = await issueCardCredentials(TEST_HOLDERS.pharmacist);
      for (const c of [card.authentication, card.signature]) {
        const serial = new X509Certificate(c.certificateDer).serialNumber;
        expect(serial).toMatch(/^[0-7][0-9A-F]{31}$/);
        serials.add(serial);
      }
    }
    expect(serials.size).toBe(10);
  });

  it('impostor-issued cards carry the sandbox issuer name but fail the chain check', async () => {
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist, { issuer: 'impostor' });
    const leaf = new X509Certificate(card.authentication.certificateDer);
    const genuine = (await loadSandboxPki()).sandbox.certificateDer;
    const trustedCa = new X509Certificate(genuine);
    expect(leaf.issuer).toBe(trustedCa.subject);
    expect(leaf.verify(trustedCa.publicKey)).toBe(false);
    expect(leaf.checkIssued(trustedCa)).toBe(false); // AKI names another key
    expect(leaf.verify(new X509Certificate(card.issuingCaDer).publicKey)).toBe(true);
  });

  it('costs milliseconds, not seconds: pool keys and cached CA keys', async () => {
    await issueCardCredentials(TEST_HOLDERS.pharmacist); // warm-up
    const started = performance.now();
    for (let i = 0; i < 10; i++) await issueCardCredentials(TEST_HOLDERS.doctor);
    const perCard = (performance.now() - started) / 10;
    // Generous bound for a loaded CI machine; ~10–40 ms measured on 2 cores.
    expect(perCard).toBeLessThan(250);
  });

  it('freshKeys: new RSA-2048 keys outside the pool when a test needs unique keys', async () => {
    const { cardKeys } = await loadSandboxPki();
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist, { freshKeys: true });
    expect(cardKeys.some((k) => k.equals(card.authentication.privateKey))).toBe(false);
    expect(new X509Certificate(card.authentication.certificateDer).checkPrivateKey(card.authentication.privateKey)).toBe(true);
  }, 20_000);
});
