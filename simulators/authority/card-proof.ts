/**
 * How the sandbox authority trusts a card: the certificate chains to the sandbox root through
 * the sandbox issuing CA (a card does not hold its issuing CA, the authority knows it), every
 * certificate is in its validity period, and the card signed our challenge with the key of
 * that certificate — verified exactly as `CpsCard.authenticate` signs (cps-crypto.ts).
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { authorityError, type CardSignatureAlgorithm } from '../../src-shared/activation-authority';
import { identityFromCertificate, verifyCertificateChain, type HolderIdentity } from '../../src-main/card/cps/certificate';
import { verifyAuthentication } from '../../src-main/card/cps/cps-crypto';
import { FIXTURE_FILES, FIXTURES_DIR, sandboxTrustAnchors } from '../pki/sandbox';

export interface CardTrust {
  trustAnchors: readonly Uint8Array[];
  intermediates: readonly Uint8Array[];
}

/** The sandbox PKI: its root as anchor, its issuing CA as the known intermediate. */
export function sandboxCardTrust(): CardTrust {
  const issuing = new X509Certificate(readFileSync(FIXTURES_DIR + FIXTURE_FILES.issuingCaCert));
  return { trustAnchors: sandboxTrustAnchors(), intermediates: [new Uint8Array(issuing.raw)] };
}

/** The holder of a card certificate the authority accepts; throws the refusal otherwise. */
export function checkCardCertificate(der: Uint8Array, trust: CardTrust, now: Date): HolderIdentity {
  let verdict;
  let identity: HolderIdentity;
  try {
    verdict = verifyCertificateChain(der, { ...trust, now });
    identity = identityFromCertificate(der, now);
  } catch (cause) {
    throw authorityError('CertificateMalformed', { cause });
  }
  const details = { chain: verdict.chain.join(' ← ') };
  if (verdict.status === 'untrusted') throw authorityError('CertificateUntrusted', { details });
  if (verdict.status === 'expired') throw authorityError('CertificateExpired', { details: { ...details, notAfter: identity.notAfter.toISOString() } });
  if (verdict.status === 'not-yet-valid') throw authorityError('CertificateNotYetValid', { details: { ...details, notBefore: identity.notBefore.toISOString() } });
  // An establishment card (CPE) identifies an employee, not a professional who can hold an e-CPS [I].
  if (identity.kind !== 'cps' || (identity.rpps === undefined && identity.adeli === undefined)) {
    throw authorityError('CardNotEligible', { details: { idNat: identity.idNat } });
  }
  return identity;
}

/** Throws `SignatureInvalid` unless `signature` is the card's signature over `challenge`. */
export function checkCardSignature(challenge: Uint8Array, signature: Uint8Array, algorithm: CardSignatureAlgorithm, certificateDer: Uint8Array): void {
  let valid = false;
  try {
    valid = verifyAuthentication(challenge, { signature, algorithm, certificateDer });
  } catch {
    valid = false; // a malformed signature (wrong length…) is just a wrong signature
  }
  if (!valid) throw authorityError('SignatureInvalid', { details: { algorithm } });
}
