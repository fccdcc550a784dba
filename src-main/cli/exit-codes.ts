/** Exit codes of `ecps`, documented in the README (keep both in step). */
export const EXIT = {
  ok: 0,
  /** Something failed that has no more specific code (the message says what). */
  failure: 1,
  /** Wrong command line: unknown command or option, missing argument. */
  usage: 2,
  /** The PC/SC service (pcscd / Smart Card service) is not running or unreachable. */
  serviceUnavailable: 3,
  /** No reader, or the reader asked for does not exist. */
  noReader: 4,
  /** No card in the reader. */
  noCard: 5,
  /** The card did not answer, was pulled out, or answered something invalid. */
  cardError: 6,
  /** Another application holds the card or the reader. */
  cardInUse: 7,
  /** One or more ATRs given to `ecps atr` are malformed. */
  invalidAtr: 8,
  /** Wrong PIN or PUK (tries left in the message), or the PIN / PUK is blocked. */
  pinRefused: 9,
  /** Nothing was sent to the card, for safety: last try not confirmed, code of the wrong length, confirmation mismatch. */
  pinNotSent: 10,
  /** The card is not a CPS (a Vitale card in the CPS slot, a bank card…). */
  notACps: 11,
  /** `ecps auth-test`: the card's signature or its certificate chain did not verify; `ecps portal-test`: the TLS login with the card failed or was refused. */
  authenticationInvalid: 12,
  /** `ecps activate`: the activation authority did not answer (network, proxy, service down). */
  authorityUnavailable: 13,
  /** `ecps activate` / `ecps phone`: the activation did not complete (refused, cancelled, phone link lost…). */
  activationFailed: 14,
  /** `ecps diagnose`: at least one check failed (the report says which and what to do). */
  diagnosticsFailed: 15,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Every error code of every layer (native-bindings/pcsc, simulators/cards, src-main/card,
 * src-main/reader, the CLI itself), decided one by one; a unit test checks each catalogue
 * is covered. Codes not listed (a new one) fall back on their name, then on `failure`.
 */
const BY_CODE: Record<string, ExitCode> = {
  // `ecps diagnose` (src-main/diagnostics): the report could not be written.
  ReportWriteFailed: EXIT.failure,
  // `ecps readers --forget NAME`: nothing remembered under that name (the reader asked for does not exist there).
  ReaderNotRemembered: EXIT.noReader,
  // `ecps readers --strategies/--forget`, `ecps diagnose`: the state folder cannot be read or written.
  StateDirUnusable: EXIT.failure,
  // The CLI itself.
  UsageError: EXIT.usage,
  UnexpectedError: EXIT.failure,
  AtrNotHex: EXIT.invalidAtr,
  // The PC/SC service.
  ServiceUnavailable: EXIT.serviceUnavailable,
  CommError: EXIT.serviceUnavailable,
  ServiceBusy: EXIT.serviceUnavailable,
  Timeout: EXIT.serviceUnavailable,
  // Readers.
  NoReaders: EXIT.noReader,
  NoReader: EXIT.noReader,
  ReaderUnavailable: EXIT.noReader,
  UnknownReader: EXIT.noReader,
  // No card.
  NoCard: EXIT.noCard,
  // The card: no answer, pulled out, refused, or answered something invalid.
  CardNotResponding: EXIT.cardError,
  ConnectionBroken: EXIT.cardError,
  CardRemoved: EXIT.cardError,
  CardUnpowered: EXIT.cardError,
  CardMute: EXIT.cardError,
  UnsupportedCard: EXIT.cardError,
  ProtocolMismatch: EXIT.cardError,
  InsufficientBuffer: EXIT.cardError,
  ConnectionClosed: EXIT.cardError,
  CardSecurity: EXIT.cardError,
  ResponseTooShort: EXIT.cardError,
  ResponseTooLarge: EXIT.cardError,
  TooManyGetResponses: EXIT.cardError,
  WrongLengthRepeated: EXIT.cardError,
  CardRefused: EXIT.cardError,
  CardIdentityUnreadable: EXIT.cardError,
  // A card's ATR reaches fail() only from a real card (`ecps atr` counts its own): the card
  // answered to reset with something invalid.
  AtrEmpty: EXIT.cardError,
  AtrBadTs: EXIT.cardError,
  AtrTooShort: EXIT.cardError,
  AtrTruncated: EXIT.cardError,
  AtrTooLong: EXIT.cardError,
  AtrOverMaxLength: EXIT.cardError,
  // Another application.
  SharingViolation: EXIT.cardInUse,
  CardReset: EXIT.cardInUse,
  // `ecps simulate` arguments.
  UnknownCardKind: EXIT.usage,
  FaultSpecInvalid: EXIT.usage,
  InvalidHolder: EXIT.usage,
  // The sandbox PKI (simulate, demo): our own setup problem.
  InvalidValidity: EXIT.failure,
  SandboxFixturesMissing: EXIT.failure,
  // The CPS: PIN and PUK (src-main/card/cps).
  PinIncorrect: EXIT.pinRefused,
  PinBlocked: EXIT.pinRefused,
  PukIncorrect: EXIT.pinRefused,
  PukBlocked: EXIT.pinRefused,
  PinLastTryNeedsConfirmation: EXIT.pinNotSent,
  PinFormatInvalid: EXIT.pinNotSent,
  PinConfirmationMismatch: EXIT.pinNotSent,
  // Nothing sent either, but the cause is the command line / the terminal, or the user.
  PinInputMissing: EXIT.usage,
  PinEntryCancelled: EXIT.failure,
  // The CPS answered something unclear, refused, or lacks what it should hold.
  PinOutcomeUnknown: EXIT.cardError,
  PinStatusUnavailable: EXIT.cardError,
  PinCommandRefused: EXIT.cardError,
  SecurityStatusNotSatisfied: EXIT.cardError,
  CryptoOperationFailed: EXIT.cardError,
  CpsApplicationMissing: EXIT.cardError,
  CpsObjectMissing: EXIT.cardError,
  CpsDataMalformed: EXIT.cardError,
  CpsFileUnreadable: EXIT.cardError,
  // Not a CPS.
  NotACps: EXIT.notACps,
  VitaleInCpsSlot: EXIT.notACps,
  // `ecps auth-test`.
  AuthenticationInvalid: EXIT.authenticationInvalid,
  TrustFileUnreadable: EXIT.usage,
  // `ecps portal-test`: the TLS login with the card failed or was refused; the client tools are missing; the port is taken.
  PortalLoginFailed: EXIT.authenticationInvalid,
  PortalLoginRefused: EXIT.authenticationInvalid,
  PortalClientUnavailable: EXIT.failure,
  PortalPortUnavailable: EXIT.failure,
  // `--trace FILE`.
  TraceWriteFailed: EXIT.failure,
  // Our own mistakes or unsupported features: nothing more specific to say.
  UnsupportedFeature: EXIT.failure,
  InvalidApdu: EXIT.failure,
  ApduFieldOutOfRange: EXIT.failure,
  ApduExtendedNotAllowed: EXIT.failure,
  ApduMalformed: EXIT.failure,
  ReadOffsetOutOfRange: EXIT.failure,
  InvalidParameter: EXIT.failure,
  Cancelled: EXIT.failure,
  TransactionError: EXIT.failure,
  InternalError: EXIT.failure,
  PcscError: EXIT.failure,
  SlotOccupied: EXIT.failure,
  // The activation authority (src-shared/activation-authority.ts, src-main/activation).
  AuthorityUnreachable: EXIT.authorityUnavailable,
  AuthorityTimeout: EXIT.authorityUnavailable,
  AuthorityProtocolError: EXIT.authorityUnavailable,
  AuthorityRefused: EXIT.activationFailed,
};

/** Whether a code has an explicit decision in the table (used by the tests). */
export function hasExplicitExitCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(BY_CODE, code);
}

/** The codes with an explicit decision (the tests check none is stale). */
export const EXPLICIT_EXIT_CODES: readonly string[] = Object.keys(BY_CODE);

/** Maps an error code of any layer to the exit code a script can act on. */
export function exitCodeForError(code: string): ExitCode {
  if (hasExplicitExitCode(code)) return BY_CODE[code] as ExitCode;
  // A code added later: guess from its name rather than hide a card problem behind 1.
  if (/Reader/.test(code)) return EXIT.noReader;
  return /Card|Apdu|Response|Protocol|Proto|Connection|Transmission|Reset|Unpowered|Mute|Atr/.test(code)
    ? EXIT.cardError
    : EXIT.failure;
}
