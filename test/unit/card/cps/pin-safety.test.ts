import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { isEcpsError, type EcpsError } from '../../../../src-shared/errors';
import type { CommandApdu } from '../../../../src-main/card/apdu';
import { encodePinBlock, CPS_PIN_FORMATS } from '../../../../src-main/card/cps/pin-safety';
import { fakeCps, type FaultTiming } from './fake-cps';

const VERIFY = 0x20;

async function failure(promise: Promise<unknown>): Promise<EcpsError> {
  try {
    await promise;
  } catch (error) {
    if (isEcpsError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('PIN format: checked before anything is sent', () => {
  it.each(['123', '12345', '12a4', '', ' 1234', '１２３４'])('PIN %j: PinFormatInvalid, no APDU at all', async (pin) => {
    const { card, connection } = fakeCps();
    const error = await failure(card.verifyPin(pin));
    expect(error.code).toBe('PinFormatInvalid');
    expect(error.text('fr')).toBe('Le code porteur doit comporter 4 chiffres : rien n’a été envoyé à la carte, aucun essai n’est perdu.');
    expect(connection.sent).toHaveLength(0);
  });

  it('a PUK of 7 digits or a new PIN of 5 digits sends nothing', async () => {
    const { card, connection } = fakeCps({ state: { pinTries: 0 } });
    expect((await failure(card.unblockPin('1234567', '4321'))).code).toBe('PinFormatInvalid');
    expect((await failure(card.unblockPin('12345678', '43210'))).code).toBe('PinFormatInvalid');
    expect((await failure(card.changePin('1234', '999'))).code).toBe('PinFormatInvalid');
    expect(connection.sent).toHaveLength(0);
  });

  it('any string that is not exactly 4 digits never reaches the card', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 10 }).filter((s) => !/^\d{4}$/.test(s)), async (pin) => {
        const { card, connection } = fakeCps();
        expect((await failure(card.verifyPin(pin))).code).toBe('PinFormatInvalid');
        expect(connection.sent).toHaveLength(0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('try counter read before every PIN command', () => {
  it('VERIFY comes after SELECT MF + GET DATA, and the right PIN gives 3/3', async () => {
    const { card, commands } = fakeCps({ state: { pinTries: 2 } });
    expect(await card.verifyPin('1234')).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    const pinIns = commands.filter((c) => [0xcb, 0x20].includes(c.ins)).map((c) => c.ins);
    expect(pinIns).toEqual([0xcb, VERIFY]);
  });

  it('CHANGE and RESET RETRY COUNTER are preceded by the counter of the code they check', async () => {
    const { card, commands } = fakeCps({ state: { pinTries: 0 } });
    await card.unblockPin('12345678', '4321');
    const refs = commands.filter((c) => c.ins === 0xcb || c.ins === 0x2c).map((c) => (c.ins === 0xcb ? `GET DATA ${c.data![6]}` : 'RESET'));
    expect(refs).toEqual(['GET DATA 2', 'RESET', 'GET DATA 1']);
    await card.changePin('4321', '5555');
    expect(commands.filter((c) => c.ins === 0xcb || c.ins === 0x24).map((c) => c.ins).slice(-2)).toEqual([0xcb, 0x24]);
  });

  it('pinStatus spends no try: GET DATA only, 3 tries, 1 uses (SELECT MF + GET DATA)', async () => {
    const { card, connection, count } = fakeCps();
    expect(await card.pinStatus()).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    expect(count(VERIFY, false)).toBe(0);
    expect(connection.sent.length).toBeLessThanOrEqual(5); // 2 for the PIN status + EF.DIR probe of the fake
  });
});

describe('wrong PIN, last try, blocked', () => {
  it('a wrong PIN says how many tries are left, in French', async () => {
    const { card } = fakeCps();
    const error = await failure(card.verifyPin('0000'));
    expect(error.code).toBe('PinIncorrect');
    expect(error.text('fr')).toBe('Code porteur incorrect : il reste 2 essais.');
    expect(error.text('en')).toBe('Wrong PIN: 2 attempts left.');
    expect(error.details).toMatchObject({ triesLeft: 2, maxTries: 3 });
    const second = await failure(card.verifyPin('0000', { confirmLastTry: false }));
    expect(second.text('fr')).toBe('Code porteur incorrect : il reste 1 essai.');
  });

  it('with one try left, nothing is sent without confirmLastTry', async () => {
    const { card, count, state } = fakeCps({ state: { pinTries: 1 } });
    const error = await failure(card.verifyPin('1234'));
    expect(error.code).toBe('PinLastTryNeedsConfirmation');
    expect(error.text('fr')).toContain('Il ne reste qu’un essai pour le code porteur');
    expect(count(VERIFY)).toBe(0);
    expect(state.pinTries).toBe(1);
    expect(await card.verifyPin('1234', { confirmLastTry: true })).toMatchObject({ triesLeft: 3 });
    expect(count(VERIFY)).toBe(1);
  });

  it('the last try also guards CHANGE and the PUK', async () => {
    const a = fakeCps({ state: { pinTries: 1 } });
    expect((await failure(a.card.changePin('1234', '5678'))).code).toBe('PinLastTryNeedsConfirmation');
    expect(a.count(0x24)).toBe(0);
    const b = fakeCps({ state: { pinTries: 0, pukTries: 1 } });
    const error = await failure(b.card.unblockPin('12345678', '5678'));
    expect(error.code).toBe('PinLastTryNeedsConfirmation');
    expect(error.text('fr')).toContain('code de déblocage');
    expect(b.count(0x2c)).toBe(0);
  });

  it('a blocked PIN is refused before sending, with the PUK as remedy; a confirmed wrong last try blocks', async () => {
    const { card, count } = fakeCps({ state: { pinTries: 1 } });
    const blocked = await failure(card.verifyPin('0000', { confirmLastTry: true }));
    expect(blocked.code).toBe('PinBlocked');
    const again = await failure(card.verifyPin('1234', { confirmLastTry: true }));
    expect(again.code).toBe('PinBlocked');
    expect(again.remedyText('fr')).toContain('code de déblocage');
    expect(count(VERIFY)).toBe(1);
    expect(await card.unblockPin('12345678', '2468')).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    expect(await card.verifyPin('2468')).toMatchObject({ triesLeft: 3 });
  });

  it('a PUK with no use left counts as blocked (9D = 0)', async () => {
    const { card, count } = fakeCps({ state: { pinTries: 0, pukUses: 0 } });
    expect((await failure(card.unblockPin('12345678', '2468'))).code).toBe('PukBlocked');
    expect(count(0x2c)).toBe(0);
  });
});

describe('ambiguous failures: never a second VERIFY', () => {
  it('card pulled during VERIFY: PinOutcomeUnknown, one VERIFY sent, no retry', async () => {
    const probe = fakeCps();
    await probe.card.verifyPin('1234');
    const at = probe.commands.findIndex((c) => c.ins === VERIFY) + 1;
    const { card, count } = fakeCps({ fault: { at, timing: 'after' } });
    const error = await failure(card.verifyPin('1234'));
    expect(error.code).toBe('PinOutcomeUnknown');
    expect(error.remedyText('fr')).toContain('Ne retapez pas le code');
    expect(error.details).toMatchObject({ statusReread: false, failure: 'CardRemoved', triesLeftBefore: 3 });
    expect(count(VERIFY)).toBe(1);
  });

  it('a counter that cannot be read before VERIFY stops everything: PinStatusUnavailable', async () => {
    const probe = fakeCps();
    await probe.card.verifyPin('1234');
    const at = probe.commands.findIndex((c) => c.ins === 0xcb) + 1;
    const { card, count } = fakeCps({ fault: { at, timing: 'before' } });
    expect((await failure(card.verifyPin('1234'))).code).toBe('PinStatusUnavailable');
    expect(count(VERIFY)).toBe(0);
  });

  it('a wrong PIN whose answer was lost is reported as wrong once the counter is re-read', async () => {
    const probe = fakeCps();
    await probe.card.verifyPin('1234');
    const at = probe.commands.findIndex((c) => c.ins === VERIFY) + 1;
    const { card, count } = fakeCps({ fault: { at, timing: 'after', code: 'CardNotResponding' }, staysBroken: false });
    const error = await failure(card.verifyPin('0000'));
    expect(error.code).toBe('PinIncorrect');
    expect(error.details).toMatchObject({ triesLeft: 2, afterTransmissionError: true, failure: 'CardNotResponding' });
    expect(count(VERIFY)).toBe(1);
  });

  it('fault injected at every APDU position of every PIN operation: at most the one try asked for', async () => {
    type Op = 'verify-right' | 'verify-wrong' | 'change' | 'unblock';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Op>('verify-right', 'verify-wrong', 'change', 'unblock'),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom<FaultTiming>('before', 'after'),
        fc.boolean(),
        async (op, at, timing, staysBroken) => {
          const fake = fakeCps({ state: op === 'unblock' ? { pinTries: 0 } : {}, fault: { at, timing }, staysBroken });
          const run = {
            'verify-right': () => fake.card.verifyPin('1234'),
            'verify-wrong': () => fake.card.verifyPin('0000'),
            change: () => fake.card.changePin('1234', '9999'),
            unblock: () => fake.card.unblockPin('12345678', '9999'),
          }[op];
          const outcome = await run().then(
            () => 'ok',
            (error: unknown) => (isEcpsError(error) ? error.code : 'crash'),
          );
          expect(outcome).not.toBe('crash');
          const pinCommands = fake.commands.filter((c) => [0x20, 0x24, 0x2c].includes(c.ins) && (c.data?.length ?? 0) > 0);
          expect(pinCommands.length).toBeLessThanOrEqual(1);
          const spent = op === 'unblock' ? 10 - fake.state.pukTries : 3 - fake.state.pinTries;
          expect(spent).toBeLessThanOrEqual(op === 'verify-wrong' ? 1 : 0);
          if (outcome === 'PinOutcomeUnknown') expect(pinCommands).toHaveLength(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('PIN buffers', () => {
  it('a PIN given as bytes is zeroed after success, wrong PIN and format error', async () => {
    const { card } = fakeCps();
    for (const [pin, expected] of [['1234', 'ok'], ['0000', 'PinIncorrect'], ['12', 'PinFormatInvalid']] as const) {
      const bytes = new TextEncoder().encode(pin);
      const outcome = await card.verifyPin(bytes).then(() => 'ok', (e: EcpsError) => e.code);
      expect(outcome).toBe(expected);
      expect([...bytes].every((b) => b === 0)).toBe(true);
    }
  });

  it('every PIN block sent is zeroed once the card answered, and flagged sensitive', async () => {
    const { card, channel, state } = fakeCps({ state: { pinTries: 0 } });
    const sentCommands: CommandApdu[] = [];
    const transmit = channel.transmit.bind(channel);
    vi.spyOn(channel, 'transmit').mockImplementation((cmd) => {
      if ([0x20, 0x24, 0x2c].includes(cmd.ins) && cmd.data) sentCommands.push(cmd);
      return transmit(cmd);
    });
    const fill = vi.spyOn(Uint8Array.prototype, 'fill');
    await card.unblockPin('12345678', '8642');
    await card.verifyPin('8642');
    await card.changePin('8642', '1357');
    expect(state.pin).toBe('1357');
    expect(sentCommands).toHaveLength(3);
    for (const cmd of sentCommands) {
      expect(cmd.sensitive).toBe(true);
      expect([...cmd.data!].every((b) => b === 0)).toBe(true);
    }
    expect(fill.mock.calls.filter(([value]) => value === 0).length).toBeGreaterThanOrEqual(8);
    fill.mockRestore();
  });

  it('the PIN never appears in an error, its details or its JSON', async () => {
    const { card } = fakeCps({ fault: { at: 6, timing: 'after' } });
    for (const attempt of [() => card.verifyPin('9731'), () => card.verifyPin('97'), () => card.unblockPin('97319731', '9731')]) {
      const error = await failure(attempt());
      const all = [error.message, error.text('en'), error.remedyText('fr') ?? '', JSON.stringify(error.toJSON('fr')), JSON.stringify(error.details)].join('|');
      expect(all).not.toContain('9731');
      expect(all).not.toContain('39 37 33 31');
    }
  });
});

describe('PIN block encoding', () => {
  it('CPS profile: ASCII digits padded with FF to 8 bytes', () => {
    expect([...encodePinBlock('1234', CPS_PIN_FORMATS.pin)]).toEqual([0x31, 0x32, 0x33, 0x34, 0xff, 0xff, 0xff, 0xff]);
    expect([...encodePinBlock('12345678', CPS_PIN_FORMATS.puk)]).toEqual([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38]);
  });

  it('BCD and ISO 9564 format 2 blocks', () => {
    const bcd = { ...CPS_PIN_FORMATS.pin, encoding: 'bcd' as const };
    expect([...encodePinBlock('1234', bcd)]).toEqual([0x12, 0x34, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect([...encodePinBlock('123', { ...bcd, pad: false })]).toEqual([0x12, 0x3f]);
    expect([...encodePinBlock('1234', { ...bcd, encoding: 'iso9564-1' })]).toEqual([0x24, 0x12, 0x34, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });
});
