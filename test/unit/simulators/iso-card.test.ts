import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCommandApdu } from '../../../simulators/cards/apdu';
import { df, ef, mf } from '../../../simulators/cards/file-system';
import { IsoCard, type CardTransport } from '../../../simulators/cards/iso-card';
import { toHex } from '../../../src-shared/hex';
import { hex, send, sw } from './helpers';

const APP = hex('A0 00 00 00 01 02 03');
const content = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);

function testCard(transport: CardTransport = 'T0', extra: Partial<ConstructorParameters<typeof IsoCard>[0]> = {}) {
  const root = mf(
    ef(0x2f00, hex('61 03 4F 01 AA')),
    ef(0x1001, content.slice(), { sfi: 1, update: 'always' }),
    df({ fid: 0x0001, name: APP }, ef(0xd001, hex('11 22 33'), { read: { pin: 1 } }), ef(0xd002, hex('44'), { read: 'never' })),
    df({ fid: 0x0002, name: hex('A0 00 00 00 01 02 04') }),
  );
  return new IsoCard({ label: 'test', atr: hex('3B 00'), transport, root, ...extra });
}

describe('SELECT', () => {
  it('selects by FID, answering FCI, FCP or nothing according to P2', async () => {
    const card = testCard('T1');
    expect(await send(card, '00 A4 00 0C 02 2F 00')).toBe('90 00');
    const fcp = await send(card, '00 A4 00 04 02 2F 00 00');
    expect(fcp.startsWith('62 ')).toBe(true);
    expect(fcp).toContain('80 02 00 05'); // size
    expect(fcp).toContain('83 02 2F 00'); // FID
    expect((await send(card, '00 A4 00 00 02 2F 00 00')).startsWith('6F ')).toBe(true);
    expect(await send(card, '00 A4 00 0C 02 12 34')).toBe('6A 82');
    expect(await send(card, '00 A4 00 1C 02 2F 00')).toBe('6A 86');
  });

  it('selects by DF name, exactly or right-truncated, with occurrence "next"', async () => {
    const card = testCard('T1');
    expect(await send(card, '00 A4 04 00 07 A0 00 00 00 01 02 03 00')).toContain('84 07 A0 00 00 00 01 02 03');
    expect(await send(card, '00 A4 04 00 06 A0 00 00 00 01 02 00')).toContain('84 07 A0 00 00 00 01 02 03');
    expect(await send(card, '00 A4 04 02 06 A0 00 00 00 01 02 00')).toContain('84 07 A0 00 00 00 01 02 04');
    expect(await send(card, '00 A4 04 0C 05 D2 50 00 00 02')).toBe('6A 82');
  });

  it('refuses FCP on SELECT by name when the profile says so (CPx quirk)', async () => {
    const card = testCard('T1', { select: { fcpOnSelectByName: false } });
    expect(await send(card, '00 A4 04 04 07 A0 00 00 00 01 02 03 00')).toBe('6A 86');
    expect(await send(card, '00 A4 04 0C 07 A0 00 00 00 01 02 03')).toBe('90 00');
  });

  it('selects by path from the MF (with or without 3F00) and from the current DF', async () => {
    const card = testCard('T1');
    expect(await send(card, '00 A4 08 0C 04 00 01 D0 01')).toBe('90 00');
    expect(await send(card, '00 A4 08 0C 06 3F 00 00 01 D0 02')).toBe('90 00');
    expect(await send(card, '00 A4 09 0C 02 D0 01')).toBe('90 00'); // current DF is 0001 now
    expect(await send(card, '00 A4 08 0C 04 00 02 D0 01')).toBe('6A 82');
    expect(await send(card, '00 A4 08 0C 03 00 01 D0')).toBe('67 00');
  });

  it('finds the parent and siblings of the current DF by FID', async () => {
    const card = testCard('T1');
    await send(card, '00 A4 00 0C 02 00 01');
    expect(await send(card, '00 A4 00 0C 02 00 02')).toBe('90 00'); // sibling DF
    expect(await send(card, '00 A4 02 0C 02 2F 00')).toBe('6A 82'); // not a child of 0002
    expect(await send(card, '00 A4 00 0C 02 3F 00')).toBe('90 00');
    await send(card, '00 A4 00 0C 02 3F 00');
    expect(await send(card, '00 A4 02 0C 02 00 01')).toBe('90 00'); // lenient, as OpenSC's IAS-ECC driver needs
  });
});

describe('READ BINARY and UPDATE BINARY', () => {
  it('reads with a 15-bit offset and Le', async () => {
    const card = testCard('T0');
    await send(card, '00 A4 00 0C 02 10 01');
    expect(await send(card, '00 B0 01 00 04')).toBe('00 01 02 03 90 00');
    expect(await send(card, '00 B0 00 FE 02')).toBe('FE FF 90 00');
  });

  it('warns 6282 when the file ends before Le, and 6B00 past the end', async () => {
    const card = testCard('T0');
    await send(card, '00 A4 00 0C 02 10 01');
    expect(await send(card, '00 B0 01 28 10')).toBe('28 29 2A 2B 62 82');
    expect(await send(card, '00 B0 01 2C 01')).toBe('6B 00');
    expect(await send(card, '00 B0 7F FF 01')).toBe('6B 00');
  });

  it('treats Le = 00 as "up to the end" without a warning', async () => {
    const card = testCard('T0');
    await send(card, '00 A4 00 0C 02 2F 00');
    // EF.DIR-like content `61 03 4F 01 AA`: 5 bytes, fewer than 256, no 6282.
    expect(await send(card, '00 B0 00 00 00')).toBe('61 03 4F 01 AA 90 00');
  });

  it('reads by short EF identifier and makes that EF current', async () => {
    const card = testCard('T0');
    expect(await send(card, '00 B0 81 02 02')).toBe('02 03 90 00');
    expect(await send(card, '00 B0 00 00 01')).toBe('00 90 00');
    expect(await send(card, '00 B0 85 00 01')).toBe('6A 82');
  });

  it('needs a current EF, and honours access rules', async () => {
    const card = testCard('T0');
    expect(await send(card, '00 B0 00 00 01')).toBe('69 86');
    await send(card, '00 A4 08 0C 04 00 01 D0 01');
    expect(await send(card, '00 B0 00 00 03')).toBe('69 82');
    card.security.markVerified(1);
    expect(await send(card, '00 B0 00 00 03')).toBe('11 22 33 90 00');
    await send(card, '00 A4 02 0C 02 D0 02');
    expect(await send(card, '00 B0 00 00 01')).toBe('69 86');
    card.reset();
    expect(card.security.isVerified(1)).toBe(false);
  });

  it('updates where allowed and refuses elsewhere', async () => {
    const card = testCard('T0');
    await send(card, '00 A4 00 0C 02 10 01');
    expect(await send(card, '00 D6 00 02 02 AA BB')).toBe('90 00');
    expect(await send(card, '00 B0 00 01 03')).toBe('01 AA BB 90 00');
    expect(await send(card, '00 D6 01 2B 02 AA BB')).toBe('67 00');
    await send(card, '00 A4 00 0C 02 2F 00');
    expect(await send(card, '00 D6 00 00 01 00')).toBe('69 86');
  });
});

describe('T=0 response delivery and GET RESPONSE', () => {
  it('announces case-4 data with 61xx and hands it out with GET RESPONSE', async () => {
    const card = testCard('T0');
    const answer = await send(card, '00 A4 00 04 02 2F 00 00');
    expect(answer.startsWith('61 ')).toBe(true);
    const n = parseInt(answer.slice(3), 16);
    const fcp = await send(card, `00 C0 00 00 ${toHex([n])}`);
    expect(fcp.startsWith('62 ')).toBe(true);
    expect(sw(fcp)).toBe('90 00');
    expect(await send(card, `00 C0 00 00 ${toHex([n])}`)).toBe('69 85'); // nothing left
  });

  it('announces data of a case-3 command too (Cryptolib sends case 4 as case 3)', async () => {
    const card = testCard('T0');
    expect((await send(card, '00 A4 00 04 02 2F 00')).startsWith('61 ')).toBe(true);
    const t1 = testCard('T1');
    expect(await send(t1, '00 A4 00 04 02 2F 00')).toBe('90 00');
  });

  it('answers 6Cxx to a GET RESPONSE asking too much, keeping the data', async () => {
    const card = testCard('T0');
    const n = parseInt((await send(card, '00 A4 00 04 02 2F 00 00')).slice(3), 16);
    expect(await send(card, '00 C0 00 00 00')).toBe(`6C ${toHex([n])}`);
    expect(sw(await send(card, `00 C0 00 00 ${toHex([n])}`))).toBe('90 00');
  });

  it('hands out partial chunks with 61 <rest>', async () => {
    const card = testCard('T0');
    const n = parseInt((await send(card, '00 A4 00 04 02 10 01 00')).slice(3), 16);
    const first = await send(card, '00 C0 00 00 04');
    expect(sw(first)).toBe(`61 ${toHex([n - 4])}`);
  });

  it('loses pending data when another command comes in', async () => {
    const card = testCard('T0');
    await send(card, '00 A4 00 04 02 2F 00 00');
    await send(card, '00 A4 00 0C 02 2F 00');
    expect(await send(card, '00 C0 00 00 05')).toBe('69 85');
  });

  it('T=1 returns case-4 data directly, and the rest with 61xx when Ne is smaller', async () => {
    const card = testCard('T1');
    const fcp = await send(card, '00 A4 00 04 02 2F 00 00');
    expect(fcp.startsWith('62 ')).toBe(true);
    expect(sw(fcp)).toBe('90 00');
    const total = (fcp.length - 5) / 3;
    expect(await send(card, '00 A4 00 04 02 2F 00 04')).toBe(`${fcp.slice(0, 11)} 61 ${toHex([total - 4])}`);
    expect(await send(card, `00 C0 00 00 ${toHex([total - 4])}`)).toBe(fcp.slice(12));
    await send(card, '00 A4 00 0C 02 10 01');
    expect(await send(card, buildCommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0 }, { le: 300 }))).toBe('67 00'); // no extended
  });

  it('reading any file in random chunks through GET RESPONSE rebuilds it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 700 }),
        fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom<CardTransport>('T0', 'T1'),
        async (data, chunkSizes, transport) => {
          const card = new IsoCard({ label: 't', atr: hex('3B 00'), transport, root: mf(ef(0x0101, data)), extendedLength: true });
          await send(card, '00 A4 02 0C 02 01 01');
          // One extended READ BINARY of the whole file: T=0 parks it, T=1 returns up to Ne.
          let answer = await send(card, buildCommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0 }, { le: 65536 }));
          const bytes: string[] = [];
          let turn = 0;
          for (;;) {
            const status = sw(answer);
            if (answer.length > 5) bytes.push(answer.slice(0, -6));
            const announced = parseInt(status.slice(3), 16) || 256;
            // Random chunk sizes, sometimes more than is left: T=0 then answers 6Cxx.
            let want: number;
            if (status.startsWith('61')) want = chunkSizes[turn++ % chunkSizes.length]!;
            else if (status.startsWith('6C')) want = announced;
            else break;
            answer = await send(card, `00 C0 00 00 ${toHex([want & 0xff])}`);
          }
          expect(sw(answer)).toBe('90 00');
          expect(bytes.join(' ')).toBe(toHex(data));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('class byte, instruction and length checks', () => {
  it('answers 6D00 to an unknown instruction and 6E00 to an unknown class', async () => {
    const card = testCard();
    expect(await send(card, '00 E2 00 00')).toBe('6D 00');
    expect(await send(card, '80 A4 00 0C 02 3F 00')).toBe('6E 00');
    expect(await send(card, 'FF A4 00 0C 02 3F 00')).toBe('6E 00');
    expect(await send(card, 'A0 A4 00 0C 02 3F 00')).toBe('6E 00');
    const cps2ter = testCard('T0', { proprietaryClasses: [0xa0] });
    expect(await send(cps2ter, 'A0 A4 00 0C 02 3F 00')).toBe('90 00');
  });

  it('answers 6700 to malformed APDUs and to extended ones when not supported', async () => {
    const card = testCard();
    expect(await send(card, '00 A4 00 0C 05 3F 00')).toBe('67 00');
    expect(await send(card, '00 B0 00 00 00 00 10')).toBe('67 00');
    expect(await send(card, '00 A4 00 0C')).toBe('90 00'); // case 1 SELECT = MF
  });

  it('refuses secure messaging and channels it does not have', async () => {
    const card = testCard();
    expect(await send(card, '0C A4 00 0C 02 3F 00')).toBe('68 82');
    expect(await send(card, '01 A4 00 0C 02 3F 00')).toBe('68 81');
  });

  it('keeps a separate selection per logical channel', async () => {
    const card = testCard('T0', { logicalChannels: 2 });
    expect(await send(card, '01 B0 00 00 01')).toBe('68 81'); // channel 1 not open yet
    expect(await send(card, '00 70 00 00 01')).toBe('01 90 00');
    await send(card, '00 A4 00 0C 02 10 01');
    await send(card, '01 A4 00 0C 02 2F 00');
    expect(await send(card, '00 B0 00 00 01')).toBe('00 90 00');
    expect(await send(card, '01 B0 00 00 01')).toBe('61 90 00');
    expect(await send(card, '00 70 80 01')).toBe('90 00');
    expect(await send(card, '01 B0 00 00 01')).toBe('68 81');
    expect(await send(card, '01 A4 00 0C 02 2F 00')).toBe('90 00'); // SELECT opens it again
    expect(await send(card, '02 A4 00 0C 02 2F 00')).toBe('68 81');
  });

  it('collects chained commands when chaining is supported', async () => {
    const chaining = testCard('T1', { commandChaining: true });
    await send(chaining, '00 A4 00 0C 02 10 01');
    expect(await send(chaining, '10 D6 00 00 02 AA BB')).toBe('90 00');
    expect(await send(chaining, '00 D6 00 00 01 CC')).toBe('90 00');
    expect(await send(chaining, '00 B0 00 00 03')).toBe('AA BB CC 90 00');
    expect(await send(testCard(), '10 D6 00 00 01 AA')).toBe('68 84');
  });
});
