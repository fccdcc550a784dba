/**
 * Card signatures: authentication (proves the card holds the key of its authentication
 * certificate) and non-repudiation signature, and their verification with the certificate.
 *
 * CPS3 (Cryptolib card-cps3.c, domain.md §3):
 *   authenticate: MSE SET AT `00 22 41 A4 84 01 82`, INTERNAL AUTHENTICATE
 *                 `00 88 00 00 <DigestInfo(SHA-256(challenge))>` → PKCS#1 v1.5 signature;
 *   sign:         MSE SET DST `00 22 41 B6 84 01 81`, PSO HASH `00 2A 90 A0 90 20 <hash>`,
 *                 PSO CDS `00 2A 9E 9A 00` → PKCS#1 v1.5 signature of SHA-256(data).
 * CPS4 (Cryptolib card-cps4.c: no INTERNAL AUTHENTICATE, raw RSA, PSS signatures):
 *   authenticate: MSE SET CT `00 22 41 B8 83 01 <key>`, PSO DECIPHER `00 2A 80 86 <block>`
 *                 on a caller-formatted EMSA-PKCS1-v1_5 block (chained: 256 bytes > Lc 255)
 *                 → the same PKCS#1 v1.5 signature as a CPS3 gives;
 *   sign:         MSE SET DST `00 22 81 B6 91 02 <algo> <key|80>`, PSO CDS with the hash
 *                 `00 2A 9E 9A 20 <hash> 00` → RSA-PSS (SHA-256, MGF1-SHA-256, salt 32).
 */
import { constants, createHash, verify as verifySignature } from 'node:crypto';
import { formatStatusWord, type CommandApdu, type ResponseApdu } from '../apdu';
import type { CardChannel } from '../channel';
import { certificatePublicKey } from './certificate';
import {
  CPS_KEY_REFERENCES,
  internalAuthenticateCommand,
  mseSetCommand,
  pkcs1v15Block,
  psoCdsCommand,
  psoHashCommand,
  sha256DigestInfo,
  type CpsGeneration,
} from './cps-commands';
import { cpsError } from './errors';
import type { PrivateKeyObject } from './pkcs15-objects';

export type SignatureAlgorithm = 'RSASSA-PKCS1-v1_5-SHA256' | 'RSASSA-PSS-SHA256';

export interface CardSignature {
  signature: Uint8Array;
  algorithm: SignatureAlgorithm;
  /** The certificate whose key made the signature. */
  certificateDer: Uint8Array;
}

/** CPS4 MSE DST algorithm reference: RSA-PSS over a SHA-256 hash (Cryptolib card-cps4.c: 0A/28 PKCS#1 SHA-1/SHA-256, 15/2C PSS). */
export const CPS4_PSS_SHA256 = 0x2c;

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

export async function authenticateWithCard(
  channel: CardChannel,
  generation: CpsGeneration,
  key: PrivateKeyObject,
  certificateDer: Uint8Array,
  challenge: Uint8Array,
): Promise<CardSignature> {
  const reference = key.keyReference ?? CPS_KEY_REFERENCES.authentication;
  const digestInfo = sha256DigestInfo(sha256(challenge));
  let signature: Uint8Array;
  if (generation === 'cps3') {
    await expectOk(channel, mseSetCommand(0xa4, reference, undefined, channel.cla), 'MSE SET AT');
    signature = await expectData(channel, internalAuthenticateCommand(digestInfo, channel.cla), 'INTERNAL AUTHENTICATE');
  } else {
    await expectOk(channel, { cla: channel.cla, ins: 0x22, p1: 0x41, p2: 0xb8, data: Uint8Array.of(0x83, 0x01, reference) }, 'MSE SET CT');
    const block = pkcs1v15Block(digestInfo, (key.modulusLength ?? 2048) / 8);
    signature = await chained(channel, { cla: channel.cla, ins: 0x2a, p1: 0x80, p2: 0x86, data: block, le: 256 }, 'PSO DECIPHER');
  }
  return { signature, algorithm: 'RSASSA-PKCS1-v1_5-SHA256', certificateDer };
}

export async function signWithCard(
  channel: CardChannel,
  generation: CpsGeneration,
  key: PrivateKeyObject,
  certificateDer: Uint8Array,
  data: Uint8Array,
): Promise<CardSignature> {
  const reference = key.keyReference ?? CPS_KEY_REFERENCES.signature;
  const hash = sha256(data);
  if (generation === 'cps3') {
    await expectOk(channel, mseSetCommand(0xb6, reference, undefined, channel.cla), 'MSE SET DST');
    await expectOk(channel, psoHashCommand(hash, channel.cla), 'PSO HASH');
    const signature = await expectData(channel, psoCdsCommand(channel.cla), 'PSO CDS');
    return { signature, algorithm: 'RSASSA-PKCS1-v1_5-SHA256', certificateDer };
  }
  await expectOk(channel, { cla: channel.cla, ins: 0x22, p1: 0x81, p2: 0xb6, data: Uint8Array.of(0x91, 0x02, CPS4_PSS_SHA256, reference | 0x80) }, 'MSE SET DST');
  const signature = await expectData(channel, { ...psoCdsCommand(channel.cla), data: hash }, 'PSO CDS');
  return { signature, algorithm: 'RSASSA-PSS-SHA256', certificateDer };
}

/** Verifies a card signature over `message` with the public key of its certificate. */
export function verifyCardSignature(message: Uint8Array, result: CardSignature): boolean {
  const key = certificatePublicKey(result.certificateDer);
  const padding =
    result.algorithm === 'RSASSA-PSS-SHA256'
      ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : { padding: constants.RSA_PKCS1_PADDING };
  return verifySignature('sha256', message, { key, ...padding }, result.signature);
}

/** `authenticate(challenge)` gave a signature the authentication certificate vouches for. */
export function verifyAuthentication(challenge: Uint8Array, result: CardSignature): boolean {
  return verifyCardSignature(challenge, result);
}

async function expectOk(channel: CardChannel, command: CommandApdu, what: string): Promise<ResponseApdu> {
  const r = await channel.transmit(command);
  if (r.sw !== 0x9000) throw refusal(r, what);
  return r;
}

async function expectData(channel: CardChannel, command: CommandApdu, what: string): Promise<Uint8Array> {
  const r = await expectOk(channel, command, what);
  if (r.data.length === 0) throw cpsError('CryptoOperationFailed', { params: { sw: '9000' }, details: { command: what, reason: 'no data' } });
  return r.data;
}

/** ISO 7816-4 §5.1.1.1 command chaining (CLA b5) for data longer than a short Lc. */
async function chained(channel: CardChannel, command: CommandApdu, what: string): Promise<Uint8Array> {
  const data = command.data ?? new Uint8Array(0);
  const part = 0xff;
  for (let at = 0; at + part < data.length; at += part) {
    const { le: _le, ...head } = command;
    await expectOk(channel, { ...head, cla: command.cla | 0x10, data: data.subarray(at, at + part) }, what);
  }
  const last = data.subarray(Math.floor((data.length - 1) / part) * part);
  return expectData(channel, { ...command, data: last }, what);
}

function refusal(r: ResponseApdu, what: string) {
  const sw = formatStatusWord(r.sw);
  // 6982: the key needs the PIN (OpenSC #2267: pso_cds:01, int_auth:01).
  if (r.sw === 0x6982) return cpsError('SecurityStatusNotSatisfied', { details: { command: what, sw } });
  return cpsError('CryptoOperationFailed', { params: { sw }, details: { command: what, sw } });
}
