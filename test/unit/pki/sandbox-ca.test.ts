import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CA_VALIDITY, SANDBOX_CARD_POLICY_OID } from '../../../simulators/pki/authorities';
import { FIXTURE_FILES, FIXTURES_DIR, loadSandboxPki, sandboxTrustAnchors } from '../../../simulators/pki/sandbox';
import { x509 } from '../../../simulators/pki/x509';

const fixture = (name: keyof typeof FIXTURE_FILES) => readFileSync(FIXTURES_DIR + FIXTURE_FILES[name], 'utf8');
const root = new X509Certificate(fixture('rootCert'));
const issuingCa = new X509Certificate(fixture('issuingCaCert'));

describe('sandbox certification authorities', () => {
  it('mirror the IGC-Santé names, with TEST in every CA name', () => {
    expect(root.subject).toBe('C=FR\nO=ASIP-SANTE\nOU=0002 187512751\nOU=IGC-SANTE\nCN=AC RACINE IGC-SANTE TEST FORT');
    expect(issuingCa.subject).toBe(
      'C=FR\nO=ASIP-SANTE\nOU=0002 187512751\nOU=IGC-SANTE\nCN=AC IGC-SANTE TEST FORT PERSONNES',
    );
    expect(issuingCa.issuer).toBe(root.subject);
  });

  it('form a chain: the root is self-signed, the issuing CA is signed by the root', () => {
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.checkIssued(root)).toBe(true);
    expect(issuingCa.verify(root.publicKey)).toBe(true);
    expect(issuingCa.checkIssued(root)).toBe(true);
    expect(issuingCa.verify(issuingCa.publicKey)).toBe(false);
  });

  it('are CAs (critical basicConstraints, keyCertSign), the issuing CA limited to end entities', () => {
    expect(root.ca).toBe(true);
    expect(issuingCa.ca).toBe(true);
    const parsed = new x509.X509Certificate(issuingCa.raw);
    const constraints = parsed.getExtension(x509.BasicConstraintsExtension);
    expect(constraints?.critical).toBe(true);
    expect(constraints?.pathLength).toBe(0);
    const usages = parsed.getExtension(x509.KeyUsagesExtension);
    expect(usages?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(parsed.getExtension(x509.CertificatePolicyExtension)?.policies).toEqual([SANDBOX_CARD_POLICY_OID]);
  });

  it('are valid 2024 → 2044, so every process, now and for years, trusts the same anchor', () => {
    for (const cert of [root, issuingCa]) {
      const parsed = new x509.X509Certificate(cert.raw);
      expect(parsed.notBefore).toEqual(CA_VALIDITY.notBefore);
      expect(parsed.notAfter).toEqual(CA_VALIDITY.notAfter);
    }
  });

  it('committed keys match the committed certificates', () => {
    expect(root.checkPrivateKey(createPrivateKey(fixture('rootKey')))).toBe(true);
    expect(issuingCa.checkPrivateKey(createPrivateKey(fixture('issuingCaKey')))).toBe(true);
    expect(issuingCa.checkPrivateKey(createPrivateKey(fixture('rootKey')))).toBe(false);
  });

  it('sandboxTrustAnchors() is the committed root, as a copy nobody can corrupt', () => {
    const [anchor] = sandboxTrustAnchors();
    expect(Buffer.from(anchor!).equals(root.raw)).toBe(true);
    anchor!.fill(0);
    expect(Buffer.from(sandboxTrustAnchors()[0]!).equals(root.raw)).toBe(true);
  });

  it('loadSandboxPki() is memoised and offers 16 RSA-2048 card keys', async () => {
    const pki = await loadSandboxPki();
    expect(await loadSandboxPki()).toBe(pki);
    expect(pki.cardKeys).toHaveLength(16);
    for (const key of pki.cardKeys) expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Set(pki.cardKeys.map((k) => k.export({ format: 'pem', type: 'pkcs8' }))).size).toBe(16);
  });

  it('the impostor CAs copy the sandbox names but are not trusted by them', async () => {
    const { impostor } = await loadSandboxPki();
    const fakeIssuing = new X509Certificate(impostor.certificateDer);
    const fakeRoot = new X509Certificate(impostor.rootDer);
    expect(fakeIssuing.subject).toBe(issuingCa.subject);
    expect(fakeRoot.subject).toBe(root.subject);
    expect(fakeIssuing.verify(fakeRoot.publicKey)).toBe(true);
    expect(fakeIssuing.verify(root.publicKey)).toBe(false);
    expect(Buffer.from(impostor.rootDer).equals(root.raw)).toBe(false);
  });
});
