import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCps3, CPX_AID } from '../../../simulators/cards/cps3';
import type { CpsCredentials } from '../../../simulators/cards/cps-personalisation';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import { concatBytes, toHex } from '../../../src-shared/hex';
import {
  apdu,
  derBits,
  derInt,
  derText,
  exchange,
  hexOf,
  parseDer,
  pinBlock,
  pukBlock,
  readCurrentEf,
  readPath,
  swHex,
  throwawayCredentials,
  verifyPin,
  type Der,
} from './cps-support';

let credentials: CpsCredentials;
beforeAll(() => {
  credentials = throwawayCredentials();
});

const newCard = (options: Parameters<typeof createCps3>[0] = {}) => createCps3({ credentials, ...options });

/** GET DATA of a CHV SDO from the MF; returns max / left / uses (9A / 9B / 9D). */
async function counters(card: VirtualCard, ref: number) {
  expect(swHex(await exchange(card, '00 A4 00 0C 02 3F 00'))).toBe('9000');
  const a = await exchange(card, apdu('00 CB 3F FF', Uint8Array.of(0x4d, 0x08, 0x70, 0x06, 0xbf, 0x81, ref, 0x02, 0xa0, 0x80), 0));
  expect(swHex(a)).toBe('9000');
  expect(toHex(a.data.subarray(0, 1))).toBe('70');
  expect(toHex(a.data.subarray(2, 5))).toBe(`BF 81 0${ref}`);
  const [docp] = parseDer(a.data.subarray(6));
  expect(docp!.tag).toBe(0xa0);
  const pick = (tag: number) => docp!.children.find((c) => c.tag === tag);
  return { max: derInt(pick(0x9a)!), left: derInt(pick(0x9b)!), uses: pick(0x9d) ? derInt(pick(0x9d)!) : undefined };
}

const send = async (card: VirtualCard, bytes: Uint8Array | string) => swHex(await exchange(card, bytes));
const selectApp = (card: VirtualCard) => send(card, concatBytes(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, CPX_AID.length), CPX_AID));

describe('CPS3 PKCS#15 structure', () => {
  it('is found from EF.DIR and the ODF, without knowing any file id', async () => {
    const card = newCard();
    const dir = parseDer(await readPath(card, Uint8Array.of(0x2f, 0x00)));
    const aids = dir.map((app) => toHex(app.children.find((c) => c.tag === 0x4f)!.value));
    expect(aids).toContain(toHex(CPX_AID));
    const aid = CPX_AID;
    expect(await send(card, concatBytes(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, aid.length), aid))).toBe('9000');
    // EF.ODF is 5031 in the application DF (PKCS#15 default).
    expect(await send(card, '00 A4 02 0C 02 50 31')).toBe('9000');
    const odf = parseDer(await readCurrentEf(card));
    const pathOf = (tag: number) => odf.find((o) => o.tag === tag)!.children[0]!.children[0]!.value;
    const [prkdfPath, cdfPath, aodfPath] = [pathOf(0xa0), pathOf(0xa4), pathOf(0xa8)];
    expect(toHex(prkdfPath.subarray(0, 4))).toBe('3F 00 00 01');

    const tokenInfo = parseDer(await readPath(card, Uint8Array.of(0x3f, 0x00, 0x00, 0x01, 0x50, 0x32)))[0]!;
    expect(derInt(tokenInfo.children[0]!)).toBe(0);
    expect(tokenInfo.children.find((c) => c.tag === 0x80)).toBeDefined();

    const cdf = parseDer(await readPath(card, cdfPath));
    const prkdf = parseDer(await readPath(card, prkdfPath));
    const aodf = parseDer(await readPath(card, aodfPath));
    const label = (o: Der) => derText(o.children[0]!.children[0]!);

    expect(cdf.map(label)).toEqual(["Certificat d'Authentification CPS", 'Certificat de Signature CPS']);
    expect(prkdf.map(label)).toEqual(['CPS_PRIV_AUT', 'CPS_PRIV_SIG']);
    for (const [i, cert] of cdf.entries()) {
      const id = cert.children[1]!.children[0]!.value;
      const key = prkdf[i]!;
      expect(hexOf(key.children[1]!.children[0]!.value)).toBe(hexOf(id));
      const path = cert.children[2]!.children[0]!.children[0]!;
      const length = derInt(path.children.find((c) => c.tag === 0x80)!);
      const der = await readPath(card, path.children[0]!.value);
      const expected = i === 0 ? credentials.authentication.certificateDer : credentials.signature.certificateDer;
      expect(length).toBe(expected.length);
      expect(hexOf(der)).toBe(hexOf(expected));
    }
    const keyAttrs = prkdf.map((k) => k.children[1]!.children);
    expect(hexOf(keyAttrs[0]![0]!.value)).toBe('E828BD080F8025000001FF001002');
    expect(hexOf(keyAttrs[1]![0]!.value)).toBe('E828BD080F8025000001FF001001');
    expect(keyAttrs.map((a) => derBits(a[1]!))).toEqual([[1, 2], [9]]); // decrypt+sign / nonRepudiation
    expect(keyAttrs.map((a) => derInt(a[3]!))).toEqual([0x82, 0x81]);
    expect(prkdf.map((k) => derInt(k.children[2]!.children[0]!.children[1]!))).toEqual([2048, 2048]);
    expect(prkdf.map((k) => hexOf(k.children[0]!.children[2]!.value))).toEqual(['01', '01']); // authId = PIN

    const pins = aodf.map((p) => ({
      label: label(p),
      unblockedBy: p.children[0]!.children[2] ? hexOf(p.children[0]!.children[2]!.value) : undefined,
      authId: hexOf(p.children[1]!.children[0]!.value),
      attrs: p.children[2]!.children[0]!.children,
    }));
    const [pin, puk] = pins;
    expect(pin!.authId).toBe('01');
    expect(pin!.unblockedBy).toBe('02');
    expect(derBits(pin!.attrs[0]!)).toEqual([1, 4, 5]); // local, initialized, needs-padding
    expect(pin!.attrs.slice(1).map((a) => `${a.tag.toString(16)}:${hexOf(a.value)}`)).toEqual([
      'a:01', // ascii-numeric
      '2:04', // minLength
      '2:08', // storedLength
      '2:04', // maxLength
      '80:01', // pinReference
      '4:FF', // padChar
    ]);
    expect(puk!.authId).toBe('02');
    expect(derBits(puk!.attrs[0]!)).toContain(6); // unblockingPin
    expect(derInt(puk!.attrs.find((a) => a.tag === 0x80)!)).toBe(2);
  });

  it('accepts the Cryptolib path selection: P1 = 09 with 3F00 included, from the application DF', async () => {
    const card = newCard();
    await selectApp(card);
    expect(await send(card, '00 A4 09 0C 06 3F 00 00 01 50 31')).toBe('9000');
    expect((await readCurrentEf(card))[0]).toBe(0xa0);
  });
});

describe('CPS3 PIN', () => {
  it('reads the try counters with GET DATA without spending a try', async () => {
    const card = newCard();
    for (let i = 0; i < 3; i++) expect(await counters(card, 1)).toEqual({ max: 3, left: 3, uses: undefined });
    expect(await counters(card, 2)).toEqual({ max: 10, left: 10, uses: 100 });
    await selectApp(card);
    const elsewhere = await exchange(card, apdu('00 CB 3F FF', hex4d(1), 0));
    expect(swHex(elsewhere)).toBe('6A88'); // only with the MF current
  });

  it('counts wrong PINs 63C2, 63C1 then blocks with 6983, and stays blocked', async () => {
    const card = newCard();
    expect(await verifyPin(card, '0000')).toBe('63C2');
    expect(await verifyPin(card, '0000')).toBe('63C1');
    expect(await verifyPin(card, '0000')).toBe('6983');
    expect(await verifyPin(card, '1234')).toBe('6983');
    expect(await counters(card, 1)).toMatchObject({ left: 0 });
    expect(await send(card, '00 20 00 01')).toBe('6983');
  });

  it('resets the counter on the right PIN', async () => {
    const card = newCard();
    expect(await verifyPin(card, '9999')).toBe('63C2');
    expect(await verifyPin(card, '1234')).toBe('9000');
    expect(await counters(card, 1)).toMatchObject({ left: 3 });
    expect(card.security.isVerified(1)).toBe(true);
  });

  it('answers 6A80 to a malformed PIN block and spends no try', async () => {
    const card = newCard();
    const bad = [
      Uint8Array.from(Buffer.from('1234')), // not padded
      concatBytes(pinBlock('1234'), Uint8Array.of(0xff)), // 9 bytes
      Uint8Array.from([0x31, 0x32, 0x33, 0x34, 0x35, 0xff, 0xff, 0xff]), // 5 digits
      Uint8Array.from([0x31, 0x32, 0x33, 0xff, 0xff, 0xff, 0xff, 0xff]), // 3 digits
      Uint8Array.from([0x31, 0x32, 0x33, 0x34, 0x00, 0x00, 0x00, 0x00]), // wrong pad
      Uint8Array.from([0x31, 0x32, 0x41, 0x34, 0xff, 0xff, 0xff, 0xff]), // not a digit
    ];
    for (const block of bad) expect(await send(card, apdu('00 20 00 01', block))).toBe('6A80');
    expect(await counters(card, 1)).toMatchObject({ left: 3 });
  });

  it('tells the counter on an empty VERIFY, 9000 once verified, and forgets it on reset', async () => {
    const card = newCard();
    expect(await send(card, '00 20 00 01')).toBe('63C3');
    await verifyPin(card, '1234');
    expect(await send(card, '00 20 00 01')).toBe('9000');
    card.reset();
    expect(await send(card, '00 20 00 01')).toBe('63C3');
  });

  it('changes the PIN with old + new blocks', async () => {
    const card = newCard();
    expect(await send(card, apdu('00 24 00 01', concatBytes(pinBlock('0000'), pinBlock('4321'))))).toBe('63C2');
    expect(await send(card, apdu('00 24 00 01', concatBytes(pinBlock('1234'), pinBlock('4321'))))).toBe('9000');
    expect(await verifyPin(card, '1234')).toBe('63C2');
    expect(await verifyPin(card, '4321')).toBe('9000');
    expect(await send(card, apdu('00 24 00 01', pinBlock('4321')))).toBe('6A80'); // length typo: no try
    expect(await counters(card, 1)).toMatchObject({ left: 3 });
  });

  it('unblocks with the PUK: PIN back to 3 tries, one PUK use spent; a wrong PUK counts on the PUK', async () => {
    const card = newCard({ pinTriesLeft: 0 });
    expect(await verifyPin(card, '1234')).toBe('6983');
    expect(await send(card, apdu('00 2C 00 01', concatBytes(pukBlock('87654321'), pinBlock('5555'))))).toBe('63C9');
    expect(await counters(card, 2)).toEqual({ max: 10, left: 9, uses: 100 });
    expect(await send(card, apdu('00 2C 00 01', concatBytes(pukBlock('12345678'), pinBlock('5555'))))).toBe('9000');
    expect(await counters(card, 1)).toMatchObject({ left: 3 });
    expect(await counters(card, 2)).toEqual({ max: 10, left: 10, uses: 99 });
    expect(await verifyPin(card, '5555')).toBe('9000');
    expect(await send(card, apdu('00 2C 00 01', pukBlock('12345678')))).toBe('6A80'); // P1=00 needs both
  });

  it('refuses the PUK when it is blocked or used up', async () => {
    const blocked = newCard({ pinTriesLeft: 0, pukTriesLeft: 0 });
    expect(await send(blocked, apdu('00 2C 00 01', concatBytes(pukBlock('12345678'), pinBlock('5555'))))).toBe('6983');
    const usedUp = newCard({ pinTriesLeft: 0, pukUsesLeft: 0 });
    expect(await send(usedUp, apdu('00 2C 00 01', concatBytes(pukBlock('12345678'), pinBlock('5555'))))).toBe('6983');
  });

  it('keeps the counter consistent under any sequence of VERIFY attempts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('1234', '0000', '9876', 'bad'), { maxLength: 12 }), async (attempts) => {
        const card = newCard({ credentials: undefined });
        let left = 3;
        for (const attempt of attempts) {
          const block = attempt === 'bad' ? Uint8Array.of(0x31, 0x32) : pinBlock(attempt);
          const sw = await send(card, apdu('00 20 00 01', block));
          if (left === 0) expect(sw).toBe('6983');
          else if (attempt === 'bad') expect(sw).toBe('6A80');
          else if (attempt === '1234') {
            expect(sw).toBe('9000');
            left = 3;
          } else {
            left -= 1;
            expect(sw).toBe(left === 0 ? '6983' : `63C${left}`);
          }
          const status = await counters(card, 1);
          expect(status.left).toBe(left);
          expect(status.left).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 60 },
    );
  });
});

function hex4d(ref: number): Uint8Array {
  return Uint8Array.of(0x4d, 0x08, 0x70, 0x06, 0xbf, 0x81, ref, 0x02, 0xa0, 0x80);
}
