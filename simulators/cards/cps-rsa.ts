/**
 * The RSA operations a CPx card performs with its private keys, on node:crypto so the results
 * verify with the certificates: PKCS#1 v1.5 signatures over a DigestInfo, RSA-PSS over a hash
 * (RFC 8017 §9.1, EMSA-PSS with MGF1 of the same hash and salt = hash length [?]), the raw RSA
 * primitive (CPS4 authentication, decipherment), and PKCS#1 v1.5 type-2 unpadding.
 */
import { constants, createHash, privateDecrypt, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { concatBytes } from '../../src-shared/hex';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: Readonly<Record<HashName, string>> = {
  sha1: '3021300906052b0e03021a05000414',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

export function hashByLength(length: number): HashName | undefined {
  return (Object.keys(HASH_LENGTH) as HashName[]).find((h) => HASH_LENGTH[h] === length);
}

export function digestInfo(hash: HashName, digest: Uint8Array): Uint8Array {
  return concatBytes(Buffer.from(DIGEST_INFO_PREFIX[hash], 'hex'), digest);
}

export function modulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new TypeError('card keys must be RSA private keys');
  return Math.ceil(bits / 8);
}

/** PKCS#1 v1.5 type-1 padding of `data` (a DigestInfo), then the private-key operation. */
export function signPkcs1(key: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, data));
}

/** m^d mod n on a full-length block; undefined when the block is not below the modulus. */
export function rawRsa(key: KeyObject, block: Uint8Array): Uint8Array | undefined {
  if (block.length !== modulusBytes(key)) return undefined;
  try {
    return new Uint8Array(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, block));
  } catch {
    return undefined;
  }
}

function mgf1(hash: HashName, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, offset = 0; offset < length; counter++) {
    const c = Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
    const block = createHash(hash).update(seed).update(c).digest();
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
    offset += block.length;
  }
  return out;
}

/** RSASSA-PSS over an already computed hash. */
export function signPss(key: KeyObject, hash: HashName, digest: Uint8Array): Uint8Array {
  const hLen = HASH_LENGTH[hash];
  const emBits = (key.asymmetricKeyDetails?.modulusLength ?? 0) - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(new Uint8Array(8)).update(digest).update(salt).digest();
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - hLen - 1] = 0x01;
  db.set(salt, db.length - hLen);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = concatBytes(db, h, Uint8Array.of(0xbc));
  const block = em.length < modulusBytes(key) ? concatBytes(new Uint8Array(1), em) : em;
  return rawRsa(key, block)!;
}

/** PKCS#1 v1.5 type-2 unpadding (RFC 8017 §7.2.2); undefined when the padding is wrong. */
export function stripType2(block: Uint8Array): Uint8Array | undefined {
  if (block[0] !== 0x00 || block[1] !== 0x02) return undefined;
  const zero = block.indexOf(0x00, 2);
  if (zero < 10) return undefined;
  return block.slice(zero + 1);
}
