/**
 * PIN and PUK of a CPx card: the reference data, their try and use counters, the PIN block
 * format, and the ISO 7816-4 commands that act on them — VERIFY (20), CHANGE REFERENCE DATA
 * (24), RESET RETRY COUNTER (2C). Shared by the CPS3 and the CPS4, which differ only in how
 * P2 names a reference and in which application must be selected (see `PinCommandOptions`).
 *
 * Facts: PIN ref 1, 4 digits, 3 tries; PUK ref 2, 8 digits, 10 tries, 100 uses; usage 0 means
 * blocked [C] (domain.md §3, Cryptolib `card-cps.c` `_cps_get_pin_info`). The block on the
 * wire is what the AODF says: ASCII digits padded with padChar to storedLength [C] (Cryptolib
 * `sec.c` `sc_build_pin` with the AODF's stored length and pad char; the values are ours [?]).
 * Command forms follow ISO 7816-4 §11.5.6–11.5.10 as Cryptolib's `iso7816_build_pin_apdu`
 * and `card-cps4.c` `cps4_build_pin_apdu` send them [C]. A malformed block answers 6A80 and
 * spends no try [I]: on a real card a typo in length must never cost a try, and this is what
 * the companion's PIN safety rules are tested against.
 */
import { SW } from './apdu';
import type { CommandContext, CommandHandler } from './iso-card';
import type { CardResponse } from './response-delivery';
import { tlv } from './tlv';

/** Status words of the PIN commands that apdu.ts does not name (ISO 7816-4 §5.6). */
export const PIN_SW = {
  AUTH_METHOD_BLOCKED: 0x6983,
  REFERENCE_NOT_FOUND: 0x6a88,
} as const;

export interface PinBlockFormat {
  minLength: number;
  maxLength: number;
  storedLength: number;
  padChar: number;
}

export interface ReferenceDataSpec {
  reference: number;
  value: string;
  format: PinBlockFormat;
  maxTries: number;
  triesLeft?: number;
  /** PUK only: how many unblocks the card allows. */
  maxUses?: number;
  usesLeft?: number;
  /** PIN only: the reference of the PUK that unblocks it. */
  unblockedBy?: number;
}

export interface ReferenceData extends ReferenceDataSpec {
  triesLeft: number;
}

export const PIN_FORMAT: PinBlockFormat = { minLength: 4, maxLength: 4, storedLength: 8, padChar: 0xff };
export const PUK_FORMAT: PinBlockFormat = { minLength: 8, maxLength: 8, storedLength: 8, padChar: 0xff };

/** The block a host must send for `code` (used by tests and as the reference for readers). */
export function encodePinBlock(code: string, format: PinBlockFormat): Uint8Array {
  const block = new Uint8Array(format.storedLength).fill(format.padChar);
  block.set(Uint8Array.from(code, (c) => c.charCodeAt(0)));
  return block;
}

/** The digits in a block, or undefined when the block is not exactly what the AODF describes. */
export function parsePinBlock(block: Uint8Array, format: PinBlockFormat): string | undefined {
  if (block.length !== format.storedLength) return undefined;
  let digits = 0;
  while (digits < block.length && block[digits]! >= 0x30 && block[digits]! <= 0x39) digits++;
  if (digits < format.minLength || digits > format.maxLength) return undefined;
  for (let i = digits; i < block.length; i++) if (block[i] !== format.padChar) return undefined;
  return String.fromCharCode(...block.subarray(0, digits));
}

/** The card's non-volatile reference data (survives resets, unlike the "verified" state). */
export class CardPins {
  private readonly data = new Map<number, ReferenceData>();

  constructor(specs: readonly ReferenceDataSpec[]) {
    for (const spec of specs) {
      const triesLeft = spec.triesLeft ?? spec.maxTries;
      if (parsePinBlock(encodePinBlock(spec.value, spec.format), spec.format) !== spec.value) {
        throw new RangeError(
          `reference ${spec.reference}: a code of ${spec.format.minLength}–${spec.format.maxLength} digits is expected`,
        );
      }
      this.data.set(spec.reference, { ...spec, triesLeft });
    }
  }

  get(reference: number): ReferenceData | undefined {
    return this.data.get(reference);
  }

  isBlocked(rd: ReferenceData): boolean {
    return rd.triesLeft === 0 || rd.usesLeft === 0;
  }
}

export const triesLeftSw = (n: number): number => 0x63c0 | (n & 0x0f);

export interface PinCommandOptions {
  pins: CardPins;
  /** The reference P2 names (an unknown one answers 6A88). CPS4 sets b8 ("specific") in some commands. */
  reference(p2: number): number;
  /** A status word when the command cannot run here (e.g. CPS4: ChipDoc not selected). */
  guard?(ctx: CommandContext): number | undefined;
}

const fail = (sw: number): CardResponse => ({ sw });

/** Compares a presented code; counts the try either way, as the card's counter does. */
function present(rd: ReferenceData, code: string, ctx: CommandContext): number {
  if (code === rd.value) {
    rd.triesLeft = rd.maxTries;
    ctx.card.security.markVerified(rd.reference);
    return SW.OK;
  }
  rd.triesLeft = Math.max(0, rd.triesLeft - 1);
  ctx.card.security.forget(rd.reference);
  return rd.triesLeft === 0 ? PIN_SW.AUTH_METHOD_BLOCKED : triesLeftSw(rd.triesLeft);
}

export function pinCommands(options: PinCommandOptions): Record<number, CommandHandler> {
  const { pins } = options;
  const lookup = (cmd: { p2: number }, ctx: CommandContext): ReferenceData | CardResponse => {
    const refused = options.guard?.(ctx);
    if (refused !== undefined) return fail(refused);
    return pins.get(options.reference(cmd.p2)) ?? fail(PIN_SW.REFERENCE_NOT_FOUND);
  };

  const verify: CommandHandler = (cmd, ctx) => {
    const rd = lookup(cmd, ctx);
    if ('sw' in rd) return rd;
    if (cmd.p1 === 0xff) {
      // ISO 7816-4 §11.5.6: P1 = FF resets the verification status (a "logout").
      if (cmd.data.length > 0) return fail(SW.WRONG_LENGTH);
      ctx.card.security.forget(rd.reference);
      return fail(SW.OK);
    }
    if (cmd.p1 !== 0x00) return fail(SW.INCORRECT_P1P2);
    if (cmd.data.length === 0) {
      // No data: the counter without a try (CPS4 `_cps4_get_pin_counter` [C]); 9000 when verified (ISO).
      if (pins.isBlocked(rd)) return fail(PIN_SW.AUTH_METHOD_BLOCKED);
      return fail(ctx.card.security.isVerified(rd.reference) ? SW.OK : triesLeftSw(rd.triesLeft));
    }
    if (pins.isBlocked(rd)) return fail(PIN_SW.AUTH_METHOD_BLOCKED);
    const code = parsePinBlock(cmd.data, rd.format);
    if (code === undefined) return fail(SW.WRONG_DATA);
    return fail(present(rd, code, ctx));
  };

  const change: CommandHandler = (cmd, ctx) => {
    const rd = lookup(cmd, ctx);
    if ('sw' in rd) return rd;
    const size = rd.format.storedLength;
    if (cmd.p1 === 0x00) {
      if (cmd.data.length !== 2 * size) return fail(SW.WRONG_DATA);
      const old = parsePinBlock(cmd.data.subarray(0, size), rd.format);
      const next = parsePinBlock(cmd.data.subarray(size), rd.format);
      if (old === undefined || next === undefined) return fail(SW.WRONG_DATA);
      if (pins.isBlocked(rd)) return fail(PIN_SW.AUTH_METHOD_BLOCKED);
      const sw = present(rd, old, ctx);
      if (sw === SW.OK) rd.value = next;
      return fail(sw);
    }
    if (cmd.p1 === 0x01) {
      // New value only: the old one was verified before (CPS4 change = VERIFY then 24 01 [C]),
      // or the PUK was (CPS4 unblock = VERIFY PUK, 2C 03, then 24 01 [C]).
      const next = parsePinBlock(cmd.data, rd.format);
      if (next === undefined) return fail(SW.WRONG_DATA);
      const puk = rd.unblockedBy === undefined ? undefined : pins.get(rd.unblockedBy);
      const allowed = ctx.card.security.isVerified(rd.reference) || (puk && ctx.card.security.isVerified(puk.reference));
      if (!allowed) return fail(SW.SECURITY_NOT_SATISFIED);
      if (pins.isBlocked(rd)) return fail(PIN_SW.AUTH_METHOD_BLOCKED);
      rd.value = next;
      rd.triesLeft = rd.maxTries;
      return fail(SW.OK);
    }
    return fail(SW.INCORRECT_P1P2);
  };

  /** P1: 00 PUK + new PIN, 01 PUK only, 02 new PIN only, 03 nothing (02/03 after VERIFY PUK). */
  const resetRetryCounter: CommandHandler = (cmd, ctx) => {
    const rd = lookup(cmd, ctx);
    if ('sw' in rd) return rd;
    if (cmd.p1 > 0x03) return fail(SW.INCORRECT_P1P2);
    const puk = rd.unblockedBy === undefined ? undefined : pins.get(rd.unblockedBy);
    if (!puk) return fail(PIN_SW.REFERENCE_NOT_FOUND);
    const withPuk = cmd.p1 === 0x00 || cmd.p1 === 0x01;
    const withNewPin = cmd.p1 === 0x00 || cmd.p1 === 0x02;
    const expected = (withPuk ? puk.format.storedLength : 0) + (withNewPin ? rd.format.storedLength : 0);
    if (cmd.data.length !== expected) return fail(SW.WRONG_DATA);
    const pukCode = withPuk ? parsePinBlock(cmd.data.subarray(0, puk.format.storedLength), puk.format) : '';
    const newPin = withNewPin ? parsePinBlock(cmd.data.subarray(withPuk ? puk.format.storedLength : 0), rd.format) : '';
    if (pukCode === undefined || newPin === undefined) return fail(SW.WRONG_DATA);
    if (pins.isBlocked(puk)) return fail(PIN_SW.AUTH_METHOD_BLOCKED);
    if (withPuk) {
      const sw = present(puk, pukCode, ctx);
      if (sw !== SW.OK) return fail(sw);
    } else if (!ctx.card.security.isVerified(puk.reference)) {
      return fail(SW.SECURITY_NOT_SATISFIED);
    }
    if (puk.usesLeft !== undefined) puk.usesLeft -= 1;
    if (withNewPin) rd.value = newPin;
    rd.triesLeft = rd.maxTries;
    return fail(SW.OK);
  };

  return { 0x20: verify, 0x24: change, 0x2c: resetRetryCounter };
}

/** The DOCP (A0) of a CHV SDO, as IAS-ECC GET DATA returns it (OpenSC `iasecc-sdo.h` tags). */
export function chvDocp(rd: ReferenceData, unblocker: number | undefined): Uint8Array {
  // A real CPx's PIN DOCP (OpenSC issue #2275, Cryptolib trace): counters first, then the
  // ACLs A1 { 8C F3 00 00 13 FF 00 }: AMB F3 = change, verify, reset, put data, get data;
  // SCB 00 = always, 13 = after user authentication (SE 3), FF = never. OpenSC refuses a DOCP
  // without ACLs. A reference with no unblocker cannot be reset (FF) [I].
  const reset = unblocker === undefined ? 0xff : 0x13;
  const uses = rd.usesLeft === undefined ? [] : [tlv(0x9d, countBytes(rd.usesLeft))];
  return tlv(
    0xa0,
    tlv(0x9a, Uint8Array.of(rd.maxTries)),
    tlv(0x9b, Uint8Array.of(rd.triesLeft)),
    ...uses,
    tlv(0xa1, tlv(0x8c, Uint8Array.of(0xf3, 0x00, 0x00, reset, 0xff, 0x00))),
  );
}

/** 9D is one byte up to 255 uses, two above (Cryptolib `_cps_get_pin_info` reads both). */
const countBytes = (n: number) => (n > 0xff ? Uint8Array.of(n >> 8, n & 0xff) : Uint8Array.of(n));
