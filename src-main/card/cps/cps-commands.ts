/**
 * The command APDUs of a CPS, by generation, as pure builders and parsers (no I/O).
 * Sources: domain.md §3; research/cards-readers-ecps.md §2 (ANS Cryptolib card-cps3.c,
 * card-cps4.c; OpenSC card-iasecc.c); ISO 7816-4 §11.5 (VERIFY 20, CHANGE REFERENCE DATA 24,
 * RESET RETRY COUNTER 2C), §11.5.11 (MSE 22), ISO 7816-8 (PSO 2A), IAS-ECC GET DATA (CB).
 */
import type { CommandApdu, ResponseApdu } from '../apdu';
import { concatBytes } from '../../../src-shared/hex';
import { findDeep, integer, readAll } from './der';
import { cpsError } from './errors';
import type { PinStatus } from './pin-safety';

export type CpsGeneration = 'cps3' | 'cps4';

/** Profile values when the AODF does not say (domain.md §3): PIN ref 1, 3 tries; PUK ref 2, 10 tries. */
export const CPS_PIN_REFERENCES = { pin: 0x01, puk: 0x02 } as const;
export const CPS_MAX_TRIES = { pin: 3, puk: 10 } as const;
/** Key references (domain.md §3): CPS_PRIV_AUT 0x82, CPS_PRIV_SIG 0x81. */
export const CPS_KEY_REFERENCES = { authentication: 0x82, signature: 0x81 } as const;

/**
 * CPS3 try counters without presenting a code (Cryptolib card-cps3.c `cps3_get_pin_counter`):
 * with 3F00 selected, GET DATA `00 CB 3F FF 0A 4D 08 70 06 BF 81 <ref> 02 A0 80 00`.
 * The IAS-ECC SDO class-local reference is the low bits (the local/global bit b8 is dropped,
 * as OpenSC esteid does).
 */
export function cps3CounterQuery(reference: number, cla = 0x00): CommandApdu {
  const ref = reference & 0x7f;
  return {
    cla,
    ins: 0xcb,
    p1: 0x3f,
    p2: 0xff,
    data: Uint8Array.of(0x4d, 0x08, 0x70, 0x06, 0xbf, 0x81, ref, 0x02, 0xa0, 0x80),
    le: 256,
  };
}

/**
 * The answer: `70 { BF 81 <ref> { A0 { 9A max, 9B left, 9D uses left… } } }` (Cryptolib
 * `_cps_get_pin_info`: 9A max, 9B left, 9D usage left — usage 0 counts as blocked).
 */
export function parseCps3Counter(r: ResponseApdu, fallbackMax: number): PinStatus {
  if (r.sw !== 0x9000) {
    throw cpsError('PinCommandRefused', { params: { sw: swText(r.sw) }, details: { operation: 'counter', sw: swText(r.sw) } });
  }
  const all = readAll(r.data);
  const left = findDeep(all, 0x9b);
  if (!left) throw cpsError('CpsDataMalformed', { details: { reason: 'try counter (9B) missing' } });
  const max = findDeep(all, 0x9a);
  const uses = findDeep(all, 0x9d);
  const triesLeft = integer(left);
  const usesLeft = uses ? integer(uses) : undefined;
  return {
    triesLeft,
    maxTries: max ? integer(max) : fallbackMax,
    blocked: triesLeft === 0 || usesLeft === 0,
    ...(usesLeft !== undefined ? { usesLeft } : {}),
  };
}

/** CPS4 (Cryptolib card-cps4.c): VERIFY with no data field: `63 Cx` x tries left, `69 83` blocked. */
export function cps4CounterQuery(reference: number, cla = 0x00): CommandApdu {
  return { cla, ins: 0x20, p1: 0x00, p2: reference };
}

export function parseCps4Counter(r: ResponseApdu, maxTries: number): PinStatus {
  if (r.sw1 === 0x63 && (r.sw2 & 0xf0) === 0xc0) {
    const triesLeft = r.sw2 & 0x0f;
    return { triesLeft, maxTries: Math.max(maxTries, triesLeft), blocked: triesLeft === 0 };
  }
  if (r.sw === 0x6983) return { triesLeft: 0, maxTries, blocked: true };
  // 9000: the code is already verified in this session, so its counter is full (ISO 7816-4 §11.5.6).
  if (r.sw === 0x9000) return { triesLeft: maxTries, maxTries, blocked: false };
  throw cpsError('PinCommandRefused', { params: { sw: swText(r.sw) }, details: { operation: 'counter', sw: swText(r.sw) } });
}

/** VERIFY `CLA 20 00 <ref> Lc <PIN block>` (ISO 7816-4 §11.5.6). */
export function verifyCommand(reference: number, block: Uint8Array, cla = 0x00): CommandApdu {
  return { cla, ins: 0x20, p1: 0x00, p2: reference, data: block, sensitive: true };
}

/** CHANGE REFERENCE DATA `CLA 24 00 <ref> Lc <old ‖ new>` (ISO 7816-4 §11.5.7, P1 00: both codes). */
export function changeCommand(reference: number, oldBlock: Uint8Array, newBlock: Uint8Array, cla = 0x00): CommandApdu {
  return { cla, ins: 0x24, p1: 0x00, p2: reference, data: concatBytes(oldBlock, newBlock), sensitive: true };
}

/**
 * RESET RETRY COUNTER `CLA 2C 00 <PIN ref> Lc <PUK ‖ new PIN>` (ISO 7816-4 §11.5.10, P1 00:
 * resetting code then new reference data). The card checks the PUK (its counter moves).
 */
export function unblockCommand(pinReference: number, pukBlock: Uint8Array, newPinBlock: Uint8Array, cla = 0x00): CommandApdu {
  return { cla, ins: 0x2c, p1: 0x00, p2: pinReference, data: concatBytes(pukBlock, newPinBlock), sensitive: true };
}

/**
 * MANAGE SECURITY ENVIRONMENT SET (ISO 7816-4 §11.5.11): P2 A4 = authentication template
 * (AT), B6 = digital signature template (DST), B8 = confidentiality (CPS4 raw RSA);
 * CRT `84 01 <key reference>` (research §2: `84 01 <key>` `80 01 <algo>`).
 */
export function mseSetCommand(template: 0xa4 | 0xb6 | 0xb8, keyReference: number, algorithm?: number, cla = 0x00): CommandApdu {
  const crt = [0x84, 0x01, keyReference];
  if (algorithm !== undefined) crt.push(0x80, 0x01, algorithm);
  return { cla, ins: 0x22, p1: 0x41, p2: template, data: Uint8Array.from(crt) };
}

/** INTERNAL AUTHENTICATE `00 88 00 00 <DigestInfo> 00` (CPS3; Cryptolib `cps3_sign`). */
export function internalAuthenticateCommand(digestInfo: Uint8Array, cla = 0x00): CommandApdu {
  return { cla, ins: 0x88, p1: 0x00, p2: 0x00, data: digestInfo, le: 256 };
}

/** PSO HASH `00 2A 90 A0 <90 len hash>`: the whole hash computed off card (Cryptolib ≥ 5.0.3x). */
export function psoHashCommand(hash: Uint8Array, cla = 0x00): CommandApdu {
  return { cla, ins: 0x2a, p1: 0x90, p2: 0xa0, data: concatBytes(Uint8Array.of(0x90, hash.length), hash) };
}

/** PSO COMPUTE DIGITAL SIGNATURE `00 2A 9E 9A 00` (case 2 after PSO HASH; Cryptolib `cps3_sign`). */
export function psoCdsCommand(cla = 0x00): CommandApdu {
  return { cla, ins: 0x2a, p1: 0x9e, p2: 0x9a, le: 256 };
}

/** PSO DECIPHER `00 2A 80 86 <81 ‖ block>` — CPS4 raw RSA on a caller-formatted block. */
export function psoDecipherCommand(block: Uint8Array, cla = 0x00): CommandApdu {
  return { cla, ins: 0x2a, p1: 0x80, p2: 0x86, data: concatBytes(Uint8Array.of(0x81), block), le: 256 };
}

/** DigestInfo of a SHA-256 hash (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO_PREFIX = Uint8Array.of(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20);

export function sha256DigestInfo(hash: Uint8Array): Uint8Array {
  return concatBytes(SHA256_DIGEST_INFO_PREFIX, hash);
}

/** EMSA-PKCS1-v1_5 block `00 01 FF… 00 ‖ DigestInfo` (RFC 8017 §9.2), for raw-RSA cards. */
export function pkcs1v15Block(digestInfo: Uint8Array, modulusBytes: number): Uint8Array {
  const block = new Uint8Array(modulusBytes).fill(0xff);
  block[0] = 0x00;
  block[1] = 0x01;
  block[modulusBytes - digestInfo.length - 1] = 0x00;
  block.set(digestInfo, modulusBytes - digestInfo.length);
  return block;
}

function swText(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
