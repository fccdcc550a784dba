import { describe, expect, it } from 'vitest';
import { ReaderRecord } from '../../../native-bindings/pcsc/reader-record';
import { plausibleEventAtr } from '../../../native-bindings/pcsc/native-calls';
import { pcsc, type NativeReader } from '../../../native-bindings/pcsc/native';

const S = pcsc.ReaderStatus;
/** Raw status as pcscd sends it: flags in the low bits, an event counter in the upper 16. */
const flags = (counter: number, ...bits: number[]) =>
  new pcsc.ReaderStatusFlags((counter << 16) | bits.reduce((a, b) => a | b, 0));

describe('ReaderRecord', () => {
  it('reads flags with has(), whatever the event counter in the upper bits', () => {
    const rec = new ReaderRecord('R', {} as NativeReader);
    expect(rec.apply(flags(5, S.CHANGED, S.PRESENT))).toBe('inserted'); // raw 0x50022 as measured
    expect(rec.apply(flags(6, S.CHANGED, S.PRESENT, S.IN_USE))).toBeUndefined();
    expect(rec.inUseFlag).toBe(true);
    expect(rec.apply(flags(7, S.CHANGED, S.EMPTY))).toBe('removed');
    expect(rec.apply(flags(8, S.EMPTY))).toBeUndefined();
  });

  it('snapshot: inUse ignores our own handles, counts exclusivity and SharingViolation; mute', () => {
    const rec = new ReaderRecord('R', {} as NativeReader);
    rec.apply(flags(1, S.PRESENT, S.IN_USE));
    rec.atr = Uint8Array.of(0x3b, 0x00);
    expect(rec.snapshot(true)).toEqual({ name: 'R', cardPresent: true, atr: Uint8Array.of(0x3b, 0), inUse: false, mute: false });
    expect(rec.snapshot(false).inUse).toBe(true);
    rec.apply(flags(2, S.PRESENT, S.EXCLUSIVE, S.IN_USE));
    expect(rec.snapshot(true).inUse).toBe(true);
    rec.apply(flags(3, S.PRESENT));
    rec.heldElsewhere = true;
    expect(rec.snapshot(true).inUse).toBe(true);
    rec.apply(flags(4, S.EMPTY));
    rec.apply(flags(5, S.PRESENT, S.MUTE));
    expect(rec.snapshot(false)).toMatchObject({ cardPresent: true, mute: true, inUse: false });
    expect(rec.snapshot(false).atr).toBeUndefined();
  });
});

describe('plausibleEventAtr', () => {
  it('drops the bogus ATR pcsc-mini reports on Linux (25 00 00 …), keeps real-looking ones', () => {
    expect(plausibleEventAtr(Uint8Array.of(0x25, 0, 0, 0))).toBeUndefined();
    expect(plausibleEventAtr(new Uint8Array(0))).toBeUndefined();
    expect(Array.from(plausibleEventAtr(Uint8Array.of(0x3b, 0x00))!)).toEqual([0x3b, 0x00]);
    expect(Array.from(plausibleEventAtr(Uint8Array.of(0x3f, 0x00))!)).toEqual([0x3f, 0x00]);
  });
});
