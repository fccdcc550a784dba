/**
 * PIN safety, in one place (issue 3 §3, architecture.md §4). Every VERIFY, CHANGE REFERENCE
 * DATA and RESET RETRY COUNTER of the companion goes through `runPinOperation`, which:
 *  1. checks every code's format BEFORE anything is sent (a typo of length never spends a try);
 *  2. reads the try counter of the code the card will check (never spends a try);
 *  3. refuses a blocked code, and with one try left requires `confirmLastTry: true`;
 *  4. sends the command ONCE, flagged `sensitive` (the trace redacts it);
 *  5. after an ambiguous failure (transmission error, card pulled, timeout, service down)
 *     never re-sends: it re-reads the counter and reports what is known;
 *  6. zeroes every PIN block — and a PIN given as a Uint8Array — in a `finally`.
 * No PIN or PUK byte ever reaches an error, a detail or a log.
 */
import type { EcpsError } from '../../../src-shared/errors';
import { isEcpsError } from '../../../src-shared/errors';
import { formatStatusWord, type CommandApdu, type ResponseApdu } from '../apdu';
import { cpsError, type SecretKind } from './errors';
import type { PinObject, PinType } from './pkcs15-objects';

/** A PIN or PUK as typed: text, or ASCII digit bytes (consumed: zeroed after the call). */
export type PinInput = string | Uint8Array;

export interface PinFormat {
  minLength: number;
  maxLength: number;
  encoding: PinType;
  /** Bytes of the PIN block; shorter codes are padded with `padChar` when `pad` is set. */
  storedLength: number;
  pad: boolean;
  padChar: number;
}

/**
 * The CPS profile (domain.md §3): code porteur 4 digits, code de déblocage 8 digits, sent as
 * ASCII digits padded with FF to 8 bytes (Cryptolib `sc_build_pin` pads to the AODF's stored
 * length with its pad char; the values themselves are [?]). The AODF, when readable, wins.
 */
export const CPS_PIN_FORMATS: Readonly<Record<SecretKind, PinFormat>> = {
  pin: { minLength: 4, maxLength: 4, encoding: 'ascii-numeric', storedLength: 8, pad: true, padChar: 0xff },
  puk: { minLength: 8, maxLength: 8, encoding: 'ascii-numeric', storedLength: 8, pad: true, padChar: 0xff },
};

export interface PinStatus {
  triesLeft: number;
  maxTries: number;
  blocked: boolean;
  /** PUK only: uses left of the usage counter (IAS-ECC tag 9D; 0 means unusable). */
  usesLeft?: number;
}

export interface PinSecret {
  kind: SecretKind;
  input: PinInput;
  format: PinFormat;
}

export interface PinOperation {
  /** For messages and details only: `verify`, `change`, `unblock`. */
  name: 'verify' | 'change' | 'unblock';
  /** The code the card checks (and whose counter moves): PIN for verify/change, PUK for unblock. */
  checked: SecretKind;
  /** Every code of the command, in the order of its data field. */
  secrets: PinSecret[];
  /** Builds the command from the PIN blocks (the module owns and zeroes the blocks). */
  command: (blocks: Uint8Array[]) => CommandApdu;
  confirmLastTry?: boolean;
}

export interface PinCard {
  /** Reads a counter without spending a try (GET DATA on CPS3, empty VERIFY on CPS4). */
  readCounter(kind: SecretKind): Promise<PinStatus>;
  transmit(command: CommandApdu): Promise<ResponseApdu>;
}

/** What `runPinOperation` gives when the card said 9000: the checked code's counter after. */
export interface PinOperationResult {
  status: PinStatus;
}

/** PKCS#15 PinAttributes → the block the card expects; the profile when the AODF is silent. */
export function pinFormatFromAodf(object: PinObject | undefined, profile: PinFormat): PinFormat {
  if (!object) return profile;
  const maxLength = object.maxLength ?? Math.max(object.storedLength, object.minLength);
  const pad = object.flags.includes('needs-padding') || object.padChar !== undefined;
  return {
    minLength: object.minLength,
    maxLength,
    encoding: object.pinType,
    storedLength: object.storedLength,
    pad,
    padChar: object.padChar ?? profile.padChar,
  };
}

/** Throws `PinFormatInvalid` (nothing sent) unless `input` is digits within the format's lengths. */
export function checkPinFormat(kind: SecretKind, input: PinInput, format: PinFormat): void {
  const length = input.length;
  let digits = length >= format.minLength && length <= format.maxLength;
  for (let i = 0; digits && i < length; i++) {
    const c = typeof input === 'string' ? input.charCodeAt(i) : input[i]!;
    digits = c >= 0x30 && c <= 0x39;
  }
  if (!digits) {
    const expected = format.minLength === format.maxLength ? `${format.minLength}` : `${format.minLength}–${format.maxLength}`;
    throw cpsError('PinFormatInvalid', {
      secret: kind,
      params: { length: expected },
      details: { code: kind, minLength: format.minLength, maxLength: format.maxLength, typedLength: length },
    });
  }
}

/** The PIN block the card expects (PKCS #15 PinAttributes: pinType, storedLength, padChar). */
export function encodePinBlock(input: PinInput, format: PinFormat): Uint8Array {
  const digit = (i: number) => (typeof input === 'string' ? input.charCodeAt(i) : input[i]!) - 0x30;
  const n = input.length;
  switch (format.encoding) {
    case 'bcd':
    case 'half-nibble-bcd': {
      const block = new Uint8Array(Math.max(format.pad ? format.storedLength : 0, Math.ceil(n / 2))).fill(format.padChar);
      for (let i = 0; i < n; i++) {
        const at = i >> 1;
        block[at] = i % 2 === 0 ? (digit(i) << 4) | (block[at]! & 0x0f) : (block[at]! & 0xf0) | digit(i);
      }
      if (n % 2 === 1) block[n >> 1] = (block[n >> 1]! & 0xf0) | 0x0f;
      return block;
    }
    case 'iso9564-1': {
      // ISO 9564-1 format 2: 2L, then the digits in BCD, F-filled to 8 bytes.
      const block = new Uint8Array(8).fill(0xff);
      block[0] = 0x20 | n;
      for (let i = 0; i < n; i++) {
        const at = 1 + (i >> 1);
        block[at] = i % 2 === 0 ? (digit(i) << 4) | 0x0f : (block[at]! & 0xf0) | digit(i);
      }
      return block;
    }
    default: {
      const block = new Uint8Array(format.pad ? Math.max(format.storedLength, n) : n).fill(format.padChar);
      for (let i = 0; i < n; i++) block[i] = digit(i) + 0x30;
      return block;
    }
  }
}

/** Reads a counter; a failure to read it stops everything before a code is sent. */
async function counterBefore(card: PinCard, kind: SecretKind): Promise<PinStatus> {
  try {
    return await card.readCounter(kind);
  } catch (error) {
    if (isEcpsError(error) && error.code.startsWith('Pin')) throw error;
    throw cpsError('PinStatusUnavailable', { details: { code: kind, ...reasonOf(error) }, cause: error });
  }
}

export function blockedError(kind: SecretKind, status: PinStatus): EcpsError {
  return cpsError(kind === 'pin' ? 'PinBlocked' : 'PukBlocked', { details: { code: kind, triesLeft: 0, maxTries: status.maxTries } });
}

function wrongCodeError(kind: SecretKind, status: PinStatus, extra: Record<string, string | number | boolean> = {}): EcpsError {
  if (status.blocked) return blockedError(kind, status);
  return cpsError(kind === 'pin' ? 'PinIncorrect' : 'PukIncorrect', {
    secret: kind,
    params: { n: status.triesLeft },
    details: { code: kind, triesLeft: status.triesLeft, maxTries: status.maxTries, ...extra },
  });
}

/** The whole guarded sequence (module comment). */
export async function runPinOperation(card: PinCard, op: PinOperation): Promise<PinOperationResult> {
  const blocks: Uint8Array[] = [];
  try {
    for (const s of op.secrets) checkPinFormat(s.kind, s.input, s.format);

    const before = await counterBefore(card, op.checked);
    if (before.blocked) throw blockedError(op.checked, before);
    if (before.triesLeft === 1 && op.confirmLastTry !== true) {
      throw cpsError('PinLastTryNeedsConfirmation', {
        secret: op.checked,
        details: { code: op.checked, triesLeft: 1, maxTries: before.maxTries, operation: op.name },
      });
    }

    for (const s of op.secrets) blocks.push(encodePinBlock(s.input, s.format));
    const command = { ...op.command(blocks), sensitive: true };

    let response: ResponseApdu;
    try {
      response = await card.transmit(command);
    } catch (error) {
      // Ambiguous: the card may or may not have checked the code. Never send it again.
      throw await outcomeAfterAmbiguousFailure(card, op, before, error);
    } finally {
      command.data?.fill(0);
    }
    return interpret(op, before, response);
  } finally {
    for (const b of blocks) b.fill(0);
    for (const s of op.secrets) if (s.input instanceof Uint8Array) s.input.fill(0);
  }
}

function interpret(op: PinOperation, before: PinStatus, r: ResponseApdu): PinOperationResult {
  const kind = op.checked;
  if (r.sw === 0x9000) return { status: { triesLeft: before.maxTries, maxTries: before.maxTries, blocked: false } };
  if (r.sw1 === 0x63 && (r.sw2 & 0xf0) === 0xc0) {
    const triesLeft = r.sw2 & 0x0f;
    throw wrongCodeError(kind, { triesLeft, maxTries: before.maxTries, blocked: triesLeft === 0 });
  }
  // 6983: authentication method blocked; 6984: reference data not usable (PUK uses spent).
  if (r.sw === 0x6983 || r.sw === 0x6984) throw blockedError(kind, before);
  throw cpsError('PinCommandRefused', {
    params: { sw: formatStatusWord(r.sw) },
    details: { code: kind, operation: op.name, sw: formatStatusWord(r.sw) },
  });
}

/**
 * After an ambiguous failure: re-read the counter if the card still answers. A lower count
 * proves the code was checked and wrong; anything else leaves the outcome unknown.
 */
async function outcomeAfterAmbiguousFailure(card: PinCard, op: PinOperation, before: PinStatus, failure: unknown): Promise<EcpsError> {
  let after: PinStatus | undefined;
  try {
    after = await card.readCounter(op.checked);
  } catch {
    after = undefined; // card gone or mute: nothing more can be known now
  }
  const details = {
    code: op.checked,
    operation: op.name,
    triesLeftBefore: before.triesLeft,
    maxTries: before.maxTries,
    statusReread: after !== undefined,
    ...(after ? { triesLeftAfter: after.triesLeft, blocked: after.blocked } : {}),
    ...reasonOf(failure),
  };
  if (after && (after.triesLeft < before.triesLeft || after.blocked)) {
    return wrongCodeError(op.checked, after, { afterTransmissionError: true, ...reasonOf(failure) });
  }
  return cpsError('PinOutcomeUnknown', { details, cause: failure });
}

/** The transport failure's code, never its text (which could, in theory, quote data). */
function reasonOf(error: unknown): Record<string, string> {
  return isEcpsError(error) ? { failure: error.code } : { failure: error instanceof Error ? error.name : 'unknown' };
}
