/**
 * What makes one CPx card different from another: its holder's keys and certificates, its PIN
 * and PUK and the state of their counters. Shared by the CPS3 and the CPS4 factories, which
 * turn it into reference data (cps-security.ts), keys (cps-crypto.ts) and a PKCS#15 directory
 * (pkcs15-files.ts).
 */
import type { KeyObject } from 'node:crypto';
import type { CardKey } from './cps-crypto';
import { modulusBytes } from './cps-rsa';
import { CardPins, PIN_FORMAT, PUK_FORMAT } from './cps-security';
import {
  KEY_USAGE,
  OBJECT_FLAGS,
  PIN_FLAGS,
  PKCS15_FIDS,
  type Pkcs15Application,
  type Pkcs15Key,
  type Pkcs15Pin,
} from './pkcs15-files';

/** One key pair as the card holds it: the private key and its certificate (DER). */
export interface CardKeyPair {
  privateKey: KeyObject;
  certificateDer: Uint8Array;
}

/** The PKI teammate's `issueCardCredentials` result has this shape (extra fields ignored). */
export interface CpsCredentials {
  authentication: CardKeyPair;
  signature: CardKeyPair;
}

export interface CpsPersonalisation {
  /** Keys and certificates; without them the card has PIN/PUK but no key, CDF or PrKDF entry. */
  credentials?: CpsCredentials;
  /** Code porteur, 4 digits (default 1234). */
  pin?: string;
  /** Code de déblocage, 8 digits (default 12345678). */
  puk?: string;
  pinTriesLeft?: number;
  pukTriesLeft?: number;
  pukUsesLeft?: number;
  /** TokenInfo label [?] (the real one is not public). */
  tokenLabel?: string;
}

export const DEFAULT_PIN = '1234';
export const DEFAULT_PUK = '12345678';
export const PIN_REFERENCE = 1;
export const PUK_REFERENCE = 2;
export const PIN_MAX_TRIES = 3;
export const PUK_MAX_TRIES = 10;
export const PUK_MAX_USES = 100;

/** iD of the key pairs: OpenSC issue #2267's dump of a test CPx [C] (the AID + 1001 / 1002). */
export const SIGNATURE_KEY_ID = Uint8Array.from(Buffer.from('E828BD080F8025000001FF001001', 'hex'));
export const AUTHENTICATION_KEY_ID = Uint8Array.from(Buffer.from('E828BD080F8025000001FF001002', 'hex'));

export function cardPins(options: CpsPersonalisation): CardPins {
  return new CardPins([
    {
      reference: PIN_REFERENCE,
      value: options.pin ?? DEFAULT_PIN,
      format: PIN_FORMAT,
      maxTries: PIN_MAX_TRIES,
      triesLeft: options.pinTriesLeft,
      unblockedBy: PUK_REFERENCE,
    },
    {
      reference: PUK_REFERENCE,
      value: options.puk ?? DEFAULT_PUK,
      format: PUK_FORMAT,
      maxTries: PUK_MAX_TRIES,
      triesLeft: options.pukTriesLeft,
      maxUses: PUK_MAX_USES,
      usesLeft: options.pukUsesLeft ?? PUK_MAX_USES,
    },
  ]);
}

/** AODF entries matching `cardPins` (labels [?]). */
export function pkcs15Pins(): Pkcs15Pin[] {
  const common = { type: 'ascii-numeric' as const };
  return [
    {
      ...common,
      label: 'Code porteur',
      authId: PIN_REFERENCE,
      reference: PIN_REFERENCE,
      flags: [PIN_FLAGS.local, PIN_FLAGS.initialized, PIN_FLAGS.needsPadding],
      ...PIN_FORMAT,
      unblockedBy: PUK_REFERENCE,
    },
    {
      ...common,
      label: 'Code de deblocage',
      authId: PUK_REFERENCE,
      reference: PUK_REFERENCE,
      flags: [PIN_FLAGS.local, PIN_FLAGS.initialized, PIN_FLAGS.needsPadding, PIN_FLAGS.unblockingPin],
      ...PUK_FORMAT,
    },
  ];
}

export interface KeyReferences {
  authentication: number;
  signature: number;
}

/** PrKDF + CDF entries (labels, usages, object flags from OpenSC #2267 and Cryptolib tests [C]). */
export function pkcs15Keys(credentials: CpsCredentials | undefined, refs: KeyReferences): Pkcs15Key[] {
  if (!credentials) return [];
  const bits = (k: KeyObject) => modulusBytes(k) * 8;
  return [
    {
      label: 'CPS_PRIV_AUT',
      id: AUTHENTICATION_KEY_ID,
      keyReference: refs.authentication,
      usage: [KEY_USAGE.decrypt, KEY_USAGE.sign],
      objectFlags: [OBJECT_FLAGS.private, OBJECT_FLAGS.modifiable],
      modulusBits: bits(credentials.authentication.privateKey),
      authId: PIN_REFERENCE,
      certificate: {
        label: "Certificat d'Authentification CPS",
        fid: PKCS15_FIDS.authenticationCertificate,
        der: credentials.authentication.certificateDer,
      },
    },
    {
      label: 'CPS_PRIV_SIG',
      id: SIGNATURE_KEY_ID,
      keyReference: refs.signature,
      usage: [KEY_USAGE.nonRepudiation],
      objectFlags: [OBJECT_FLAGS.private],
      modulusBits: bits(credentials.signature.privateKey),
      authId: PIN_REFERENCE,
      certificate: {
        label: 'Certificat de Signature CPS',
        fid: PKCS15_FIDS.signatureCertificate,
        der: credentials.signature.certificateDer,
      },
    },
  ];
}

/** The card's keys for the crypto engine: authentication (AT, CT) and signature (DST). */
export function cardKeys(credentials: CpsCredentials | undefined, refs: KeyReferences, authTemplates: CardKey['templates']): CardKey[] {
  if (!credentials) return [];
  return [
    { reference: refs.authentication, privateKey: credentials.authentication.privateKey, pinReference: PIN_REFERENCE, templates: authTemplates },
    { reference: refs.signature, privateKey: credentials.signature.privateKey, pinReference: PIN_REFERENCE, templates: ['DST'] },
  ];
}

export function pkcs15Application(
  options: CpsPersonalisation,
  spec: { dfPath: Uint8Array; serialNumber: Uint8Array; manufacturer: string; refs: KeyReferences },
): Pkcs15Application {
  return {
    dfPath: spec.dfPath,
    tokenLabel: options.tokenLabel ?? 'CPS',
    manufacturer: spec.manufacturer,
    serialNumber: spec.serialNumber,
    keys: pkcs15Keys(options.credentials, spec.refs),
    pins: pkcs15Pins(),
  };
}
