/**
 * Card credentials: the authentication and signature key pairs of a virtual CPS/CPE with
 * their certificates, issued by the sandbox issuing CA (domain.md §3: `CPS_PRIV_AUT` ref
 * 0x82 and `CPS_PRIV_SIG` ref 0x81, RSA-2048).
 *
 * Keys come from the committed pool (fast); certificates are signed on each call (one
 * RSA signature each), so their validity can be relative to "now".
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, type webcrypto } from 'node:crypto';
import { authorityKeyIdOf, importPublicKey, SANDBOX_CARD_POLICY_OID } from './authorities';
import { cardSubjectName, type CardHolder, nationalId } from './names';
import { pkiErrors } from './pki-errors';
import { CARD_KEY_SETS, type IssuingAuthority, loadSandboxPki } from './sandbox';
import { RSA_SHA256, x509 } from './x509';

export type ValidityVariant = 'valid' | 'expired' | 'not-yet-valid';

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export interface IssueOptions {
  /** Reference time for `variant` (default: the current time). */
  now?: Date;
  /** Default `valid`. Explicit `notBefore` / `notAfter` win over the variant's dates. */
  variant?: ValidityVariant;
  notBefore?: Date;
  notAfter?: Date;
  /** Which pool key set (0 … CARD_KEY_SETS-1); default: derived from the holder's idNat, so
   *  the same holder gets the same keys in every process. */
  keySet?: number;
  /** Generate new RSA-2048 keys instead of pool keys (slow: ~0.1–1 s per key). */
  freshKeys?: boolean;
  /** `impostor`: a CA with the sandbox names but other keys, for chain-check failures. */
  issuer?: 'sandbox' | 'impostor';
}

export interface CardKeyCredential {
  privateKey: KeyObject;
  certificateDer: Uint8Array;
}

export interface CardCredentials {
  holder: CardHolder;
  /** Key ref 0x82: client authentication (digitalSignature, keyEncipherment; EKU clientAuth). */
  authentication: CardKeyCredential;
  /** Key ref 0x81: qualified-style signature (nonRepudiation). */
  signature: CardKeyCredential;
  issuingCaDer: Uint8Array;
  rootDer: Uint8Array;
}

const DAY_MS = 86_400_000;
/** CPS certificates are valid about three years [I: card lifetime announced by ANS]. */
export const CARD_LIFETIME_DAYS = 3 * 365;

/**
 * Validity periods for the three card states tests need, relative to `now` and rounded
 * down to the second (X.509 UTCTime has no fractions, so what you pass is what you read back).
 * - valid: started 30 days ago, ends in ~3 years;
 * - expired: ended yesterday (a realistic "expired" card, not one from decades ago);
 * - not-yet-valid: starts tomorrow.
 */
export function validityFor(variant: ValidityVariant, now: Date = new Date()): Validity {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  const period = (startDaysFromNow: number, endDaysFromNow: number): Validity => ({
    notBefore: new Date(t + startDaysFromNow * DAY_MS),
    notAfter: new Date(t + endDaysFromNow * DAY_MS),
  });
  switch (variant) {
    case 'valid':
      return period(-30, CARD_LIFETIME_DAYS - 30);
    case 'expired':
      return period(-1 - CARD_LIFETIME_DAYS, -1);
    case 'not-yet-valid':
      return period(1, 1 + CARD_LIFETIME_DAYS);
  }
}

/** Issues the two certificates of a virtual card. Throws `InvalidHolder` / `InvalidValidity`. */
export async function issueCardCredentials(holder: CardHolder, options: IssueOptions = {}): Promise<CardCredentials> {
  const subject = cardSubjectName(holder); // validates the holder first
  const validity = resolveValidity(options);
  const pki = await loadSandboxPki();
  const authority = options.issuer === 'impostor' ? pki.impostor : pki.sandbox;
  const [authKey, signKey] = options.freshKeys
    ? [freshRsaKey(), freshRsaKey()]
    : poolKeys(pki.cardKeys, options.keySet ?? defaultKeySet(holder));

  const issue = async (key: KeyObject, usage: 'authentication' | 'signature'): Promise<CardKeyCredential> => {
    const { publicKey, subjectKeyId } = await publicPartsOf(key);
    const extensions = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      usage === 'authentication'
        ? new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true)
        : new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true),
      ...(usage === 'authentication' ? [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])] : []),
      subjectKeyId,
      authorityKeyIdOf(authority.certificate),
      new x509.CertificatePolicyExtension([SANDBOX_CARD_POLICY_OID]),
    ];
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject,
      issuer: authority.certificate.subjectName, // the CA's encoded name, byte for byte
      ...validity,
      signingAlgorithm: RSA_SHA256,
      publicKey,
      signingKey: authority.signingKey,
      extensions,
    });
    return { privateKey: key, certificateDer: new Uint8Array(certificate.rawData) };
  };

  return {
    holder: { ...holder },
    authentication: await issue(authKey, 'authentication'),
    signature: await issue(signKey, 'signature'),
    ...chainOf(authority),
  };
}

function chainOf(authority: IssuingAuthority): { issuingCaDer: Uint8Array; rootDer: Uint8Array } {
  // Copies: a caller that edits its bytes (a corrupted-certificate test) cannot corrupt others.
  return { issuingCaDer: authority.certificateDer.slice(), rootDer: authority.rootDer.slice() };
}

function resolveValidity(options: IssueOptions): Validity {
  const base = validityFor(options.variant ?? 'valid', options.now);
  const validity = { notBefore: options.notBefore ?? base.notBefore, notAfter: options.notAfter ?? base.notAfter };
  if (!(validity.notAfter.getTime() > validity.notBefore.getTime())) {
    throw pkiErrors.create('InvalidValidity', {
      details: { notBefore: validity.notBefore.toISOString(), notAfter: validity.notAfter.toISOString() },
    });
  }
  return validity;
}

/** Pool keys are reused by every card: import each one and hash its SKI once per process. */
const publicParts = new WeakMap<KeyObject, Promise<{ publicKey: webcrypto.CryptoKey; subjectKeyId: x509.Extension }>>();
function publicPartsOf(key: KeyObject) {
  let parts = publicParts.get(key);
  if (!parts) {
    parts = importPublicKey(key).then(async (publicKey) => ({
      publicKey,
      subjectKeyId: await x509.SubjectKeyIdentifierExtension.create(publicKey),
    }));
    publicParts.set(key, parts);
  }
  return parts;
}

function poolKeys(pool: readonly KeyObject[], keySet: number): [KeyObject, KeyObject] {
  if (!Number.isInteger(keySet) || keySet < 0 || keySet >= CARD_KEY_SETS) {
    throw new RangeError(`keySet must be an integer in 0…${CARD_KEY_SETS - 1}`);
  }
  return [pool[2 * keySet]!, pool[2 * keySet + 1]!];
}

/** Same idNat → same key set, in every process (handy when a card is re-created). */
export function defaultKeySet(holder: CardHolder): number {
  return createHash('sha256').update(nationalId(holder)).digest().readUInt32BE(0) % CARD_KEY_SETS;
}

function freshRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 }).privateKey;
}

/** 16 random bytes, first bit clear (a positive INTEGER) and first byte non-zero (no padding). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
