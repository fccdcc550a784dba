import { createHash, verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard, createVirtualCardWithCredentials, VIRTUAL_CARD_DESCRIPTIONS } from '../../../simulators/cards/catalog';
import { digestInfo } from '../../../simulators/cards/cps-rsa';
import type { CpsCredentials } from '../../../simulators/cards/cps-personalisation';
import { CHIPDOC_AID } from '../../../simulators/cards/cps4';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import { concatBytes, toHex } from '../../../src-shared/hex';
import { apdu, derInt, exchange, parseDer, pukBlock, pinBlock, readPath, swHex, throwawayCredentials, verifyPin } from './cps-support';

let credentials: CpsCredentials;
beforeAll(() => {
  credentials = throwawayCredentials();
});

const send = async (card: VirtualCard, bytes: Uint8Array | string) => swHex(await exchange(card, bytes));

async function triesLeft(card: VirtualCard, ref: number): Promise<number> {
  await send(card, '00 A4 00 0C 02 3F 00');
  const a = await exchange(card, apdu('00 CB 3F FF', Uint8Array.of(0x4d, 0x08, 0x70, 0x06, 0xbf, 0x81, ref, 0x02, 0xa0, 0x80), 0));
  const docp = parseDer(a.data.subarray(6))[0]!;
  return derInt(docp.children.find((c) => c.tag === 0x9b)!);
}

/** The authentication certificate, found through the ODF and CDF as a reader would. */
async function authenticationCertificate(card: VirtualCard): Promise<Uint8Array> {
  const odf = parseDer(await readPath(card, Uint8Array.of(0x3f, 0x00, 0x00, 0x01, 0x50, 0x31)));
  const cdfPath = odf.find((o) => o.tag === 0xa4)!.children[0]!.children[0]!.value;
  const cdf = parseDer(await readPath(card, cdfPath));
  return readPath(card, cdf[0]!.children[2]!.children[0]!.children[0]!.children[0]!.value);
}

describe('CPS catalogue', () => {
  it('offers a CPS4 next to the CPS3', () => {
    const card = createVirtualCard('cps4', { credentials });
    expect(toHex(card.atr())).toBe(VIRTUAL_CARD_DESCRIPTIONS.cps4.atr);
    expect(card.label).toBe('CPS4 (virtuelle)');
  });

  it('takes the PIN and PUK as parameters', async () => {
    const card = createVirtualCard('cps3', { pin: '2580', puk: '11223344', credentials });
    expect(await verifyPin(card, '1234')).toBe('63C2');
    expect(await verifyPin(card, '2580')).toBe('9000');
    expect(await send(card, apdu('00 2C 01 01', pukBlock('11223344')))).toBe('9000');
    expect(() => createVirtualCard('cps3', { pin: '12345' })).toThrow(RangeError);
  });

  it('variant blocked: the PIN has no try left, the PUK unblocks it', async () => {
    const card = createVirtualCard('cps3', { variant: 'blocked', credentials });
    expect(await triesLeft(card, 1)).toBe(0);
    expect(await verifyPin(card, '1234')).toBe('6983');
    expect(await send(card, apdu('00 2C 00 01', concatBytes(pukBlock('12345678'), pinBlock('1234'))))).toBe('9000');
    expect(await verifyPin(card, '1234')).toBe('9000');
  });

  it('variant puk-1-left: one wrong PUK and the card is dead', async () => {
    const card = createVirtualCard('cps3', { variant: 'puk-1-left', credentials });
    expect(await triesLeft(card, 2)).toBe(1);
    expect(await send(card, apdu('00 2C 00 01', concatBytes(pukBlock('00000000'), pinBlock('1234'))))).toBe('6983');
    expect(await send(card, apdu('00 2C 00 01', concatBytes(pukBlock('12345678'), pinBlock('1234'))))).toBe('6983');
  });

  it('variants apply to the CPS4 too', async () => {
    const card = createVirtualCard('cps4', { variant: 'blocked', credentials });
    await send(card, concatBytes(Uint8Array.of(0x01, 0xa4, 0x04, 0x0c, CHIPDOC_AID.length), CHIPDOC_AID));
    expect(swHex(await exchange(card, '01 20 00 01', 0x01))).toBe('6983');
  });

  it('gets certificates from the sandbox PKI when none are given, per variant', async () => {
    const now = Date.now();
    const valid = await createVirtualCardWithCredentials('cps3');
    const certificate = new X509Certificate(await authenticationCertificate(valid));
    expect(certificate.subject).toContain('Pharmacien');
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(now);
    // The card's key matches its certificate: INTERNAL AUTHENTICATE verifies with it.
    const challenge = Uint8Array.from([1, 2, 3, 4]);
    await verifyPin(valid, '1234');
    await send(valid, '00 22 41 A4 06 80 01 02 84 01 82');
    const info = digestInfo('sha256', createHash('sha256').update(challenge).digest());
    const signature = await exchange(valid, apdu('00 88 00 00', info, 0));
    expect(verify('sha256', challenge, certificate.publicKey, signature.data)).toBe(true);

    const expired = new X509Certificate(await authenticationCertificate(await createVirtualCardWithCredentials('cps4', { variant: 'expired' })));
    expect(Date.parse(expired.validTo)).toBeLessThan(now);
    const cpe = new X509Certificate(await authenticationCertificate(await createVirtualCardWithCredentials('cps3', { variant: 'cpe' })));
    expect(cpe.subject).not.toBe(certificate.subject);
  }, 30_000);
});
