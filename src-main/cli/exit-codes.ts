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
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_CODE: Record<string, ExitCode> = {
  UsageError: EXIT.usage,
  ServiceUnavailable: EXIT.serviceUnavailable,
  CommError: EXIT.serviceUnavailable,
  ServiceBusy: EXIT.serviceUnavailable,
  NoReaders: EXIT.noReader,
  NoReader: EXIT.noReader,
  ReaderUnavailable: EXIT.noReader,
  UnknownReader: EXIT.noReader,
  NoCard: EXIT.noCard,
  NoSmartCard: EXIT.noCard,
  SharingViolation: EXIT.cardInUse,
};

/** Maps an error code of any layer to the exit code a script can act on. */
export function exitCodeForError(code: string): ExitCode {
  const known = BY_CODE[code];
  if (known !== undefined) return known;
  if (code.startsWith('Atr')) return EXIT.invalidAtr;
  // Everything the card or the link to it did wrong: no answer, pulled out, bad response…
  return /Card|Apdu|Response|Protocol|Proto|Connection|Transmission|Reset|Unpowered|Mute|Timeout/.test(code)
    ? EXIT.cardError
    : EXIT.failure;
}
