/**
 * The CPS3's "last round on card" hashing: the host hashes every full 64-byte block itself and
 * sends the intermediate state, the number of bits already hashed and the last (≤ 64-byte)
 * piece; the card pads and finishes (PSO HASH `90 <state ‖ 8-byte bit count> 80 <last>`) [C]
 * (Cryptolib `card-cps3.c` `cps3_compute_hash`, `framework-pkcs15.c`: "bytes already hashed").
 * node:crypto cannot resume from a state, so the two compression functions are written here
 * from FIPS 180-4 (§6.1 SHA-1, §6.2 SHA-256).
 */
import type { HashName } from './cps-rsa';

const K256 = Uint32Array.from(
  '428a2f98 71374491 b5c0fbcf e9b5dba5 3956c25b 59f111f1 923f82a4 ab1c5ed5 d807aa98 12835b01 243185be 550c7dc3 72be5d74 80deb1fe 9bdc06a7 c19bf174 e49b69c1 efbe4786 0fc19dc6 240ca1cc 2de92c6f 4a7484aa 5cb0a9dc 76f988da 983e5152 a831c66d b00327c8 bf597fc7 c6e00bf3 d5a79147 06ca6351 14292967 27b70a85 2e1b2138 4d2c6dfc 53380d13 650a7354 766a0abb 81c2c92e 92722c85 a2bfe8a1 a81a664b c24b8b70 c76c51a3 d192e819 d6990624 f40e3585 106aa070 19a4c116 1e376c08 2748774c 34b0bcb5 391c0cb3 4ed8aa4a 5b9cca4f 682e6ff3 748f82ee 78a5636f 84c87814 8cc70208 90befffa a4506ceb bef9a3f7 c67178f2'
    .split(' ')
    .map((h) => parseInt(h, 16)),
);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));

function words(block: Uint8Array, offset: number, w: Uint32Array): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + 4 * i;
    w[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
}

function sha256Block(h: Uint32Array, block: Uint8Array, offset: number): void {
  const w = new Uint32Array(64);
  words(block, offset, w);
  for (let i = 16; i < 64; i++) {
    const s0 = rotr(w[i - 15]!, 7) ^ rotr(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3);
    const s1 = rotr(w[i - 2]!, 17) ^ rotr(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10);
    w[i] = w[i - 16]! + s0 + w[i - 7]! + s1;
  }
  let [a, b, c, d, e, f, g, hh] = h as unknown as number[];
  for (let i = 0; i < 64; i++) {
    const t1 = hh! + (rotr(e!, 6) ^ rotr(e!, 11) ^ rotr(e!, 25)) + ((e! & f!) ^ (~e! & g!)) + K256[i]! + w[i]!;
    const t2 = (rotr(a!, 2) ^ rotr(a!, 13) ^ rotr(a!, 22)) + ((a! & b!) ^ (a! & c!) ^ (b! & c!));
    [hh, g, f, e, d, c, b, a] = [g, f, e, (d! + t1) | 0, c, b, a, (t1 + t2) | 0];
  }
  [a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = h[i]! + v!));
}

function sha1Block(h: Uint32Array, block: Uint8Array, offset: number): void {
  const w = new Uint32Array(80);
  words(block, offset, w);
  for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
  let [a, b, c, d, e] = h as unknown as number[];
  for (let i = 0; i < 80; i++) {
    const [f, k] =
      i < 20
        ? [(b! & c!) | (~b! & d!), 0x5a827999]
        : i < 40
          ? [b! ^ c! ^ d!, 0x6ed9eba1]
          : i < 60
            ? [(b! & c!) | (b! & d!) | (c! & d!), 0x8f1bbcdc]
            : [b! ^ c! ^ d!, 0xca62c1d6];
    const t = (rotl(a!, 5) + f + e! + k + w[i]!) | 0;
    [e, d, c, b, a] = [d, c, rotl(b!, 30), a, t];
  }
  [a, b, c, d, e].forEach((v, i) => (h[i] = h[i]! + v!));
}

/**
 * Finishes a SHA-1 or SHA-256 from `stateAndCount` (the chaining value, then the number of
 * bits already hashed, 8 bytes big-endian) and the last piece. Undefined when malformed: a
 * state of the wrong size, a count that is not whole 64-byte blocks, or a last piece over 64.
 */
export function finishIntermediateHash(hash: HashName, stateAndCount: Uint8Array, last: Uint8Array): Uint8Array | undefined {
  const stateBytes = hash === 'sha256' ? 32 : hash === 'sha1' ? 20 : 0;
  if (stateBytes === 0 || stateAndCount.length !== stateBytes + 8 || last.length > 64) return undefined;
  const view = new DataView(stateAndCount.buffer, stateAndCount.byteOffset, stateAndCount.byteLength);
  const hashedBits = view.getUint32(stateBytes) * 2 ** 32 + view.getUint32(stateBytes + 4);
  if (hashedBits % 512 !== 0) return undefined;
  const h = new Uint32Array(stateBytes / 4);
  for (let i = 0; i < h.length; i++) h[i] = view.getUint32(4 * i);

  const totalBits = hashedBits + last.length * 8;
  const padded = new Uint8Array(last.length + 9 <= 64 ? 64 : 128);
  padded.set(last);
  padded[last.length] = 0x80;
  const tail = new DataView(padded.buffer);
  tail.setUint32(padded.length - 8, Math.floor(totalBits / 2 ** 32));
  tail.setUint32(padded.length - 4, totalBits >>> 0);
  const compress = hash === 'sha256' ? sha256Block : sha1Block;
  for (let offset = 0; offset < padded.length; offset += 64) compress(h, padded, offset);

  const out = new Uint8Array(stateBytes);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < h.length; i++) outView.setUint32(4 * i, h[i]!);
  return out;
}

const IV: Readonly<Record<'sha1' | 'sha256', readonly number[]>> = {
  sha1: [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0],
  sha256: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
};

/**
 * The host side of the same protocol (for tests and as a reference for readers): hashes the
 * whole 64-byte blocks of `message` and returns `state ‖ bit count` and the last piece (1–64
 * bytes, so the card always has something to finish).
 */
export function splitForCardHash(hash: 'sha1' | 'sha256', message: Uint8Array): { stateAndCount: Uint8Array; last: Uint8Array } {
  const full = message.length === 0 ? 0 : Math.floor((message.length - 1) / 64) * 64;
  const h = Uint32Array.from(IV[hash]);
  const compress = hash === 'sha256' ? sha256Block : sha1Block;
  for (let offset = 0; offset < full; offset += 64) compress(h, message, offset);
  const out = new Uint8Array(h.length * 4 + 8);
  const view = new DataView(out.buffer);
  h.forEach((v, i) => view.setUint32(4 * i, v));
  const bits = full * 8;
  view.setUint32(h.length * 4, Math.floor(bits / 2 ** 32));
  view.setUint32(h.length * 4 + 4, bits >>> 0);
  return { stateAndCount: out, last: message.slice(full) };
}
