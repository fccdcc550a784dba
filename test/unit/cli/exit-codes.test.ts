/**
 * Every error code of every layer maps to a documented exit code, decided code by code (a new
 * code fails this test until someone decides). Card and reader problems must not fall into the
 * generic `failure` (1) by accident: scripts and technicians act on 3–7.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pcscErrors } from '../../../native-bindings/pcsc/errors';
import { simulatorErrors } from '../../../simulators/cards/simulator-errors';
import { cardErrors } from '../../../src-main/card/errors';
import { readerErrors } from '../../../src-main/reader/errors';
import { cpsErrors } from '../../../src-main/card/cps/errors';
import { pkiErrors } from '../../../simulators/pki/pki-errors';
import { cliErrors } from '../../../src-main/cli/cli-errors';
import { diagnosticsErrors } from '../../../src-main/diagnostics/errors';
import { authorityErrors } from '../../../src-shared/activation-authority';
import { EXIT, EXPLICIT_EXIT_CODES, exitCodeForError, hasExplicitExitCode } from '../../../src-main/cli/exit-codes';
import { createContext } from '../../../src-main/cli/context';
import { fakeIo } from '../../support/cli';

const {
  ok,
  failure,
  usage,
  serviceUnavailable: service,
  noReader,
  noCard,
  cardError: card,
  cardInUse: inUse,
  invalidAtr,
  pinRefused,
  pinNotSent,
  notACps,
  authenticationInvalid,
  authorityUnavailable,
  activationFailed,
} = EXIT;

/**
 * One decision per code. The simulators reuse the PC/SC port's codes with the same meaning
 * (simulators/cards/simulator-errors.ts), so a code means one thing whichever layer raises it.
 */
const EXPECTED: Record<string, number> = {
  // The PC/SC service.
  ServiceUnavailable: service,
  CommError: service,
  ServiceBusy: service,
  Timeout: service,
  // Readers.
  NoReaders: noReader,
  NoReader: noReader,
  ReaderUnavailable: noReader,
  UnknownReader: noReader,
  // No card.
  NoCard: noCard,
  // The card did not answer, was pulled out, or answered something invalid.
  CardNotResponding: card,
  ConnectionBroken: card,
  CardRemoved: card,
  CardUnpowered: card,
  CardMute: card,
  UnsupportedCard: card,
  ProtocolMismatch: card,
  InsufficientBuffer: card,
  ConnectionClosed: card,
  CardSecurity: card,
  ResponseTooShort: card,
  TooManyGetResponses: card,
  ResponseTooLarge: card,
  WrongLengthRepeated: card,
  CardRefused: card,
  CardIdentityUnreadable: card,
  // A card's ATR reaches ctx.fail() only from a real card (`ecps atr` counts its own → 8).
  AtrEmpty: card,
  AtrBadTs: card,
  AtrTooShort: card,
  AtrTruncated: card,
  AtrTooLong: card,
  AtrOverMaxLength: card,
  // Another application.
  SharingViolation: inUse,
  CardReset: inUse,
  // `ecps simulate` arguments.
  UnknownCardKind: usage,
  FaultSpecInvalid: usage,
  // `ecps simulate --holder`, and the sandbox PKI behind simulate and the demo.
  InvalidHolder: usage,
  InvalidValidity: failure,
  SandboxFixturesMissing: failure,
  // The CPS: a wrong or blocked code (9); nothing sent, for safety (10).
  PinIncorrect: pinRefused,
  PinBlocked: pinRefused,
  PukIncorrect: pinRefused,
  PukBlocked: pinRefused,
  PinLastTryNeedsConfirmation: pinNotSent,
  PinFormatInvalid: pinNotSent,
  PinConfirmationMismatch: pinNotSent,
  PinInputMissing: usage,
  PinEntryCancelled: failure,
  // The CPS answered something unclear or refused: a card problem.
  PinOutcomeUnknown: card,
  PinStatusUnavailable: card,
  PinCommandRefused: card,
  SecurityStatusNotSatisfied: card,
  CryptoOperationFailed: card,
  CpsApplicationMissing: card,
  CpsObjectMissing: card,
  CpsDataMalformed: card,
  CpsFileUnreadable: card,
  // Not a CPS (11); auth-test verdict INVALIDE (12).
  NotACps: notACps,
  VitaleInCpsSlot: notACps,
  AuthenticationInvalid: authenticationInvalid,
  TrustFileUnreadable: usage,
  PortalLoginFailed: authenticationInvalid,
  PortalLoginRefused: authenticationInvalid,
  PortalClientUnavailable: failure,
  PortalPortUnavailable: failure,
  TraceWriteFailed: failure,
  // `ecps diagnose --html FILE` could not write its report.
  ReportWriteFailed: failure,
  // `ecps readers --forget NAME` with nothing remembered under NAME; the state folder unusable.
  ReaderNotRemembered: noReader,
  StateDirUnusable: failure,
  // The CLI.
  UsageError: usage,
  AtrNotHex: invalidAtr,
  // Deliberately `failure`: our own programming errors, or features the reader lacks.
  UnexpectedError: failure,
  UnsupportedFeature: failure,
  InvalidApdu: failure,
  InvalidParameter: failure,
  Cancelled: failure,
  TransactionError: failure,
  InternalError: failure,
  PcscError: failure,
  SlotOccupied: failure,
  ApduFieldOutOfRange: failure,
  ApduExtendedNotAllowed: failure,
  ApduMalformed: failure,
  ReadOffsetOutOfRange: failure,
};

// The activation authority's transport failures (ecps activate): 13; its refusal of an unknown kind: 14.
Object.assign(EXPECTED, {
  AuthorityUnreachable: authorityUnavailable,
  AuthorityTimeout: authorityUnavailable,
  AuthorityProtocolError: authorityUnavailable,
  AuthorityRefused: activationFailed,
});

const CATALOGUES: { name: string; codes: readonly string[] }[] = [
  { name: 'native-bindings/pcsc', codes: pcscErrors.codes },
  { name: 'simulators/cards', codes: simulatorErrors.codes },
  { name: 'src-main/card', codes: cardErrors.codes },
  { name: 'src-main/reader', codes: readerErrors.codes },
  { name: 'src-main/card/cps', codes: cpsErrors.codes },
  { name: 'simulators/pki', codes: pkiErrors.codes },
  { name: 'src-main/diagnostics', codes: diagnosticsErrors.codes },
  { name: 'src-main/cli', codes: ['UsageError', 'UnexpectedError', 'AtrNotHex', ...cliErrors.codes] },
  { name: 'src-shared/activation-authority (transport)', codes: authorityErrors.codes.filter((c) => c.startsWith('Authority')) },
];

describe('exitCodeForError', () => {
  for (const { name, codes } of CATALOGUES) {
    describe(name, () => {
      it.each([...codes])('%s', (code) => {
        expect(EXPECTED[code], `no decision in this test for ${name} code ${code}`).toBeDefined();
        expect(hasExplicitExitCode(code), `exit-codes.ts has no explicit entry for ${code}`).toBe(true);
        expect(exitCodeForError(code)).toBe(EXPECTED[code]);
      });
    });
  }

  it('no stale entry: every code decided in exit-codes.ts (and in this test) exists in a catalogue', () => {
    const all = new Set(CATALOGUES.flatMap((c) => [...c.codes]));
    expect(EXPLICIT_EXIT_CODES.filter((code) => !all.has(code))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((code) => !all.has(code))).toEqual([]);
  });

  it('card and reader problems never fall into "failure" (1)', () => {
    for (const code of [...pcscErrors.codes, ...simulatorErrors.codes, ...readerErrors.codes]) {
      if (/Card|Reader|Connection|Protocol|Service|Sharing/.test(code) && code !== 'UnknownCardKind') {
        expect([service, noReader, noCard, card, inUse], code).toContain(exitCodeForError(code));
      }
    }
  });

  it('a code added later is guessed from its name, never silently "failure" for a card or reader problem', () => {
    expect(exitCodeForError('CardWentAway')).toBe(card);
    expect(exitCodeForError('ApduSomething')).toBe(card);
    expect(exitCodeForError('ReaderVanished')).toBe(noReader);
    expect(exitCodeForError('Whatever')).toBe(failure);
  });

  it('every exit code is documented in the README table, with the same numbers', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Exit codes'));
    const documented = [...section.matchAll(/^\| (\d+) \| /gm)].map((m) => Number(m[1]));
    expect(documented).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    expect(ok).toBe(0);
  });

  it('ctx.fail() prints the message and the remedy, and returns the mapped code', () => {
    const fake = fakeIo();
    const ctx = createContext(fake.io, { lang: 'fr', json: false, demo: false, timeoutMs: 1000 });
    expect(ctx.fail(pcscErrors.create('CardRemoved'))).toBe(card);
    expect(fake.err()).toBe('La carte a été retirée du lecteur.\nQue faire : Réinsérez la carte et réessayez.\n');
    const json = fakeIo();
    const jctx = createContext(json.io, { lang: 'en', json: true, demo: false, timeoutMs: 1000 });
    expect(jctx.fail(new Error('boom'))).toBe(failure);
    expect(JSON.parse(json.out())).toMatchObject({ error: { code: 'UnexpectedError', message: 'Unexpected error: boom' } });
  });
});
