/**
 * Test-side tools for the virtual CPS cards: throwaway credentials, a T=0 exchange that
 * follows 61xx with GET RESPONSE, a chunked file reader, and a small DER walker. Written
 * independently of the card's encoders, so the tests check the bytes, not our own code.
 */
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import { encodePinBlock, PIN_FORMAT, PUK_FORMAT } from '../../../simulators/cards/cps-security';
import type { CpsCredentials } from '../../../simulators/cards/cps-personalisation';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import { concatBytes, toHex } from '../../../src-shared/hex';
import { hex } from './helpers';

export function throwawayCredentials(): CpsCredentials {
  const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  // The card only stores certificates: any bytes do, longer than one 256-byte response here.
  const dummyDer = (seed: number) => Uint8Array.from({ length: 700 }, (_, i) => (i * 7 + seed) & 0xff);
  return {
    authentication: { privateKey: pair().privateKey, certificateDer: dummyDer(1) },
    signature: { privateKey: pair().privateKey, certificateDer: dummyDer(2) },
  };
}

export interface Answer {
  data: Uint8Array;
  sw: number;
}

/** Sends one APDU and, as a T=0 host does, collects `61 xx` data with GET RESPONSE. */
export async function exchange(card: VirtualCard, apdu: string | Uint8Array, cla = 0x00): Promise<Answer> {
  let reply = await card.transmit(typeof apdu === 'string' ? hex(apdu) : apdu);
  const parts: Uint8Array[] = [];
  for (;;) {
    if (!(reply instanceof Uint8Array)) throw new Error(`card fault: ${reply.fault}`);
    const sw = (reply[reply.length - 2]! << 8) | reply[reply.length - 1]!;
    parts.push(reply.subarray(0, reply.length - 2));
    if (sw >> 8 !== 0x61) return { data: concatBytes(...parts), sw };
    reply = await card.transmit(Uint8Array.of(cla, 0xc0, 0x00, 0x00, sw & 0xff));
  }
}

export const swHex = (a: Answer): string => a.sw.toString(16).toUpperCase().padStart(4, '0');

/** Builds a short APDU: header hex + data + optional Le. */
export function apdu(header: string, data: Uint8Array = new Uint8Array(0), le?: number): Uint8Array {
  const head = hex(header);
  const lc = data.length > 0 ? Uint8Array.of(data.length) : new Uint8Array(0);
  return concatBytes(head, lc, data, le === undefined ? new Uint8Array(0) : Uint8Array.of(le));
}

/** Reads the current EF to its end in 231-byte READ BINARYs (Cryptolib's max_recv_size 0xE7). */
export async function readCurrentEf(card: VirtualCard, cla = 0x00): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let offset = 0; ; ) {
    const a = await exchange(card, Uint8Array.of(cla, 0xb0, offset >> 8, offset & 0xff, 0xe7), cla);
    if (a.sw === 0x6b00) break;
    expect([0x9000, 0x6282]).toContain(a.sw);
    parts.push(a.data);
    offset += a.data.length;
    if (a.sw === 0x6282 || a.data.length < 0xe7) break;
  }
  return concatBytes(...parts);
}

/** SELECT by absolute path (P1 = 08, P2 = 0C) then reads the whole EF. */
export async function readPath(card: VirtualCard, path: Uint8Array, cla = 0x00): Promise<Uint8Array> {
  const select = await exchange(card, concatBytes(Uint8Array.of(cla, 0xa4, 0x08, 0x0c, path.length), path), cla);
  expect(swHex(select)).toBe('9000');
  return readCurrentEf(card, cla);
}

export interface Der {
  tag: number;
  value: Uint8Array;
  children: Der[];
}

/** Parses a run of DER elements (single-byte tags and 81/82 lengths are all PKCS#15 uses). */
export function parseDer(bytes: Uint8Array): Der[] {
  const out: Der[] = [];
  for (let i = 0; i < bytes.length; ) {
    const tag = bytes[i++]!;
    let length = bytes[i++]!;
    if (length & 0x80) {
      const n = length & 0x7f;
      length = 0;
      for (let k = 0; k < n; k++) length = length * 256 + bytes[i++]!;
    }
    if (i + length > bytes.length) throw new Error(`DER element ${tag.toString(16)} overruns its container`);
    const value = bytes.subarray(i, i + length);
    out.push({ tag, value, children: tag & 0x20 ? parseDer(value) : [] });
    i += length;
  }
  return out;
}

export const derInt = (d: Der): number => d.value.reduce((n, b) => n * 256 + b, 0);
export const derText = (d: Der): string => new TextDecoder().decode(d.value);
/** The bit numbers set in a BIT STRING. */
export function derBits(d: Der): number[] {
  const bits: number[] = [];
  d.value.subarray(1).forEach((byte, i) => {
    for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) bits.push(i * 8 + b);
  });
  return bits;
}

export const pinBlock = (pin: string) => encodePinBlock(pin, PIN_FORMAT);
export const pukBlock = (puk: string) => encodePinBlock(puk, PUK_FORMAT);
export const hexOf = (bytes: Uint8Array) => toHex(bytes, '');

/** VERIFY PIN (ref 1) with a well-formed block; returns the status word as hex. */
export async function verifyPin(card: VirtualCard, pin: string, cla = 0x00): Promise<string> {
  return swHex(await exchange(card, concatBytes(Uint8Array.of(cla, 0x20, 0x00, 0x01, 0x08), pinBlock(pin)), cla));
}
