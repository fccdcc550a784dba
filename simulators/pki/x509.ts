/**
 * The one door to `@peculiar/x509` for the sandbox PKI.
 *
 * Why a door: @peculiar/x509 2.x resolves its algorithm providers through tsyringe, which
 * throws at import time unless a Reflect metadata polyfill is already installed (the
 * package README, "Reflect Polyfill Required"). ES modules evaluate their imports in order,
 * so importing `reflect-metadata` on the line above guarantees the polyfill runs first,
 * whoever imports this file first. The crypto provider is Node's WebCrypto (Node ≥ 20).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

// Node's webcrypto is a WebCrypto `Crypto`; the cast only bridges the DOM-less lib of tsconfig.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

/** Attribute types of the names we write, by OID: @peculiar/x509 knows `title` only as `T`,
 *  `givenName` only as `G`, and not `pseudonym` at all, so the OIDs are the unambiguous keys
 *  (X.520 / RFC 4519). */
export const NAME_OID = {
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  pseudonym: '2.5.4.65',
} as const;

/** RSA-2048 keys, signatures with SHA-256 and PKCS#1 v1.5, as the IGC-Santé CAs sign. */
export const RSA_SHA256: webcrypto.RsaHashedImportParams & webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
};
