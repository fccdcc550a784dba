import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { offeredProtocols } from '../../../simulators/cards/atr-protocols';
import { digestInfo } from '../../../simulators/cards/cps-rsa';
import type { CpsCredentials } from '../../../simulators/cards/cps-personalisation';
import { CHIPDOC_AID, CPS2TER_AID, CPS4_ATRS, createCps4 } from '../../../simulators/cards/cps4';
import { CPX_AID } from '../../../simulators/cards/cps3';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import { concatBytes, toHex } from '../../../src-shared/hex';
import { apdu, derInt, exchange, parseDer, pinBlock, pukBlock, readCurrentEf, swHex, throwawayCredentials } from './cps-support';

let credentials: CpsCredentials;
beforeAll(() => {
  credentials = throwawayCredentials();
});

const send = async (card: VirtualCard, bytes: Uint8Array | string, cla = 0x01) => swHex(await exchange(card, bytes, cla));
const selectAid = (card: VirtualCard, aid: Uint8Array, cla: number) =>
  send(card, concatBytes(Uint8Array.of(cla, 0xa4, 0x04, 0x0c, aid.length), aid), cla);

/** A CPS4 with ChipDoc selected on logical channel 1, as the Cryptolib opens it. */
async function openCard(options: Parameters<typeof createCps4>[0] = {}) {
  const card = createCps4({ credentials, ...options });
  expect(await selectAid(card, CHIPDOC_AID, 0x01)).toBe('9000');
  return card;
}

const verifyPin = (card: VirtualCard, pin: string) => send(card, apdu('01 20 00 01', pinBlock(pin)));

/** PKCS#1 v1.5 type-1 block of a DigestInfo, as the Cryptolib formats it for CPS4 authentication. */
function type1Block(info: Uint8Array, size = 256): Uint8Array {
  const block = new Uint8Array(size).fill(0xff);
  block[0] = 0x00;
  block[1] = 0x01;
  block[size - info.length - 1] = 0x00;
  block.set(info, size - info.length);
  return block;
}

describe('CPS4', () => {
  it('has the CPS4 ATRs: T=0 and T=1 offered, or T=0 only', () => {
    expect(toHex(createCps4().atr())).toBe('3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44');
    expect(offeredProtocols(CPS4_ATRS.default)).toEqual(['T0', 'T1']);
    expect(offeredProtocols(CPS4_ATRS['t0-only'])).toEqual(['T0']);
  });

  it('answers PIN and crypto commands only where ChipDoc is selected (69 85 elsewhere)', async () => {
    const card = createCps4({ credentials });
    expect(await send(card, '00 20 00 01', 0x00)).toBe('6985');
    expect(await selectAid(card, CHIPDOC_AID, 0x01)).toBe('9000');
    expect(await send(card, '01 20 00 01')).toBe('63C3');
    expect(await send(card, '00 20 00 01', 0x00)).toBe('6985');
    expect(await selectAid(card, CPS2TER_AID, 0x01)).toBe('9000');
    expect(await send(card, '01 20 00 01')).toBe('6985');
  });

  it('tells the counter on an empty VERIFY: 63 Cx, then 69 83 when blocked', async () => {
    const card = await openCard();
    expect(await verifyPin(card, '0000')).toBe('63C2');
    expect(await send(card, '01 20 00 01')).toBe('63C2');
    expect(await send(card, '01 20 00 81')).toBe('63C2'); // b8 "specific reference" accepted
    expect(await verifyPin(card, '0000')).toBe('63C1');
    expect(await verifyPin(card, '0000')).toBe('6983');
    expect(await send(card, '01 20 00 01')).toBe('6983');
    expect(await send(card, apdu('01 20 00 01', Uint8Array.of(0x31, 0x32)))).toBe('6983');
  });

  it('has no GET DATA counters and no INTERNAL AUTHENTICATE', async () => {
    const card = await openCard();
    expect(await send(card, '01 CB 3F FF 0A 4D 08 70 06 BF 81 01 02 A0 80 00')).toBe('6D00');
    expect(await send(card, '01 88 00 00 04 01 02 03 04 00')).toBe('6D00');
  });

  it('authenticates with raw RSA on a caller-formatted block (PSO DECIPHER, key 0x20)', async () => {
    const card = await openCard();
    const challenge = Uint8Array.from(Buffer.from('défi'));
    const block = type1Block(digestInfo('sha256', createHash('sha256').update(challenge).digest()));
    expect(await send(card, '01 22 41 B8 03 83 01 20')).toBe('9000');
    expect(await send(card, apdu('11 2A 80 86', block.subarray(0, 128)))).toBe('9000');
    expect(await send(card, apdu('01 2A 80 86', block.subarray(128), 0))).toBe('6982');
    expect(await verifyPin(card, '1234')).toBe('9000');
    expect(await send(card, apdu('11 2A 80 86', block.subarray(0, 128)))).toBe('9000');
    const answer = await exchange(card, apdu('01 2A 80 86', block.subarray(128), 0), 0x01);
    expect(swHex(answer)).toBe('9000');
    expect(verify('sha256', challenge, createPublicKey(credentials.authentication.privateKey), answer.data)).toBe(true);
  });

  it('signs with RSA-PSS (MSE 81 B6 91 02 <algo> <key|80>, PSO CDS with the hash)', async () => {
    const card = await openCard();
    await verifyPin(card, '1234');
    const message = Uint8Array.from(Buffer.from('feuille de soins'));
    const hash = createHash('sha256').update(message).digest();
    for (const [key, keyPair] of [
      [0xa1, credentials.signature],
      [0xa0, credentials.authentication],
    ] as const) {
      expect(await send(card, apdu('01 22 81 B6', Uint8Array.of(0x91, 0x02, 0x2c, key)))).toBe('9000');
      const signature = await exchange(card, apdu('01 2A 9E 9A', hash, 0), 0x01);
      expect(swHex(signature)).toBe('9000');
      const publicKey = createPublicKey(keyPair.privateKey);
      const pss = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      expect(verify('sha256', message, pss, signature.data)).toBe(true);
    }
    expect(await send(card, apdu('01 22 81 B6', Uint8Array.of(0x91, 0x02, 0x28, 0xa1)))).toBe('9000');
    const pkcs1 = await exchange(card, apdu('01 2A 9E 9A', hash, 0), 0x01);
    expect(verify('sha256', message, createPublicKey(credentials.signature.privateKey), pkcs1.data)).toBe(true);
    expect(await send(card, apdu('01 2A 9E 9A', hash.subarray(0, 20), 0))).toBe('6A80'); // SHA-1 size for a SHA-256 algo
  });

  it('changes the PIN: VERIFY old, then CHANGE with the new block only (P1 = 01)', async () => {
    const card = await openCard();
    expect(await send(card, apdu('01 24 01 01', pinBlock('2468')))).toBe('6982');
    expect(await verifyPin(card, '1234')).toBe('9000');
    expect(await send(card, apdu('01 24 01 01', pinBlock('2468')))).toBe('9000');
    expect(await verifyPin(card, '1234')).toBe('63C2');
    expect(await verifyPin(card, '2468')).toBe('9000');
  });

  it('unblocks: VERIFY PUK, 2C 03 <ref|80> with no data, then CHANGE 24 01', async () => {
    const card = await openCard({ pinTriesLeft: 0 });
    expect(await send(card, '01 2C 03 81')).toBe('6982'); // the PUK first
    expect(await send(card, apdu('01 20 00 02', pukBlock('00000000')))).toBe('63C9');
    expect(await send(card, apdu('01 20 00 02', pukBlock('12345678')))).toBe('9000');
    expect(await send(card, '01 2C 03 81')).toBe('9000');
    expect(await send(card, '01 20 00 01')).toBe('63C3');
    expect(await send(card, apdu('01 24 01 81', pinBlock('1357')))).toBe('9000');
    expect(await verifyPin(card, '1357')).toBe('9000');
  });

  it('lists its keys through PKCS#15 on channel 1 (references 0x20 and 0x21)', async () => {
    const card = await openCard();
    expect(await selectAid(card, CPX_AID, 0x01)).toBe('9000');
    expect(await send(card, '01 A4 02 0C 02 50 31')).toBe('9000');
    const odf = parseDer(await readCurrentEf(card, 0x01));
    const prkdfPath = odf.find((o) => o.tag === 0xa0)!.children[0]!.children[0]!.value;
    expect(await send(card, concatBytes(Uint8Array.of(0x01, 0xa4, 0x08, 0x0c, prkdfPath.length), prkdfPath))).toBe('9000');
    const prkdf = parseDer(await readCurrentEf(card, 0x01));
    expect(prkdf.map((k) => derInt(k.children[1]!.children[3]!))).toEqual([0x20, 0x21]);
    // Still ChipDoc's channel: PIN commands keep working after selecting the PKCS#15 DF.
    expect(await send(card, '01 20 00 01')).toBe('63C3');
  });
});
