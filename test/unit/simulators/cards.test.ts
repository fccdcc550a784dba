import { describe, expect, it } from 'vitest';
import { offeredProtocols } from '../../../simulators/cards/atr-protocols';
import { BANK_CARD_ATR, createBankCard } from '../../../simulators/cards/bank-card';
import {
  createVirtualCard,
  parseVirtualCardKind,
  VIRTUAL_CARD_DESCRIPTIONS,
  VIRTUAL_CARD_KINDS,
} from '../../../simulators/cards/catalog';
import { createCps3, CPS3_ATR, CPX_MF_NAME, encodeEfSnIcc, luhnCheckDigit } from '../../../simulators/cards/cps3';
import { createForeignCard, FOREIGN_CARD_ATR } from '../../../simulators/cards/foreign-card';
import { createVitale2 } from '../../../simulators/cards/vitale2';
import { isEcpsError } from '../../../src-shared/errors';
import { toHex } from '../../../src-shared/hex';
import { send, sw } from './helpers';

const CPX_AID = 'E8 28 BD 08 0F 80 25 00 00 01 FF 00 10';

/** Reads a whole transparent EF the way the Cryptolib does on a T=0 card. */
async function readEf(card: ReturnType<typeof createCps3>, path: string): Promise<string> {
  expect(await send(card, `00 A4 08 0C ${toHex([path.replace(/ /g, '').length / 2])} ${path}`)).toBe('90 00');
  const answer = await send(card, '00 B0 00 00 00');
  expect(sw(answer)).toBe('90 00');
  return answer.slice(0, -6);
}

describe('CPS3', () => {
  it('has the CPS3 contact ATR, T=0 only', () => {
    const card = createCps3();
    expect(toHex(card.atr())).toBe('3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00');
    expect(offeredProtocols(CPS3_ATR)).toEqual(['T0']);
  });

  it('selects the CPx application with P2=0C (no data) and P2=04 (FCP), refuses P2=00 with 6A86', async () => {
    const card = createCps3();
    expect(await send(card, `00 A4 04 0C 0D ${CPX_AID}`)).toBe('90 00');
    // FCP (T=0: announced with 61xx), as OpenSC's IAS-ECC driver and Cryptolib ask for it.
    const announce = await send(card, `00 A4 04 04 0D ${CPX_AID} 00`);
    expect(announce).toMatch(/^61 /);
    const fcp = await send(card, `00 C0 00 00 ${announce.slice(3)}`);
    expect(fcp.startsWith('62 ')).toBe(true);
    expect(fcp).toContain(`84 0D ${CPX_AID}`);
    expect(await send(card, `00 A4 04 00 0D ${CPX_AID} 00`)).toBe('6A 86');
    expect(await send(card, '00 A4 02 00 02 00 01 00')).toBe('6A 86');
    // The MF's name (EF.ATR) with P2=00: selected, no data.
    expect(await send(card, `00 A4 04 00 08 ${toHex(CPX_MF_NAME)}`)).toBe('90 00');
    // The IAS DF is 3F00/0001, also reachable by FID with FCP (OpenSC selects FIDs with P2=04)…
    expect(await send(card, '00 A4 00 0C 02 3F 00')).toBe('90 00');
    expect(await send(card, '00 A4 02 04 02 00 01 00')).toMatch(/^61 /);
    // …and from there the MF by its FID with P1=02, as OpenSC does before reading the PIN policy.
    expect(await send(card, '00 A4 02 0C 02 3F 00')).toBe('90 00');
  });

  it('lists both CPx applications in EF.DIR, contactless first, by AID only (no path)', async () => {
    const dir = await readEf(createCps3(), '2F 00');
    expect(dir).toBe(
      `61 1B 4F 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 20 50 0A ${toHex(Buffer.from('CPX IAS CL'))} ` +
        `61 18 4F 0D ${CPX_AID} 50 07 ${toHex(Buffer.from('CPX IAS'))}`,
    );
  });

  it('gives 8 random bytes to GET CHALLENGE, and only 8', async () => {
    const card = createCps3();
    const a = await send(card, '00 84 00 00 08');
    const b = await send(card, '00 84 00 00 08');
    expect(a.split(' ')).toHaveLength(10);
    expect(a.endsWith('90 00')).toBe(true);
    expect(a).not.toBe(b);
    expect(await send(card, '00 84 00 00 10')).toBe('67 00');
  });

  it('starts EF.ATR with the stray 80 byte of CPx cards', async () => {
    expect((await readEf(createCps3(), '2F 01')).startsWith('80 ')).toBe(true);
  });

  it('stores the serial in EF.SN.ICC: 5A 0A, issuer 80 25 00 00 01, digits, Luhn, F', async () => {
    const content = await readEf(createCps3({ serialNumber: '12345678' }), 'D0 03');
    const digits = '802500000112345678';
    expect(content).toBe(`5A 0A 80 25 00 00 01 12 34 56 78 ${luhnCheckDigit(digits)}F`);
    expect(content.split(' ')).toHaveLength(12);
    expect(() => encodeEfSnIcc('1234')).toThrow(RangeError);
  });

  it('computes Luhn check digits like ISO 7812', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(luhnCheckDigit('1000281383')).toBe(9); // RPPS 10002813839 (domain.md §4)
  });

  it('answers in T=0 style: 61xx then GET RESPONSE', async () => {
    const card = createCps3();
    const announce = await send(card, '00 A4 08 04 04 3F 00 D0 03 00');
    expect(announce).toMatch(/^61 [0-9A-F]{2}$/);
    const fcp = await send(card, `00 C0 00 00 ${announce.slice(3)}`);
    expect(fcp).toContain('80 02 00 0C'); // EF.SN.ICC is 12 bytes
    expect(sw(fcp)).toBe('90 00');
  });

  it('takes extra IAS files and instructions for the next issue', async () => {
    const card = createCps3({ commands: { 0x20: (_cmd, ctx) => (ctx.card.security.markVerified(1), { sw: 0x9000 }) } });
    expect(await send(card, '00 20 00 01 04 31 32 33 34')).toBe('90 00');
    expect(card.security.isVerified(1)).toBe(true);
  });
});

describe('Vitale 2', () => {
  it('has a Vitale 2 ATR and answers SELECT of its applications', async () => {
    const card = createVitale2();
    expect(toHex(card.atr())).toMatch(/^3B 75 13 00 00 4[0-9A-F] 09 EA 90 00$/);
    expect(toHex(createVitale2({ atrVariant: 5 }).atr())).toBe('3B 75 13 00 00 45 09 EA 90 00');
    expect(await send(card, '00 A4 04 0C 0B D2 50 00 00 02 56 49 54 41 4C 45')).toBe('90 00');
    expect(await send(card, '00 A4 04 0C 0E D2 50 00 00 02 4D 46 5F 56 49 54 41 4C 45')).toBe('90 00');
    expect(await send(card, '00 A4 04 0C 0C D2 50 00 00 04 41 64 E8 6C 65 01 01')).toBe('90 00');
    expect(await send(card, `00 A4 04 0C 0D ${CPX_AID}`)).toBe('6A 82');
  });
});

describe('French bank card', () => {
  it('has an inverse-convention B0prime ATR and only knows EMV applications', async () => {
    const card = createBankCard();
    expect(toHex(card.atr())).toMatch(/^3F 65 25 .. .. 04 6C 90 .0$/);
    expect(offeredProtocols(BANK_CARD_ATR)).toEqual(['T0']);
    const pse = await send(card, `00 A4 04 00 0E ${toHex(Buffer.from('1PAY.SYS.DDF01'))} 00`);
    expect(pse).toMatch(/^61 /);
    expect((await send(card, `00 C0 00 00 ${pse.slice(3)}`)).startsWith('6F ')).toBe(true);
    expect(await send(card, '00 A4 04 0C 07 A0 00 00 00 42 10 10')).toBe('90 00');
    expect(await send(card, `00 A4 04 0C 0D ${CPX_AID}`)).toBe('6A 82');
  });
});

describe('foreign card', () => {
  it('offers T=1 with a valid TCK and knows no French application', async () => {
    const card = createForeignCard();
    expect(offeredProtocols(FOREIGN_CARD_ATR)).toEqual(['T1']);
    expect(FOREIGN_CARD_ATR.slice(1).reduce((x, b) => x ^ b, 0)).toBe(0);
    expect(await send(card, `00 A4 04 0C 0D ${CPX_AID}`)).toBe('6A 82');
    expect(await send(card, '00 A4 04 0C 0B D2 50 00 00 02 56 49 54 41 4C 45')).toBe('6A 82');
  });
});

describe('catalogue', () => {
  it('creates every kind, with bilingual descriptions matching the card', () => {
    for (const kind of VIRTUAL_CARD_KINDS) {
      const card = createVirtualCard(kind);
      expect(toHex(card.atr())).toBe(VIRTUAL_CARD_DESCRIPTIONS[kind].atr);
      expect(VIRTUAL_CARD_DESCRIPTIONS[kind].description.fr).not.toBe('');
      expect(VIRTUAL_CARD_DESCRIPTIONS[kind].description.en).not.toBe('');
    }
  });

  it('parses kinds and rejects unknown ones with a coded error', () => {
    expect(parseVirtualCardKind(' CPS3 ')).toBe('cps3');
    try {
      parseVirtualCardKind('cps5');
      expect.unreachable();
    } catch (error) {
      expect(isEcpsError(error, 'UnknownCardKind')).toBe(true);
    }
  });

  it('applies options and faults', async () => {
    const card = createVirtualCard('cps3', { serialNumber: '87654321', faults: ['mute'] });
    expect(card.label).toContain('[mute]');
    expect(await send(card, '00 A4 00 0C 02 3F 00')).toBe('mute');
  });
});
