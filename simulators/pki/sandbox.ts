/**
 * Loads the committed sandbox PKI (fixtures/, written once by generate-fixtures.ts).
 *
 * Why committed keys: RSA-2048 key generation costs 0.1–1 s per key and tests create many
 * cards; loading PEM costs microseconds. Issuing a card certificate at run time is one RSA
 * signature (~2 ms), so validity dates can still be relative to "now". These keys protect
 * nothing: they are TEST keys of a TEST PKI that no real relying party trusts.
 */
import { createPrivateKey, type KeyObject, X509Certificate, type webcrypto } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { caKeysFrom, type CaKeys, createIssuingCaCertificate, createRootCertificate } from './authorities';
import { pkiErrors } from './pki-errors';
import { x509 } from './x509';

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

export const FIXTURE_FILES = {
  rootKey: 'sandbox-root-TEST.key.pem',
  rootCert: 'sandbox-root-TEST.cert.pem',
  issuingCaKey: 'sandbox-issuing-ca-TEST.key.pem',
  issuingCaCert: 'sandbox-issuing-ca-TEST.cert.pem',
  cardKeys: 'sandbox-card-keys-TEST.key.pem',
} as const;

/** Keys in the card key pool; the last two are reserved for the impostor CAs. */
export const CARD_KEY_POOL_SIZE = 16;
/** Distinct (authentication, signature) key pairs the pool offers to cards. */
export const CARD_KEY_SETS = (CARD_KEY_POOL_SIZE - 2) / 2;

/** A CA as card issuance needs it: its certificate (parsed and DER) and its signing key. */
export interface IssuingAuthority {
  certificate: x509.X509Certificate;
  certificateDer: Uint8Array;
  rootDer: Uint8Array;
  signingKey: webcrypto.CryptoKey;
}

export interface SandboxPki {
  /** The trusted sandbox chain. */
  sandbox: IssuingAuthority;
  /** Same names as the sandbox CAs, other keys: certificates it issues must fail a chain check. */
  impostor: IssuingAuthority;
  /** Pre-generated card keys (RSA-2048): key set k is (2k: authentication, 2k+1: signature). */
  cardKeys: readonly KeyObject[];
}

let loading: Promise<SandboxPki> | undefined;

/** The sandbox PKI, loaded once per process. */
export function loadSandboxPki(): Promise<SandboxPki> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined; // a later call may succeed once the fixtures exist
    throw error;
  });
  return loading;
}

/** Trust anchors for CpsCard's chain check by default: the sandbox root, DER. Fresh copies. */
export function sandboxTrustAnchors(): Uint8Array[] {
  return [new Uint8Array(rootDerOnce())];
}

/** The sandbox root with its signing key (local TLS server certificates, server-credentials.ts). */
export interface SandboxRoot {
  certificate: x509.X509Certificate;
  signingKey: webcrypto.CryptoKey;
}

let rootLoading: Promise<SandboxRoot> | undefined;
export function loadSandboxRoot(): Promise<SandboxRoot> {
  rootLoading ??= caKeysFrom(createPrivateKey(readFixture('rootKey'))).then(
    (keys) => ({ certificate: new x509.X509Certificate(rootDerOnce()), signingKey: keys.privateKey }),
    (error: unknown) => {
      rootLoading = undefined;
      throw error;
    },
  );
  return rootLoading;
}

let rootDerCache: Uint8Array | undefined;
function rootDerOnce(): Uint8Array {
  rootDerCache ??= certificateDer(readFixture('rootCert'));
  return rootDerCache;
}

async function load(): Promise<SandboxPki> {
  const issuingKeys = await caKeysFrom(createPrivateKey(readFixture('issuingCaKey')));
  const issuingCaDer = certificateDer(readFixture('issuingCaCert'));
  const cardKeys = splitPem(readFixture('cardKeys')).map((pem) => createPrivateKey(pem));
  if (cardKeys.length !== CARD_KEY_POOL_SIZE) {
    throw pkiErrors.create('SandboxFixturesMissing', { details: { file: FIXTURE_FILES.cardKeys } });
  }
  const sandbox: IssuingAuthority = {
    certificate: new x509.X509Certificate(issuingCaDer),
    certificateDer: issuingCaDer,
    rootDer: rootDerOnce(),
    signingKey: issuingKeys.privateKey,
  };
  const impostor = await impostorAuthority(cardKeys[CARD_KEY_POOL_SIZE - 2]!, cardKeys[CARD_KEY_POOL_SIZE - 1]!);
  return { sandbox, impostor, cardKeys };
}

async function impostorAuthority(rootKey: KeyObject, issuingKey: KeyObject): Promise<IssuingAuthority> {
  const rootKeys: CaKeys = await caKeysFrom(rootKey);
  const issuingKeys = await caKeysFrom(issuingKey);
  const root = await createRootCertificate(rootKeys);
  const issuing = await createIssuingCaCertificate(issuingKeys, { keys: rootKeys, certificate: root });
  return {
    certificate: issuing,
    certificateDer: new Uint8Array(issuing.rawData),
    rootDer: new Uint8Array(root.rawData),
    signingKey: issuingKeys.privateKey,
  };
}

function readFixture(name: keyof typeof FIXTURE_FILES): string {
  const file = FIXTURES_DIR + FIXTURE_FILES[name];
  if (!existsSync(file)) throw pkiErrors.create('SandboxFixturesMissing', { details: { file: FIXTURE_FILES[name] } });
  return readFileSync(file, 'utf8');
}

function certificateDer(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw);
}

/** The PEM blocks of a file holding several keys, in file order. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g) ?? [];
}
