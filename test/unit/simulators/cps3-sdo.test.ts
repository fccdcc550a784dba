/**
 * What the virtual CPS3 answers to the IAS-ECC security data object (SDO) requests OpenSC's
 * driver makes before a PIN verification and before each private-key operation
 * (card-iasecc.c `iasecc_pin_get_policy`, `iasecc_set_security_env`), and the TokenInfo
 * algorithm list OpenSC rebuilds the keys' algorithm references from.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCps3, CPX_AID } from '../../../simulators/cards/cps3';
import type { CpsCredentials } from '../../../simulators/cards/cps-personalisation';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import { concatBytes, toHex } from '../../../src-shared/hex';
import { apdu, derInt, exchange, parseDer, readPath, swHex, throwawayCredentials } from './cps-support';

let credentials: CpsCredentials;
beforeAll(() => {
  credentials = throwawayCredentials();
});

const newCard = () => createCps3({ credentials });
const selectMf = async (card: VirtualCard) => expect(swHex(await exchange(card, '00 A4 00 0C 02 3F 00'))).toBe('9000');
const selectApp = async (card: VirtualCard) =>
  expect(swHex(await exchange(card, concatBytes(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, CPX_AID.length), CPX_AID)))).toBe('9000');

/** `00 CB 3F FF` with the header list 4D { 70 { BF <class> <ref> { <tag> 80 } } }, as OpenSC builds it. */
function getData(sdoClass: number, ref: number, tag: number[]) {
  const wanted = Uint8Array.of(...tag, 0x80);
  const sdo = concatBytes(Uint8Array.of(0xbf, sdoClass | 0x80, ref, wanted.length), wanted);
  const template = concatBytes(Uint8Array.of(0x70, sdo.length), sdo);
  return apdu('00 CB 3F FF', concatBytes(Uint8Array.of(0x4d, template.length), template), 0);
}

describe('CPS3 SDOs as OpenSC reads them', () => {
  it("gives the PIN's DOCP byte for byte as a real CPx does (counters, then ACLs)", async () => {
    const card = newCard();
    await selectMf(card);
    const r = await exchange(card, getData(0x01, 0x01, [0xa0]));
    expect(swHex(r)).toBe('9000');
    // OpenSC issue #2275: 70 16 BF 81 01 12 A0 10 9A 01 03 9B 01 03 A1 08 8C 06 F3 00 00 13 FF 00.
    expect(toHex(r.data)).toBe('70 16 BF 81 01 12 A0 10 9A 01 03 9B 01 03 A1 08 8C 06 F3 00 00 13 FF 00');
  });

  it("gives the PIN's size limits (7F41) that OpenSC asks for first", async () => {
    const card = newCard();
    await selectMf(card);
    const r = await exchange(card, getData(0x01, 0x01, [0x7f, 0x41]));
    expect(swHex(r)).toBe('9000');
    expect(toHex(r.data)).toContain('7F 41 06 80 01 04 81 01 04');
  });

  it('never gives a private key out: 7F48 is refused with 6A86, after which OpenSC asks for the DOCP', async () => {
    const card = newCard();
    await selectApp(card);
    expect(swHex(await exchange(card, getData(0x10, 0x02, [0x7f, 0x48])))).toBe('6A86');
  });

  it('describes each key: its size in bytes and which of sign / authenticate / decipher it allows', async () => {
    const card = newCard();
    await selectApp(card);
    const docpOf = async (ref: number) => {
      const r = await exchange(card, getData(0x10, ref, [0xa0]));
      expect(swHex(r)).toBe('9000');
      expect(toHex(r.data.subarray(2, 5))).toBe(`BF 90 0${ref}`);
      const [docp] = parseDer(r.data.subarray(6)); // after 70 L BF 90 <ref> L (three-byte tag)
      expect(docp!.tag).toBe(0xa0);
      const size = docp!.children.find((c) => c.tag === 0x80)!.value;
      const acl = docp!.children.find((c) => c.tag === 0xa1)!.children.find((c) => c.tag === 0x8c)!.value;
      return { size: (size[0]! << 8) | size[1]!, acl: toHex(acl) };
    };
    // CPS_PRIV_AUT (82): internal authenticate and decipher after the PIN, no PSO signature.
    expect(await docpOf(0x02)).toEqual({ size: 256, acl: '70 FF 11 11' });
    // CPS_PRIV_SIG (81): PSO signature only.
    expect(await docpOf(0x01)).toEqual({ size: 256, acl: '70 11 FF FF' });
  });

  it('answers key SDOs only from the application DF and PIN SDOs only from the MF (6A88 elsewhere)', async () => {
    const card = newCard();
    await selectMf(card);
    expect(swHex(await exchange(card, getData(0x10, 0x02, [0xa0])))).toBe('6A88');
    await selectApp(card);
    expect(swHex(await exchange(card, getData(0x01, 0x01, [0xa0])))).toBe('6A88');
    expect(swHex(await exchange(card, getData(0x10, 0x07, [0xa0])))).toBe('6A88'); // no such key
  });

  it('lists the algorithms of a real CPS3 in TokenInfo, with the IAS-ECC references MSE SET uses', async () => {
    const card = newCard();
    const [tokenInfo] = parseDer(await readPath(card, Uint8Array.of(0x3f, 0x00, 0x00, 0x01, 0x50, 0x32)));
    const flags = tokenInfo!.children.find((c) => c.tag === 0x03)!;
    expect(toHex(flags.value)).toBe('06 C0'); // readOnly, loginRequired (no PRN generation)
    const algorithms = tokenInfo!.children.find((c) => c.tag === 0xa2)!.children;
    const summary = algorithms.map((a) => [derInt(a.children[0]!), derInt(a.children[1]!), derInt(a.children[5]!)]);
    expect(summary).toEqual([
      [1, 0x220, 0x10], // SHA-1
      [2, 0x250, 0x40], // SHA-256
      [3, 0x06, 0x12], // SHA1-RSA-PKCS
      [4, 0x40, 0x42], // SHA256-RSA-PKCS
      [5, 0x01, 0x02], // RSA-PKCS signature (INTERNAL AUTHENTICATE)
      [6, 0x01, 0x1a], // RSA-PKCS decipherment
    ]);
  });
});
