import { constants, createHash, createPublicKey, publicEncrypt, verify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitForCardHash } from '../../../simulators/cards/cps-hash';
import type { CpsCredentials } from '../../../simulators/cards/cps-personalisation';
import { digestInfo } from '../../../simulators/cards/cps-rsa';
import { createCps3 } from '../../../simulators/cards/cps3';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import { concatBytes } from '../../../src-shared/hex';
import { apdu, exchange, swHex, throwawayCredentials, verifyPin } from './cps-support';

let credentials: CpsCredentials;
beforeAll(() => {
  credentials = throwawayCredentials();
});

const newCard = () => createCps3({ credentials });
const send = async (card: VirtualCard, bytes: Uint8Array | string) => swHex(await exchange(card, bytes));

describe('CPS3 cryptography', () => {
  const mseAuth = '00 22 41 A4 06 80 01 02 84 01 82';
  const mseSign = '00 22 41 B6 06 80 01 42 84 01 81';

  it('signs an INTERNAL AUTHENTICATE DigestInfo with the authentication key, after the PIN', async () => {
    const card = newCard();
    const challenge = Uint8Array.from(Buffer.from('challenge from the companion'));
    const info = digestInfo('sha256', createHash('sha256').update(challenge).digest());
    expect(await send(card, apdu('00 88 00 00', info, 0))).toBe('6985'); // no MSE yet
    expect(await send(card, mseAuth)).toBe('9000');
    expect(await send(card, apdu('00 88 00 00', info, 0))).toBe('6982'); // no PIN yet
    await verifyPin(card, '1234');
    const answer = await exchange(card, apdu('00 88 00 00', info, 0));
    expect(swHex(answer)).toBe('9000');
    expect(answer.data.length).toBe(256);
    const publicKey = createPublicKey(credentials.authentication.privateKey);
    expect(verify('sha256', challenge, publicKey, answer.data)).toBe(true);
    expect(await send(card, apdu('00 88 00 00', new Uint8Array(103).fill(1), 0))).toBe('6A80'); // > 40 % of 256
  });

  it('signs with the signature key only after the PIN (PSO HASH full hash, then PSO CDS)', async () => {
    const card = newCard();
    const message = Uint8Array.from(Buffer.from('ordonnance'));
    const digest = createHash('sha256').update(message).digest();
    expect(await send(card, mseSign)).toBe('9000');
    expect(await send(card, apdu('00 2A 90 A0', concatBytes(Uint8Array.of(0x90, 32), digest)))).toBe('9000');
    expect(await send(card, '00 2A 9E 9A 00')).toBe('6982');
    await verifyPin(card, '1234');
    const signature = await exchange(card, '00 2A 9E 9A 00');
    expect(swHex(signature)).toBe('9000');
    expect(verify('sha256', message, createPublicKey(credentials.signature.privateKey), signature.data)).toBe(true);
    expect(await send(card, '00 2A 9E 9A 00')).toBe('6985'); // the hash was used up
  });

  it('finishes the hash on card: whole short message, and intermediate state + last block', async () => {
    const card = newCard();
    await verifyPin(card, '1234');
    const publicKey = createPublicKey(credentials.signature.privateKey);
    for (const [hash, algo] of [['sha256', 0x40], ['sha1', 0x10]] as const) {
      for (const size of [10, 64, 65, 200]) {
        const message = Uint8Array.from({ length: size }, (_, i) => i);
        expect(await send(card, apdu('00 22 41 AA', Uint8Array.of(0x80, 0x01, algo)))).toBe('9000');
        const { stateAndCount, last } = splitForCardHash(hash, message);
        const data =
          size <= 64
            ? concatBytes(Uint8Array.of(0x90, 0x00, 0x80, last.length), last)
            : concatBytes(Uint8Array.of(0x90, stateAndCount.length), stateAndCount, Uint8Array.of(0x80, last.length), last);
        expect(await send(card, apdu('00 2A 90 A0', data))).toBe('9000');
        expect(await send(card, apdu('00 22 41 B6', Uint8Array.of(0x80, 0x01, hash === 'sha1' ? 0x12 : 0x42, 0x84, 0x01, 0x81)))).toBe('9000');
        const signature = await exchange(card, '00 2A 9E 9A 00');
        expect(verify(hash, message, publicKey, signature.data)).toBe(true);
      }
    }
  });

  it('deciphers with the authentication key (padding indicator 81, command chaining)', async () => {
    const card = newCard();
    await verifyPin(card, '1234');
    const secret = Uint8Array.from(Buffer.from('session key'));
    const cryptogram = publicEncrypt(
      { key: createPublicKey(credentials.authentication.privateKey), padding: constants.RSA_PKCS1_PADDING },
      secret,
    );
    expect(await send(card, '00 22 41 B8 06 80 01 1A 84 01 82')).toBe('9000');
    const data = concatBytes(Uint8Array.of(0x81), cryptogram);
    expect(await send(card, apdu('10 2A 80 86', data.subarray(0, 200)))).toBe('9000');
    const plain = await exchange(card, apdu('00 2A 80 86', data.subarray(200), 0));
    expect(Buffer.from(plain.data).toString()).toBe('session key');
  });

  it('refuses keys in the wrong template and unknown references', async () => {
    const card = newCard();
    expect(await send(card, '00 22 41 B6 06 80 01 42 84 01 82')).toBe('6A80'); // auth key cannot sign
    expect(await send(card, '00 22 41 A4 06 80 01 02 84 01 99')).toBe('6A88');
  });

  it('forgets the PIN and the environment at reset', async () => {
    const card = newCard();
    await verifyPin(card, '1234');
    await send(card, mseSign);
    card.reset();
    expect(await send(card, apdu('00 2A 9E 9A', new Uint8Array(32), 0))).toBe('6985');
    await send(card, mseSign);
    expect(await send(card, apdu('00 2A 9E 9A', new Uint8Array(32), 0))).toBe('6982');
  });
});
