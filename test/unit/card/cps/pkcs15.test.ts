import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isEcpsError } from '../../../../src-shared/errors';
import { toHex } from '../../../../src-shared/hex';
import { readAll, readTlv } from '../../../../src-main/card/cps/der';
import { Pkcs15Reader } from '../../../../src-main/card/cps/pkcs15';
import {
  findCertificateOf,
  findKey,
  parseAuthDirectory,
  parseCertificateDirectory,
  parseEfDir,
  parseOdf,
  parsePrivateKeyDirectory,
  parseTokenInfo,
  type PrivateKeyObject,
} from '../../../../src-main/card/cps/pkcs15-objects';
import { CPX_AID_CONTACT } from '../../../../src-main/card/identify';
import { encodeAodf, encodeCdf, encodeOdf, encodePrkdf, encodeTokenInfo, type Pkcs15Application } from '../../../../simulators/cards/pkcs15-files';
import { openVirtual } from './virtual-cps';

/** A PKCS#15 application as the virtual-card teammate encodes it, from generated values. */
const application = fc.record({
  dfPath: fc.constantFrom(Uint8Array.of(0x3f, 0x00, 0x00, 0x01), Uint8Array.of(0x3f, 0x00, 0x50, 0x15)),
  tokenLabel: fc.string({ maxLength: 20 }),
  manufacturer: fc.string({ minLength: 1, maxLength: 20 }),
  serialNumber: fc.uint8Array({ minLength: 1, maxLength: 10 }),
  keys: fc.array(
    fc.record({
      label: fc.string({ minLength: 1, maxLength: 30 }),
      id: fc.uint8Array({ minLength: 1, maxLength: 20 }),
      keyReference: fc.integer({ min: 0, max: 0xff }),
      usage: fc.subarray([0, 1, 2, 3, 6, 9]),
      objectFlags: fc.subarray([0, 1]),
      modulusBits: fc.constantFrom(1024, 2048, 3072),
      authId: fc.integer({ min: 1, max: 0xff }),
      certificate: fc.record({
        label: fc.string({ minLength: 1, maxLength: 30 }),
        fid: fc.integer({ min: 0x0100, max: 0xfeff }),
        der: fc.uint8Array({ minLength: 1, maxLength: 2000 }),
      }),
    }),
    { maxLength: 4 },
  ),
  pins: fc.array(
    fc.record({
      label: fc.string({ minLength: 1, maxLength: 20 }),
      authId: fc.integer({ min: 1, max: 0xff }),
      reference: fc.integer({ min: 0, max: 0xff }),
      flags: fc.subarray([0, 1, 4, 5, 6, 7]),
      type: fc.constant('ascii-numeric' as const),
      minLength: fc.integer({ min: 1, max: 8 }),
      maxLength: fc.integer({ min: 8, max: 12 }),
      storedLength: fc.integer({ min: 1, max: 12 }),
      padChar: fc.integer({ min: 0, max: 0xff }),
      unblockedBy: fc.option(fc.integer({ min: 1, max: 0xff }), { nil: undefined }),
    }),
    { maxLength: 3 },
  ),
}) satisfies fc.Arbitrary<Pkcs15Application>;

describe('PKCS#15 objects, parsed from the virtual card’s encoders', () => {
  it('ODF, TokenInfo, CDF, PrKDF and AODF read back what was written', () => {
    fc.assert(
      fc.property(application, (app) => {
        const odf = parseOdf(encodeOdf(app));
        expect(odf.privateKeys).toHaveLength(1);
        expect(odf.certificates).toHaveLength(1);
        expect(odf.authObjects).toHaveLength(1);
        expect(odf.privateKeys[0]!.absolute).toBe(true);

        const info = parseTokenInfo(encodeTokenInfo(app));
        expect(info.manufacturerId).toBe(app.manufacturer);

        const certificates = parseCertificateDirectory(encodeCdf(app));
        const keys = parsePrivateKeyDirectory(encodePrkdf(app));
        expect(keys.map((k) => k.keyReference)).toEqual(app.keys.map((k) => k.keyReference));
        app.keys.forEach((k, i) => {
          expect(keys[i]!.id).toBe(toHex(k.id, ''));
          expect(keys[i]!.modulusLength).toBe(k.modulusBits);
          expect(keys[i]!.authId).toBe(toHex([k.authId], ''));
          expect(keys[i]!.usage.includes('nonRepudiation')).toBe(k.usage.includes(9));
          expect(certificates[i]!.label).toBe(k.certificate.label);
          expect(certificates[i]!.path.fids.at(-1)).toBe(k.certificate.fid);
          expect(certificates[i]!.path.length).toBe(k.certificate.der.length);
        });

        const pins = parseAuthDirectory(encodeAodf(app));
        app.pins.forEach((p, i) => {
          expect(pins[i]).toMatchObject({
            label: p.label,
            authId: toHex([p.authId], ''),
            pinReference: p.reference,
            minLength: p.minLength,
            storedLength: p.storedLength,
            maxLength: p.maxLength,
            padChar: p.padChar,
            pinType: 'ascii-numeric',
          });
          expect(pins[i]!.flags.includes('unblockingPin')).toBe(p.flags.includes(6));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('the DER reader never throws anything but CpsDataMalformed on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const parse of [readAll, parseOdf, parseTokenInfo, parseCertificateDirectory, parsePrivateKeyDirectory, parseAuthDirectory, parseEfDir]) {
          try {
            parse(bytes);
          } catch (error) {
            expect(isEcpsError(error, 'CpsDataMalformed')).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
    // A UTF8String label that is not UTF-8.
    const badLabel = Uint8Array.of(0x30, 0x14, 0x30, 0x03, 0x0c, 0x01, 0xff, 0x30, 0x03, 0x04, 0x01, 0xaa, 0xa1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x3f, 0x00);
    expect(() => parseCertificateDirectory(badLabel)).toThrow(expect.objectContaining({ code: 'CpsDataMalformed' }));
  });

  it('reads multi-byte tags and long lengths (IAS-ECC BF 81 01, 82 xx xx)', () => {
    const t = readTlv(Uint8Array.of(0xbf, 0x81, 0x01, 0x82, 0x00, 0x01, 0x55));
    expect(t).toMatchObject({ tag: 0xbf8101, constructed: true, length: 7 });
    expect([...t!.value]).toEqual([0x55]);
  });
});

describe('authentication and signature keys found by meaning, not by file', () => {
  const key = (id: string, usage: PrivateKeyObject['usage'], keyReference?: number): PrivateKeyObject => ({ id, usage, ...(keyReference !== undefined ? { keyReference } : {}) });
  const certs = [
    { id: 'AA', authority: false, path: { fids: [0x3f00, 0x0001, 0xc001], absolute: true } },
    { id: 'BB', authority: false, path: { fids: [0x3f00, 0x0001, 0xc000], absolute: true } },
  ];

  it('by reference 0x82 / 0x81 first', () => {
    const keys = [key('AA', ['nonRepudiation'], 0x81), key('BB', ['sign', 'decrypt'], 0x82)];
    expect(findCertificateOf(certs, findKey(keys, 'authentication')!)!.path.fids.at(-1)).toBe(0xc000);
    expect(findCertificateOf(certs, findKey(keys, 'signature')!)!.path.fids.at(-1)).toBe(0xc001);
  });

  it('by usage when references differ (CPS4: 0x20 / 0x21)', () => {
    const keys = [key('BB', ['decrypt', 'sign'], 0x20), key('AA', ['nonRepudiation'], 0x21)];
    expect(findKey(keys, 'authentication')!.id).toBe('BB');
    expect(findKey(keys, 'signature')!.id).toBe('AA');
  });
});

describe('Pkcs15Reader on the virtual CPS3', () => {
  it('through EF.DIR when the application was not confirmed, each file read once', async () => {
    const { channel, exchanges } = await openVirtual('cps3');
    const reader = new Pkcs15Reader(channel, { aid: CPX_AID_CONTACT });
    const app = await reader.application();
    expect(app.label).toBe('CPX IAS');
    expect(toHex(app.aid, '')).toBe(toHex(CPX_AID_CONTACT, ''));
    const pins = await reader.pins();
    expect(pins.map((p) => p.label)).toEqual(['Code porteur', 'Code de deblocage']);
    expect(pins[0]).toMatchObject({ pinReference: 1, minLength: 4, maxLength: 4, storedLength: 8, padChar: 0xff });
    expect(pins[1]!.flags).toContain('unblockingPin');
    expect((await reader.tokenInfo()).manufacturerId).toBe('ANS (carte virtuelle)');
    const before = exchanges();
    await reader.pins();
    await reader.privateKeys();
    const after = exchanges();
    await reader.privateKeys();
    expect(exchanges()).toBe(after);
    expect(after - before).toBe(2); // PrKDF: SELECT + READ; the AODF came from the cache
  });

  it('a file the card refuses gives CpsFileUnreadable with the path and status word', async () => {
    const { channel } = await openVirtual('cps3');
    const reader = new Pkcs15Reader(channel, { aid: CPX_AID_CONTACT, applicationConfirmed: true });
    const error = await reader.readFile({ fids: [0x3f00, 0x0001, 0x9999], absolute: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CpsFileUnreadable', details: { path: '3F00/0001/9999', sw: '6A82' } });
  });
});
