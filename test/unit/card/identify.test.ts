import { describe, expect, it } from 'vitest';
import { parseAtr } from '../../../src-main/card/atr';
import { CardChannel } from '../../../src-main/card/channel';
import { identifyAtr, identifyCard, loadAtrKnowledge, serialFromEfSnIcc } from '../../../src-main/card/identify';
import type { CommandApdu } from '../../../src-main/card/apdu';
import { parseHex, toHex } from '../../../src-shared/hex';
import { reply, ScriptedConnection, sw } from './fake-connection';

const hex = (text: string) => parseHex(text)!;
const CPS3_ATR = hex('3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00');
const CPS3_CL_ATR = hex('3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E');
const EF_SN_ICC = hex('5A 0A 80 25 00 00 01 12 34 56 78 9F');

/** A CPx card as far as identification goes: the IAS application and EF.SN.ICC. */
function cpxCard(options: { aid?: string; efSnIcc?: Uint8Array; readSw?: number } = {}) {
  const aid = options.aid ?? 'E8 28 BD 08 0F 80 25 00 00 01 FF 00 10';
  return new ScriptedConnection((cmd: CommandApdu) => {
    if (cmd.ins === 0xa4 && cmd.p1 === 0x04) {
      if (cmd.p2 === 0x00) return sw(0x6a86); // CPx quirk (OpenSC commit 1a3666364)
      return toHex(cmd.data!) === aid ? sw(0x9000) : sw(0x6a82);
    }
    if (cmd.ins === 0xa4 && cmd.p1 === 0x08) return toHex(cmd.data!) === 'D0 03' ? sw(0x9000) : sw(0x6a82);
    if (cmd.ins === 0xb0) {
      if (options.readSw) return sw(options.readSw);
      return reply((options.efSnIcc ?? EF_SN_ICC).subarray(0, cmd.le), 0x9000);
    }
    return sw(0x6d00);
  });
}

describe('resources/cards/atr-knowledge.json', () => {
  const entries = loadAtrKnowledge();
  const types = ['cps3', 'cps3-contactless', 'cps4', 'vitale1', 'vitale2', 'bank'];

  it('covers every card type the companion names', () => {
    expect(new Set(entries.map((e) => e.type))).toEqual(new Set(types));
    expect(entries.filter((e) => e.type === 'cps4').length).toBe(3);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  });

  it.each(entries.map((e) => [e.id, e] as const))('%s is complete and consistent', (_id, entry) => {
    expect(entry.id).toMatch(/^[a-z0-9-]+$/);
    expect(types).toContain(entry.type);
    const atr = parseHex(entry.atr);
    const mask = parseHex(entry.mask);
    expect(atr).toBeDefined();
    expect(mask?.length).toBe(atr?.length);
    expect(entry.label.fr.length).toBeGreaterThan(3);
    expect(entry.label.en.length).toBeGreaterThan(3);
    expect(entry.source.length).toBeGreaterThan(10);
    expect(() => parseAtr(atr!)).not.toThrow(); // a well-formed ISO 7816-3 ATR
    expect(identifyAtr(atr!).type).toBe(entry.type);
  });
});

describe('identifyAtr', () => {
  it.each([
    ['3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00', 'cps3'],
    ['3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00', 'cps3'],
    ['3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E', 'cps3-contactless'],
    ['3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44', 'cps4'],
    ['3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00', 'cps4'],
    ['3B 75 13 00 00 43 09 EA 90 00', 'vitale2'],
    ['3B 75 13 00 00 4C 09 EA 90 00', 'vitale2'],
    ['3B 75 13 00 00 45 09 FA 90 00', 'vitale2'],
    ['3F 65 25 00 2C 09 69 90 00', 'vitale1'],
    ['3F 65 25 00 A3 09 6A 90 00', 'vitale1'],
    ['3F 65 25 08 22 04 6C 90 00', 'bank'],
    ['3F 65 25 08 22 04 68 90 00', 'unknown'], // France Telecom Pastel card (SCL)
    ['3F 65 25 00 2B 09 69 90 00', 'unknown'], // same Bull CP8 family, a parking card (SCL)
    ['3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 FF FF FF E3', 'unknown'], // hospital card (SCL)
    ['3B 00', 'unknown'],
  ])('%s → %s', (atr, type) => {
    const id = identifyAtr(hex(atr));
    expect(id.type).toBe(type);
    expect(id.label.fr.length).toBeGreaterThan(0);
  });
});

describe('identifyCard', () => {
  it('confirms a CPS3 in three APDUs and reads its serial number', async () => {
    const connection = cpxCard();
    const id = await identifyCard(CPS3_ATR, new CardChannel(connection));
    expect(id).toMatchObject({ type: 'cps3', confirmed: true, serialNumber: '12345678' });
    expect(connection.sent.map((c) => toHex(c))).toEqual([
      '00 A4 04 0C 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10',
      '00 A4 08 0C 02 D0 03',
      '00 B0 00 00 0C',
    ]);
    expect(id.evidence.join('\n')).toMatch(/EF\.SN\.ICC.*12345678/);
  });

  it('uses the contactless AID for a contactless CPS3', async () => {
    const connection = cpxCard({ aid: 'E8 28 BD 08 0F 80 25 00 00 01 FF 00 20' });
    const id = await identifyCard(CPS3_CL_ATR, new CardChannel(connection));
    expect(id).toMatchObject({ type: 'cps3-contactless', confirmed: true });
  });

  it('reports a CPS-looking card without the CPx application as unconfirmed, after one APDU', async () => {
    const connection = cpxCard({ aid: 'A0 00 00 00 00' });
    const id = await identifyCard(CPS3_ATR, new CardChannel(connection));
    expect(id).toMatchObject({ type: 'cps3', confirmed: false });
    expect(id.serialNumber).toBeUndefined();
    expect(id.evidence.join('\n')).toContain('6A82');
    expect(connection.sent.length).toBe(1);
  });

  it('does not confirm a card whose EF.SN.ICC names another issuer or cannot be read', async () => {
    const foreign = await identifyCard(CPS3_ATR, new CardChannel(cpxCard({ efSnIcc: hex('5A 0A 80 25 00 00 02 12 34 56 78 9F') })));
    expect(foreign.confirmed).toBe(false);
    expect(foreign.evidence.join('\n')).toContain('not an ANS serial number');
    const locked = await identifyCard(CPS3_ATR, new CardChannel(cpxCard({ readSw: 0x6982 })));
    expect(locked.confirmed).toBe(false);
    expect(locked.evidence.join('\n')).toContain('6982');
  });

  it('names Vitale and unknown cards from the ATR alone, without talking to them', async () => {
    const connection = new ScriptedConnection(() => sw(0x6d00));
    const vitale = await identifyCard(hex('3B 75 13 00 00 45 09 EA 90 00'), new CardChannel(connection));
    expect(vitale).toMatchObject({ type: 'vitale2', confirmed: false });
    const unknown = await identifyCard(hex('3B 02 14 1C'), new CardChannel(connection));
    expect(unknown).toMatchObject({ type: 'unknown', label: { fr: 'Carte inconnue', en: 'Unknown card' } });
    expect(connection.sent.length).toBe(0);
  });
});

describe('identifyCard evidence in the user\'s language', () => {
  const english = /\b(matches|not an|serial|issuer)\b/;

  it('every line exists in French and in English, French with no English words, APDU lines alike', async () => {
    const confirmed = await identifyCard(CPS3_ATR, new CardChannel(cpxCard()));
    const foreign = await identifyCard(CPS3_ATR, new CardChannel(cpxCard({ efSnIcc: hex('5A 0A 99 99 99 99 99 12 34 56 78 9F') })));
    const unknown = await identifyCard(hex('3B 02 14 50'), new CardChannel(cpxCard()));
    for (const id of [confirmed, foreign, unknown]) {
      expect(id.evidenceText).toHaveLength(id.evidence.length);
      expect(id.evidenceText!.map((l) => l.en)).toEqual(id.evidence);
      for (const line of id.evidenceText!) expect(line.fr, line.fr).not.toMatch(english);
    }
    expect(confirmed.evidenceText!.map((l) => l.fr)).toEqual([
      'ATR 3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00 reconnue : cps3-contact',
      'SELECT AID E828BD080F8025000001FF0010 : 9000',
      'SELECT 3F00/D003 (EF.SN.ICC) : 9000',
      'EF.SN.ICC : émetteur ANS 8025000001, n° de série 12345678',
    ]);
    expect(unknown.evidenceText!.map((l) => l.fr)).toEqual(['ATR 3B 02 14 50 : aucune carte connue de Compagnon e-CPS']);
  });
});

describe('serialFromEfSnIcc', () => {
  it('drops the ANS issuer prefix and the Luhn/padding byte, as the Cryptolib shows it', () => {
    expect(serialFromEfSnIcc(EF_SN_ICC)).toBe('12345678');
    expect(serialFromEfSnIcc(EF_SN_ICC.subarray(0, 11))).toBeUndefined();
    expect(serialFromEfSnIcc(hex('04 0A 80 25 00 00 01 12 34 56 78 9F'))).toBeUndefined();
  });
});
