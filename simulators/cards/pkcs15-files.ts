/**
 * The PKCS#15 directory of a CPx application (ISO/IEC 7816-15, RSA PKCS#15 v1.1): EF.ODF →
 * EF.TokenInfo, CDF, PrKDF, AODF, and the certificate EFs they point to. Everything a reader
 * needs is found from the ODF; no reader should know the FIDs below.
 *
 * Sources: [C] structure and tags from PKCS#15 v1.1 §6 (ASN.1 module) as parsed by OpenSC
 * `pkcs15.c`, `pkcs15-cert.c`, `pkcs15-prkey.c`, `pkcs15-pin.c` (Cryptolib copy, commit
 * 969fc6d); key labels, IDs, references, usages and access flags from the `pkcs15-tool` dump of
 * a test CPx in OpenSC issue #2267; certificate labels from the Cryptolib PKCS#11 tests
 * (`testTools.cpp`, `testCpsData.cpp`). [?] The FIDs and the TokenInfo contents are not public.
 */
import { concatBytes } from '../../src-shared/hex';
import { ef, type ElementaryFile } from './file-system';
import {
  contextConstructed,
  contextPrimitive,
  enumerated,
  integer,
  integerBytes,
  namedBits,
  nullValue,
  objectIdentifier,
  octets,
  sequence,
  utf8,
} from './pkcs15-der';

/**
 * [?] File identifiers inside the application DF. 5031/5032 are the PKCS#15 defaults for
 * the ODF and TokenInfo (PKCS#15 v1.1 §5.4); the others are our choice (OpenSC's pkcs15-init
 * profiles use 44xx for directory files).
 */
export const PKCS15_FIDS = {
  odf: 0x5031,
  tokenInfo: 0x5032,
  aodf: 0x4401,
  prkdf: 0x4402,
  cdf: 0x4404,
  authenticationCertificate: 0xc000,
  signatureCertificate: 0xc001,
} as const;

/** PKCS#15 KeyUsageFlags bits. */
export const KEY_USAGE = { encrypt: 0, decrypt: 1, sign: 2, signRecover: 3, verify: 6, nonRepudiation: 9 } as const;
/** CommonObjectFlags bits. */
export const OBJECT_FLAGS = { private: 0, modifiable: 1 } as const;
/** PinFlags bits. */
export const PIN_FLAGS = {
  caseSensitive: 0,
  local: 1,
  changeDisabled: 2,
  unblockDisabled: 3,
  initialized: 4,
  needsPadding: 5,
  unblockingPin: 6,
  soPin: 7,
} as const;
/** KeyAccessFlags bits: sensitive, alwaysSensitive, neverExtractable (0x0D in OpenSC's dump). */
const KEY_ACCESS_FLAGS = [0, 2, 3];

export interface Pkcs15Key {
  label: string;
  /** iD shared by the private key and its certificate. */
  id: Uint8Array;
  /** keyReference used in MSE SET (CRT tag 84/83). */
  keyReference: number;
  usage: number[];
  objectFlags: number[];
  modulusBits: number;
  /** authId of the PIN that protects the key. */
  authId: number;
  certificate: { label: string; fid: number; der: Uint8Array };
}

export interface Pkcs15Pin {
  label: string;
  authId: number;
  reference: number;
  flags: number[];
  /** pinType ENUMERATED: 1 = ascii-numeric. */
  type: 'ascii-numeric';
  minLength: number;
  maxLength: number;
  storedLength: number;
  padChar: number;
  /** authId of the PUK that unblocks this PIN (PKCS#15: the PIN object's own authId). */
  unblockedBy?: number;
}

/**
 * TokenInfo AlgorithmInfo: what the card can do, with its own algorithm reference (algRef, the
 * byte MSE SET carries). `mechanism` is the PKCS#11 mechanism number, `operations` the
 * supportedOperations bits (1 compute-signature, 5 decipher, 6 hash).
 */
export interface Pkcs15Algorithm {
  reference: number;
  mechanism: number;
  operations: number[];
  oid: string;
  algRef: number;
}

/** TokenFlags bits (PKCS#15 v1.1 §6.10). */
export const TOKEN_FLAGS = { readOnly: 0, loginRequired: 1, prnGeneration: 2 } as const;

export interface Pkcs15Application {
  /** Absolute path of the application DF, e.g. 3F00 0001. */
  dfPath: Uint8Array;
  tokenLabel: string;
  /** Default: login required, PRN generation. */
  tokenFlags?: number[];
  /** TokenInfo supportedAlgorithms; none when absent. */
  algorithms?: Pkcs15Algorithm[];
  /**
   * The private keys' `value` Path: the application DF (default), or empty (`30 02 04 00`): the key
   * is wherever the application is, which is how a real CPx's keys read (see cps3.ts).
   */
  keyPath?: 'application' | 'empty';
  manufacturer: string;
  serialNumber: Uint8Array;
  keys: Pkcs15Key[];
  pins: Pkcs15Pin[];
}

const byte = (n: number) => Uint8Array.of(n);

/** Path ::= SEQUENCE { path OCTET STRING, index INTEGER OPTIONAL, length [0] INTEGER OPTIONAL }. */
function path(app: Pkcs15Application, fid: number, length?: number): Uint8Array {
  const full = concatBytes(app.dfPath, Uint8Array.of(fid >> 8, fid & 0xff));
  if (length === undefined) return sequence(octets(full));
  return sequence(octets(full), integer(0), contextPrimitive(0, integerBytes(length)));
}

/** CommonObjectAttributes ::= SEQUENCE { label UTF8String, flags BIT STRING, authId OCTET STRING OPTIONAL }. */
function commonObject(label: string, flags: number[], authId?: number): Uint8Array {
  return sequence(utf8(label), namedBits(flags), ...(authId === undefined ? [] : [octets(byte(authId))]));
}

/** EF.ODF: one PKCS15Objects choice per directory file, each `[n] { Path }`. */
export function encodeOdf(app: Pkcs15Application): Uint8Array {
  return concatBytes(
    contextConstructed(0, path(app, PKCS15_FIDS.prkdf)), // privateKeys
    contextConstructed(4, path(app, PKCS15_FIDS.cdf)), // certificates
    contextConstructed(8, path(app, PKCS15_FIDS.aodf)), // authObjects
  );
}

/**
 * TokenInfo ::= SEQUENCE { version, serialNumber, manufacturerID, label [0], tokenflags,
 * supportedAlgorithms [2] SEQUENCE OF AlgorithmInfo OPTIONAL }; AlgorithmInfo ::= SEQUENCE {
 * reference, algorithm, parameters (NULL for RSA), supportedOperations, objId, algRef }
 * (PKCS#15 v1.1 §6.10, as OpenSC `pkcs15.c` `c_asn1_algorithm_info` reads it).
 */
export function encodeTokenInfo(app: Pkcs15Application): Uint8Array {
  const algorithms = app.algorithms?.length
    ? [
        contextConstructed(
          2,
          ...app.algorithms.map((a) =>
            sequence(integer(a.reference), integer(a.mechanism), nullValue(), namedBits(a.operations), objectIdentifier(a.oid), integer(a.algRef)),
          ),
        ),
      ]
    : [];
  return sequence(
    integer(0), // v1
    octets(app.serialNumber),
    utf8(app.manufacturer),
    contextPrimitive(0, new TextEncoder().encode(app.tokenLabel)),
    namedBits(app.tokenFlags ?? [TOKEN_FLAGS.loginRequired, TOKEN_FLAGS.prnGeneration]),
    ...algorithms,
  );
}

/** CDF: x509Certificate objects, value = Path (with index 0 and the exact DER length). */
export function encodeCdf(app: Pkcs15Application): Uint8Array {
  return concatBytes(
    ...app.keys.map((k) =>
      sequence(
        commonObject(k.certificate.label, []),
        sequence(octets(k.id)), // CommonCertificateAttributes { iD }
        contextConstructed(1, sequence(path(app, k.certificate.fid, k.certificate.der.length))),
      ),
    ),
  );
}

/**
 * PrKDF: privateRSAKey objects. CommonKeyAttributes { iD, usage, native (default TRUE,
 * omitted), accessFlags, keyReference }; PrivateRSAKeyAttributes { value = Path of the key's
 * DF (or an empty Path, `keyPath`), modulusLength }.
 */
export function encodePrkdf(app: Pkcs15Application): Uint8Array {
  const keyPath = sequence(octets(app.keyPath === 'empty' ? new Uint8Array(0) : app.dfPath));
  return concatBytes(
    ...app.keys.map((k) =>
      sequence(
        commonObject(k.label, k.objectFlags, k.authId),
        sequence(octets(k.id), namedBits(k.usage), namedBits(KEY_ACCESS_FLAGS), integer(k.keyReference)),
        contextConstructed(1, sequence(keyPath, integer(k.modulusBits))),
      ),
    ),
  );
}

/**
 * AODF: pin objects. PinAttributes { pinFlags, pinType, minLength, storedLength, maxLength,
 * pinReference [0], padChar }. The PIN's CommonObjectAttributes.authId names its PUK.
 */
export function encodeAodf(app: Pkcs15Application): Uint8Array {
  return concatBytes(
    ...app.pins.map((p) =>
      sequence(
        commonObject(p.label, [OBJECT_FLAGS.modifiable], p.unblockedBy),
        sequence(octets(byte(p.authId))), // CommonAuthenticationObjectAttributes { authId }
        contextConstructed(
          1,
          sequence(
            namedBits(p.flags),
            enumerated(1), // ascii-numeric
            integer(p.minLength),
            integer(p.storedLength),
            integer(p.maxLength),
            contextPrimitive(0, integerBytes(p.reference)),
            octets(byte(p.padChar)),
          ),
        ),
      ),
    ),
  );
}

/** The EFs to put in the application DF: directory files and certificates, all free to read. */
export function pkcs15Files(app: Pkcs15Application): ElementaryFile[] {
  return [
    ef(PKCS15_FIDS.odf, encodeOdf(app)),
    ef(PKCS15_FIDS.tokenInfo, encodeTokenInfo(app)),
    ef(PKCS15_FIDS.aodf, encodeAodf(app)),
    ef(PKCS15_FIDS.prkdf, encodePrkdf(app)),
    ef(PKCS15_FIDS.cdf, encodeCdf(app)),
    ...app.keys.map((k) => ef(k.certificate.fid, k.certificate.der.slice())),
  ];
}
