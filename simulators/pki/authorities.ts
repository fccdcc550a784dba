/**
 * The sandbox certification authorities: a root and the issuing CA of card certificates,
 * mirroring IGC-Santé's "AC RACINE IGC-SANTE FORT" → "AC IGC-SANTE FORT PERSONNES" (research
 * §3). NOT the real CAs — see names.ts.
 *
 * Both CA certificates are made ONCE by generate-fixtures.ts and committed with their keys:
 * a trust anchor must be byte-identical in every process (a card issued in a vpcd test
 * process verifies in the CLI process), and the validity 2024 → 2044 outlives the project.
 * The "impostor" pair (same names, other keys, never trusted) is made at run time from the
 * key pool: PKCS#1 v1.5 signatures are deterministic, so it is stable across processes too.
 */
import { createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import { sandboxIssuingCaName, sandboxRootName } from './names';
import { RSA_SHA256, x509 } from './x509';

/** Validity of the sandbox CA certificates (UTCTime, so before 2050). */
export const CA_VALIDITY = {
  notBefore: new Date('2024-01-01T00:00:00Z'),
  notAfter: new Date('2044-01-01T00:00:00Z'),
} as const;

/**
 * Certificate policy of sandbox card certificates. Under `2.999` ("example", ITU-T X.660
 * Annex A) on purpose: the real IGC-Santé policy OIDs are not ours to reuse.
 */
export const SANDBOX_CARD_POLICY_OID = '2.999.250.1.213.1.1';

// Fixed serials make the CA certificates reproducible; 7E57 reads "TEST".
const ROOT_SERIAL = '7e5700000001';
const ISSUING_CA_SERIAL = '7e5700000002';

export interface CaKeys {
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
}

/** A Node private key as the WebCrypto key pair the certificate generator wants. */
export async function caKeysFrom(privateKey: KeyObject): Promise<CaKeys> {
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, RSA_SHA256, false, ['sign']),
    publicKey: await importPublicKey(privateKey),
  };
}

/** The public half of a Node key (private or public) as a WebCrypto key. */
export async function importPublicKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  // createPublicKey derives the public key from a private KeyObject (and rejects a public one).
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return webcrypto.subtle.importKey('spki', spki, RSA_SHA256, true, ['verify']);
}

const CA_KEY_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

/** The self-signed root. `pathLength` is left open, as on the real roots' certificates [I]. */
export async function createRootCertificate(keys: CaKeys): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: ROOT_SERIAL,
    subject: sandboxRootName(),
    issuer: sandboxRootName(),
    ...CA_VALIDITY,
    signingAlgorithm: RSA_SHA256,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(CA_KEY_USAGE, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
}

/** The issuing CA, signed by the root; pathLength 0: it issues card certificates only. */
export async function createIssuingCaCertificate(
  issuingCa: CaKeys,
  root: { keys: CaKeys; certificate: x509.X509Certificate },
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: ISSUING_CA_SERIAL,
    subject: sandboxIssuingCaName(),
    issuer: root.certificate.subjectName, // the root's encoded name, unchanged
    ...CA_VALIDITY,
    signingAlgorithm: RSA_SHA256,
    publicKey: issuingCa.publicKey,
    signingKey: root.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(CA_KEY_USAGE, true),
      await x509.SubjectKeyIdentifierExtension.create(issuingCa.publicKey),
      authorityKeyIdOf(root.certificate),
      new x509.CertificatePolicyExtension([SANDBOX_CARD_POLICY_OID]),
    ],
  });
}

/** AKI = the issuer's SKI, copied from its certificate so both always match byte for byte. */
export function authorityKeyIdOf(issuer: x509.X509Certificate): x509.AuthorityKeyIdentifierExtension {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!ski) throw new Error(`CA certificate without subjectKeyIdentifier: ${issuer.subject}`);
  return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
}
