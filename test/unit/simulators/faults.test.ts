import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCps3 } from '../../../simulators/cards/cps3';
import { applyFaults, formatFaultSpec, parseFaultSpec, parseFaultSpecs } from '../../../simulators/cards/faults';
import { isEcpsError } from '../../../src-shared/errors';
import { send, sw } from './helpers';

const SELECT_SN = '00 A4 08 0C 04 3F 00 D0 03';

describe('parseFaultSpec', () => {
  it('reads every fault the CLI accepts', () => {
    expect(parseFaultSpec('mute')).toEqual({ kind: 'mute', afterCommands: 0 });
    expect(parseFaultSpec('mute:3')).toEqual({ kind: 'mute', afterCommands: 3 });
    expect(parseFaultSpec(' SLOW:200 ')).toEqual({ kind: 'slow', delayMs: 200 });
    expect(parseFaultSpec('drop:3')).toEqual({ kind: 'drop', atCommand: 3 });
    expect(parseFaultSpec('wrong-le')).toEqual({ kind: 'wrong-le' });
    expect(parseFaultSpec('no-get-response')).toEqual({ kind: 'no-get-response' });
    expect(parseFaultSpecs(['slow:50,drop:4', 'mute:9']).map(formatFaultSpec)).toEqual(['slow:50', 'drop:4', 'mute:9']);
  });

  it('explains what is wrong, in a coded bilingual error', () => {
    for (const bad of ['explode', 'slow', 'slow:abc', 'drop:0', 'mute:-1', 'wrong-le:2', 'slow:1:2']) {
      try {
        parseFaultSpec(bad);
        expect.unreachable(bad);
      } catch (error) {
        expect(isEcpsError(error, 'FaultSpecInvalid'), bad).toBe(true);
        if (isEcpsError(error)) {
          expect(error.details.spec).toBe(bad);
          expect(String(error.details.reason)).not.toBe('');
          expect(error.remedyText('en')).toContain('drop:N');
        }
      }
    }
  });
});

describe('faults on a card', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('mute: answers N commands, then nothing until a reset', async () => {
    const card = applyFaults(createCps3(), ['mute:2']);
    expect(await send(card, SELECT_SN)).toBe('90 00');
    expect(await send(card, SELECT_SN)).toBe('90 00');
    expect(await send(card, SELECT_SN)).toBe('mute');
    card.reset();
    expect(await send(card, SELECT_SN)).toBe('90 00');
  });

  it('slow: delays every answer by the given time', async () => {
    vi.useFakeTimers();
    const card = applyFaults(createCps3(), ['slow:200']);
    let answer: string | undefined;
    void send(card, SELECT_SN).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(199);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toBe('90 00');
  });

  it('drop: the card leaves during the Nth command after power-on', async () => {
    const card = applyFaults(createCps3(), [{ kind: 'drop', atCommand: 2 }]);
    card.powerOn();
    expect(await send(card, SELECT_SN)).toBe('90 00');
    expect(await send(card, SELECT_SN)).toBe('drop');
    expect(await send(card, SELECT_SN)).toBe('90 00');
  });

  it('wrong-le: a too-large Le gets 6Cxx, the right one gets the data', async () => {
    const plain = createCps3();
    const card = applyFaults(createCps3(), ['wrong-le']);
    await send(plain, SELECT_SN);
    await send(card, SELECT_SN);
    expect(sw(await send(plain, '00 B0 00 00 20'))).toBe('62 82');
    expect(await send(card, '00 B0 00 00 20')).toBe('6C 0C');
    expect(await send(card, '00 B0 00 00 00')).toBe('6C 0C');
    expect(sw(await send(card, '00 B0 00 00 0C'))).toBe('90 00');
    expect(await send(card, '00 B0 00 00 04')).toBe('5A 0A 80 25 90 00');
  });

  it('no-get-response: data comes back directly even in T=0, and 00 C0 is unknown', async () => {
    const plain = createCps3();
    const card = applyFaults(createCps3(), ['no-get-response']);
    const announced = await send(plain, '00 A4 08 04 04 3F 00 D0 03 00');
    expect(announced).toMatch(/^61 /);
    const full = await send(plain, `00 C0 00 00 ${announced.slice(3)}`);
    expect(await send(card, '00 A4 08 04 04 3F 00 D0 03 00')).toBe(full);
    expect(await send(card, '00 C0 00 00 10')).toBe('6D 00');
  });

  it('stacks faults and shows them in the label', async () => {
    const card = applyFaults(createCps3(), ['no-get-response', 'mute:1']);
    expect(card.label).toBe('CPS3 (virtuelle) [no-get-response] [mute:1]');
    expect(sw(await send(card, '00 A4 08 04 04 3F 00 D0 03 00'))).toBe('90 00');
    expect(await send(card, SELECT_SN)).toBe('mute');
  });
});
