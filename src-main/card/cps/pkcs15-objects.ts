/**
 * PKCS#15 / ISO/IEC 7816-15 structures as a CPS stores them, parsed from DER (pure functions;
 * the card I/O is in pkcs15.ts). Sources: PKCS #15 v1.1 §6 (ASN.1 module), ISO 7816-4 §8.2.1.1
 * (EF.DIR application templates), and OpenSC's reading of CPx cards (issue #2267: keys
 * CPS_PRIV_SIG ref 0x81 nonRepudiation, CPS_PRIV_AUT ref 0x82 decrypt+sign).
 */
import { bytesEqual, toHex } from '../../../src-shared/hex';
import { bits, children, find, integer, readAll, text, type Tlv } from './der';
import { cpsError } from './errors';

/** A file on the card: FIDs from the MF (`absolute`) or from the application DF. */
export interface FilePath {
  fids: number[];
  absolute: boolean;
  /** Byte offset and length of the object inside the file (PKCS#15 Path index/length). */
  index?: number;
  length?: number;
}

export interface CardApplication {
  aid: Uint8Array;
  label?: string;
  /** Path of the application DF (tag 51), when EF.DIR gives it. */
  path?: FilePath;
}

export interface ObjectDirectory {
  privateKeys: FilePath[];
  publicKeys: FilePath[];
  certificates: FilePath[];
  trustedCertificates: FilePath[];
  usefulCertificates: FilePath[];
  dataObjects: FilePath[];
  authObjects: FilePath[];
}

export interface TokenInfo {
  version: number;
  serialNumber: string;
  manufacturerId?: string;
  label?: string;
}

export interface CertificateObject {
  label?: string;
  /** iD in hex: links the certificate to its private key. */
  id: string;
  authority: boolean;
  path: FilePath;
}

/** PKCS#15 KeyUsageFlags, bit order of the BIT STRING. */
export const KEY_USAGES = ['encrypt', 'decrypt', 'sign', 'signRecover', 'wrap', 'unwrap', 'verify', 'verifyRecover', 'derive', 'nonRepudiation'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export interface PrivateKeyObject {
  label?: string;
  id: string;
  usage: KeyUsage[];
  keyReference?: number;
  /** The authentication object (PIN) protecting the key. */
  authId?: string;
  modulusLength?: number;
}

/** PKCS#15 PinFlags, bit order of the BIT STRING. */
export const PIN_FLAGS = [
  'case-sensitive', 'local', 'change-disabled', 'unblock-disabled', 'initialized', 'needs-padding',
  'unblockingPin', 'soPin', 'disable-allowed', 'integrity-protected', 'confidentiality-protected', 'exchangeRefData',
] as const;
export type PinFlag = (typeof PIN_FLAGS)[number];
export const PIN_TYPES = ['bcd', 'ascii-numeric', 'utf8', 'half-nibble-bcd', 'iso9564-1'] as const;
export type PinType = (typeof PIN_TYPES)[number];

export interface PinObject {
  label?: string;
  authId: string;
  flags: PinFlag[];
  pinType: PinType;
  minLength: number;
  storedLength: number;
  maxLength?: number;
  pinReference?: number;
  padChar?: number;
}

/** EF.DIR: one application template (61) per application: AID 4F, label 50, path 51. */
export function parseEfDir(content: Uint8Array): CardApplication[] {
  return readAll(content)
    .filter((t) => t.tag === 0x61)
    .map((template) => {
      const items = children(template);
      const aid = find(items, 0x4f);
      if (!aid) throw cpsError('CpsDataMalformed', { details: { file: 'EF.DIR', reason: 'application without AID' } });
      const label = find(items, 0x50);
      const path = find(items, 0x51);
      return {
        aid: aid.value.slice(),
        ...(label ? { label: text(label) } : {}),
        ...(path ? { path: pathFromBytes(path.value) } : {}),
      };
    });
}

/** The application whose AID equals `aid`, or starts with it (ISO 7816-4 partial DF name). */
export function findApplication(apps: readonly CardApplication[], aid: Uint8Array): CardApplication | undefined {
  return apps.find((a) => bytesEqual(a.aid, aid)) ?? apps.find((a) => a.aid.length > aid.length && bytesEqual(a.aid.subarray(0, aid.length), aid));
}

export function pathFromBytes(bytes: Uint8Array, index?: number, length?: number): FilePath {
  if (bytes.length === 0 || bytes.length % 2 !== 0) {
    throw cpsError('CpsDataMalformed', { details: { reason: 'path of odd length', length: bytes.length } });
  }
  const fids: number[] = [];
  for (let i = 0; i < bytes.length; i += 2) fids.push((bytes[i]! << 8) | bytes[i + 1]!);
  return { fids, absolute: fids[0] === 0x3f00, ...(index !== undefined ? { index } : {}), ...(length !== undefined ? { length } : {}) };
}

/** Path ::= SEQUENCE { path OCTET STRING, index INTEGER OPTIONAL, length [0] INTEGER OPTIONAL }. */
export function parsePath(t: Tlv): FilePath {
  const items = children(t);
  const path = find(items, 0x04);
  if (!path) throw cpsError('CpsDataMalformed', { details: { reason: 'Path without path' } });
  const index = find(items, 0x02);
  const length = find(items, 0x80);
  return pathFromBytes(path.value, index ? integer(index) : undefined, length ? integer(length) : undefined);
}

const ODF_TAGS: Readonly<Record<number, keyof ObjectDirectory>> = {
  0xa0: 'privateKeys', 0xa1: 'publicKeys', 0xa2: 'publicKeys', 0xa4: 'certificates',
  0xa5: 'trustedCertificates', 0xa6: 'usefulCertificates', 0xa7: 'dataObjects', 0xa8: 'authObjects',
};

/** EF.ODF: PKCS15Objects choices, each `[n] { Path }` (PKCS #15 §6.1). */
export function parseOdf(content: Uint8Array): ObjectDirectory {
  const odf: ObjectDirectory = {
    privateKeys: [], publicKeys: [], certificates: [], trustedCertificates: [], usefulCertificates: [], dataObjects: [], authObjects: [],
  };
  for (const entry of readAll(content)) {
    const kind = ODF_TAGS[entry.tag];
    const path = find(children(entry), 0x30);
    if (kind && path) odf[kind].push(parsePath(path));
  }
  return odf;
}

/** TokenInfo ::= SEQUENCE { version, serialNumber OCTET STRING, manufacturerID UTF8 OPTIONAL, label [0] OPTIONAL, … }. */
export function parseTokenInfo(content: Uint8Array): TokenInfo {
  const top = readAll(content)[0];
  if (!top || top.tag !== 0x30) throw cpsError('CpsDataMalformed', { details: { file: 'TokenInfo' } });
  const items = children(top);
  const version = find(items, 0x02);
  const serial = find(items, 0x04);
  const manufacturer = find(items, 0x0c);
  const label = find(items, 0x80);
  const serialText = serial ? (/^[\x20-\x7e]+$/.test(new TextDecoder('latin1').decode(serial.value)) ? new TextDecoder('latin1').decode(serial.value) : toHex(serial.value, '')) : '';
  return {
    version: version ? integer(version) : 0,
    serialNumber: serialText,
    ...(manufacturer ? { manufacturerId: text(manufacturer) } : {}),
    ...(label ? { label: new TextDecoder('utf-8').decode(label.value) } : {}),
  };
}

/** CommonObjectAttributes ::= SEQUENCE { label UTF8 OPTIONAL, flags BIT STRING OPTIONAL, authId OCTET STRING OPTIONAL, … }. */
function commonObject(t: Tlv | undefined): { label?: string; authId?: string } {
  if (!t) return {};
  const items = children(t);
  const label = find(items, 0x0c);
  const authId = find(items, 0x04);
  return { ...(label ? { label: text(label) } : {}), ...(authId ? { authId: toHex(authId.value, '') } : {}) };
}

/** The `[1]` type attributes of a PKCS#15 object (implicitly tagged SEQUENCE or wrapping one). */
function typeAttributes(items: readonly Tlv[]): Tlv[] {
  const a1 = find(items, 0xa1);
  if (!a1) return [];
  const inner = children(a1);
  return inner.length === 1 && inner[0]!.tag === 0x30 ? children(inner[0]!) : inner;
}

/** CDF: x509Certificate objects with an indirect value (Path). */
export function parseCertificateDirectory(content: Uint8Array): CertificateObject[] {
  const out: CertificateObject[] = [];
  for (const object of readAll(content)) {
    if (object.tag !== 0x30) continue; // x509Certificate; other certificate types are not CPS ones
    const [common, commonCert] = children(object);
    const certItems = commonCert ? children(commonCert) : [];
    const id = find(certItems, 0x04);
    const authority = find(certItems, 0x01);
    const value = typeAttributes(children(object))[0];
    if (!id || !value || value.tag !== 0x30) continue;
    out.push({
      ...commonObject(common),
      id: toHex(id.value, ''),
      authority: authority !== undefined && authority.value[0] !== 0,
      path: parsePath(value),
    });
  }
  return out;
}

/** PrKDF: privateRSAKey objects — iD, usage, keyReference, protecting PIN, modulus length. */
export function parsePrivateKeyDirectory(content: Uint8Array): PrivateKeyObject[] {
  const out: PrivateKeyObject[] = [];
  for (const object of readAll(content)) {
    if (object.tag !== 0x30) continue; // privateRSAKey
    const items = children(object);
    const [common, commonKey] = items;
    const keyItems = commonKey ? children(commonKey) : [];
    const id = find(keyItems, 0x04);
    if (!id) continue;
    const usage = find(keyItems, 0x03);
    const reference = find(keyItems, 0x02);
    const modulus = find(typeAttributes(items), 0x02);
    const usageBits = usage ? bits(usage) : new Set<number>();
    out.push({
      ...commonObject(common),
      id: toHex(id.value, ''),
      usage: KEY_USAGES.filter((_, i) => usageBits.has(i)),
      ...(reference ? { keyReference: integer(reference) } : {}),
      ...(modulus ? { modulusLength: integer(modulus) } : {}),
    });
  }
  return out;
}

/** AODF: pin objects with their PinAttributes (PKCS #15 §6.8.2). */
export function parseAuthDirectory(content: Uint8Array): PinObject[] {
  const out: PinObject[] = [];
  for (const object of readAll(content)) {
    if (object.tag !== 0x30) continue; // pin (biometric and others are not on a CPS)
    const items = children(object);
    const [common, commonAuth] = items;
    const authId = commonAuth ? find(children(commonAuth), 0x04) : undefined;
    const attrs = typeAttributes(items);
    const flags = find(attrs, 0x03);
    const type = find(attrs, 0x0a);
    const lengths = attrs.filter((t) => t.tag === 0x02).map(integer); // minLength, storedLength, maxLength
    const reference = find(attrs, 0x80);
    const pad = find(attrs, 0x04);
    if (!authId || lengths.length < 2) continue;
    const flagBits = flags ? bits(flags) : new Set<number>();
    out.push({
      ...(commonObject(common).label !== undefined ? { label: commonObject(common).label } : {}),
      authId: toHex(authId.value, ''),
      flags: PIN_FLAGS.filter((_, i) => flagBits.has(i)),
      pinType: PIN_TYPES[type ? integer(type) : 1] ?? 'ascii-numeric',
      minLength: lengths[0]!,
      storedLength: lengths[1]!,
      ...(lengths[2] !== undefined ? { maxLength: lengths[2] } : {}),
      ...(reference ? { pinReference: integer(reference) } : {}),
      ...(pad && pad.value.length === 1 ? { padChar: pad.value[0] } : {}),
    });
  }
  return out;
}

/**
 * The authentication and signature keys, found by meaning, never by file id:
 * authentication = key reference 0x82, else a signing key without nonRepudiation;
 * signature = key reference 0x81, else the nonRepudiation key (domain.md §3).
 */
export function findKey(keys: readonly PrivateKeyObject[], role: 'authentication' | 'signature'): PrivateKeyObject | undefined {
  const reference = role === 'authentication' ? 0x82 : 0x81;
  const byRef = keys.find((k) => k.keyReference === reference);
  if (byRef) return byRef;
  return role === 'signature'
    ? keys.find((k) => k.usage.includes('nonRepudiation'))
    : keys.find((k) => !k.usage.includes('nonRepudiation') && (k.usage.includes('sign') || k.usage.includes('decrypt')));
}

/** The certificate of a key: same iD (PKCS #15 §6.7: "the iD of the corresponding private key"). */
export function findCertificateOf(certificates: readonly CertificateObject[], key: PrivateKeyObject): CertificateObject | undefined {
  return certificates.find((c) => c.id === key.id && !c.authority);
}
