import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeCommand } from '../../../src-main/card/apdu';
import { type CpsCard } from '../../../src-main/card/cps/cps-card';
import { ApduTrace, redactCommand } from '../../../src-main/reader/apdu-trace';
import { parseHex } from '../../../src-shared/hex';
import { openVirtual } from '../card/cps/virtual-cps';

const entry = (command: string, response = '90 00', sensitive = false) => ({
  command: parseHex(command)!,
  response: parseHex(response)!,
  ms: 1.234,
  sensitive,
});

describe('APDU trace redaction', () => {
  it('keeps CLA INS P1 P2 Lc (and Le), replaces the data', () => {
    expect(redactCommand(parseHex('00 20 00 01 08 31 32 33 34 FF FF FF FF')!)).toBe('00 20 00 01 08 ** redacted (8 bytes) **');
    expect(redactCommand(parseHex('00 2C 00 01 03 01 02 03 00')!)).toBe('00 2C 00 01 03 ** redacted (3 bytes) ** 00');
    expect(redactCommand(parseHex('00 24 00 01 00 00 02 AA BB')!)).toBe('00 24 00 01 00 00 02 ** redacted (2 bytes) **');
    expect(redactCommand(parseHex('01 20 00 01')!)).toBe('01 20 00 01'); // CPS4 counter query: no data
    expect(redactCommand(parseHex('00 20 00 01 09 31 32')!)).toBe('00 20 00 01 ** redacted (3 bytes) **'); // malformed
  });

  it('redacts by INS (20, 24, 2C, any CLA) even without the sensitive flag, and by the flag alone', () => {
    const trace = new ApduTrace();
    trace.record(entry('00 20 00 01 04 31 32 33 34'));
    trace.record(entry('10 24 00 01 02 35 36'));
    trace.record(entry('81 2C 00 01 02 37 38'));
    trace.record(entry('00 2A 9E 9A 02 39 30 00', '90 00', true));
    trace.record(entry('00 B0 00 00 04', '31 32 33 34 90 00'));
    const [verify, change, reset, flagged, read] = trace.list();
    for (const e of [verify, change, reset, flagged]) {
      expect(e!.redacted).toBe(true);
      expect(e!.command).toMatch(/\*\* redacted \(\d+ bytes\) \*\*/);
    }
    expect(read).toMatchObject({ command: '00 B0 00 00 04', response: '31 32 33 34 90 00', sw: '9000', redacted: false, ms: 1.23 });
  });

  it('whatever the command bytes, a PIN-carrying command shows no data byte', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x20, 0x24, 0x2c),
        fc.integer({ min: 0, max: 0xff }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
        (ins, cla, data, le) => {
          const command = encodeCommand({ cla, ins, p1: 0, p2: 1, data, le }, { extended: true });
          const trace = new ApduTrace();
          trace.record({ command, response: Uint8Array.of(0x63, 0xc2), ms: 0, sensitive: false });
          const shown = trace.list()[0]!.command;
          expect(shown).toContain(`** redacted (${data.length} bytes) **`);
          expect(shown.replace(/\*\*.*\*\*/, '').trim().split(' ').length).toBeLessThanOrEqual(4 + 3 + 2);
        },
      ),
    );
  });

  it('is bounded: the oldest entries go, and the text says how many', () => {
    const trace = new ApduTrace({ maxEntries: 3, now: () => new Date('2025-01-02T03:04:05Z') });
    for (let i = 0; i < 5; i++) trace.record(entry(`00 B0 00 0${i} 01`, '00 90 00'));
    expect(trace.list().map((e) => e.command)).toEqual(['00 B0 00 02 01', '00 B0 00 03 01', '00 B0 00 04 01']);
    expect(trace.droppedCount).toBe(2);
    expect(trace.toText()).toContain('2 earlier exchange(s) dropped');
    expect(trace.toText()).toContain('2025-01-02T03:04:05.000Z');
    expect(trace.toJSON()).toMatchObject({ dropped: 2, entries: [{ sw: '9000' }, {}, {}] });
    trace.clear();
    expect(trace.list()).toHaveLength(0);
  });
});

describe('a trace of verify / change / unblock on the virtual CPS holds no PIN or PUK byte', () => {
  const PIN = '9586';
  const NEW_PIN = '7405';
  const PUK = '86420975';
  const forms = (code: string) => {
    const ascii = [...code].map((c) => c.charCodeAt(0).toString(16).toUpperCase());
    const bcd = code.match(/../g)!;
    return [ascii.join(' '), ascii.join(''), bcd.join(' '), bcd.join('')];
  };

  it.each(['cps3', 'cps4'] as const)('%s', async (kind) => {
    const { application, trace } = await openVirtual(kind, { pin: PIN, puk: PUK, variant: 'blocked' });
    const cps = application as CpsCard;
    await cps.unblockPin('11112222', NEW_PIN).catch(() => undefined); // wrong PUK
    await cps.unblockPin(PUK, PIN);
    await cps.verifyPin('0000').catch(() => undefined);
    await cps.verifyPin(new TextEncoder().encode(PIN));
    await cps.changePin(PIN, NEW_PIN);
    await cps.verifyPin(NEW_PIN);
    const pinCommands = trace.list().filter((e) => / (20|24|2C) 00 0\d [0-9A-F]{2} \*\*/.test(e.command));
    expect(pinCommands.length).toBe(6);
    const text = trace.toText();
    const json = JSON.stringify(trace.toJSON());
    const hexFields = trace.list().map((e) => `${e.command}|${e.response}`).join('\n');
    for (const code of [PIN, NEW_PIN, PUK, '11112222']) {
      const [asciiSpaced, asciiPlain, bcdSpaced, bcdPlain] = forms(code);
      for (const haystack of [text, json, text.replace(/ /g, '')]) {
        expect(haystack).not.toContain(asciiSpaced);
        expect(haystack).not.toContain(asciiPlain);
      }
      expect(hexFields).not.toContain(bcdSpaced);
      expect(hexFields.replace(/ /g, '')).not.toContain(bcdPlain);
    }
  });
});
