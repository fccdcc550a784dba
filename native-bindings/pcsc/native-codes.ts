/**
 * pcsc-mini error codes → our catalogue codes.
 *
 * The list was read from pcsc-mini 0.1.3 itself (the error names compiled into
 * @pcsc-mini/linux-x86_64-gnu/addon.node, which come from pcsc-lite's SCARD_E_/SCARD_W_/SCARD_F_
 * names in CamelCase, pcsc-mini's own session errors and Node-API status names) and from its
 * Session.zig (CardIsBusy, NoCardConnection, TransactionAlreadyInProgress). File-system style
 * names that only Zig's standard library can raise are left to the generic `PcscError`.
 */
import type { PcscErrorCode } from './errors';

/** Codes not listed map to `PcscError`, with the native code kept in details. */
export const NATIVE_CODE_MAP: Readonly<Record<string, PcscErrorCode>> = {
  // Card presence and state
  RemovedCard: 'CardRemoved',
  NoSmartCard: 'NoCard',
  ResetCard: 'CardReset',
  UnpoweredCard: 'CardUnpowered',
  UnresponsiveCard: 'CardMute',
  UnsupportedCard: 'UnsupportedCard',
  CardUnsupported: 'UnsupportedCard',
  UnknownCard: 'UnsupportedCard',
  InvalidAtr: 'UnsupportedCard',
  SharingViolation: 'SharingViolation',
  ProtoMismatch: 'ProtocolMismatch',
  // Service
  NoService: 'ServiceUnavailable',
  ServiceStopped: 'ServiceUnavailable',
  Shutdown: 'ServiceUnavailable',
  CommError: 'CommError',
  CommDataLost: 'CommError',
  ServerTooBusy: 'ServiceBusy',
  Timeout: 'Timeout',
  WaitedTooLong: 'Timeout',
  // Readers
  NoReadersAvailable: 'NoReaders',
  ReaderUnavailable: 'ReaderUnavailable',
  UnknownReader: 'ReaderUnavailable',
  ReaderUnsupported: 'ReaderUnavailable',
  DuplicateReader: 'ReaderUnavailable',
  NotReady: 'ReaderUnavailable',
  UnsupportedFeature: 'UnsupportedFeature',
  // Buffers and parameters
  InsufficientBuffer: 'InsufficientBuffer',
  PciTooSmall: 'InsufficientBuffer',
  InvalidParameter: 'InvalidParameter',
  InvalidValue: 'InvalidParameter',
  InvalidTarget: 'InvalidParameter',
  // Handles and the pcsc-mini session
  InvalidHandle: 'ConnectionClosed',
  NoCardConnection: 'ConnectionClosed',
  CardIsBusy: 'InternalError', // never expected: every call goes through the per-card queue
  ClientAlreadyStarted: 'InternalError',
  NotStarted: 'InternalError',
  TransactionAlreadyInProgress: 'TransactionError',
  NotTransacted: 'TransactionError',
  // Cancellation
  Cancelled: 'Cancelled',
  Canceled: 'Cancelled',
  SystemCancelled: 'Cancelled',
  CancelledByUser: 'Cancelled',
  OperationAborted: 'Cancelled',
  AsyncWorkCancelled: 'Cancelled',
  // Card-level security (Windows smart-card subsystem codes)
  SecurityViolation: 'CardSecurity',
  WrongChv: 'CardSecurity',
  ChvBlocked: 'CardSecurity',
  InvalidChv: 'CardSecurity',
  CardNotAuthenticated: 'CardSecurity',
  // Service internals
  InternalError: 'InternalError',
  NoMemory: 'InternalError',
  OutOfMemory: 'InternalError',
  UnknownError: 'PcscError',
  Unexpected: 'PcscError',
  UnknownResMng: 'PcscError',
  CantDispose: 'InternalError',
  // Node-API codes surfaced by the addon
  InvalidArg: 'InternalError',
  ObjectExpected: 'InternalError',
  StringExpected: 'InternalError',
  NameExpected: 'InternalError',
  FunctionExpected: 'InternalError',
  NumberExpected: 'InternalError',
  BooleanExpected: 'InternalError',
  BigIntExpected: 'InternalError',
  DateExpected: 'InternalError',
  DetachableArrayBufferExpected: 'InternalError',
  GenericFailure: 'InternalError',
  PendingException: 'InternalError',
  EscapeCalledTwice: 'InternalError',
  HandleScopeMismatch: 'InternalError',
  CallbackScopeMismatch: 'InternalError',
  QueueFull: 'InternalError',
  ThreadsafeFnClosing: 'InternalError',
  WouldDeadlock: 'InternalError',
  NoExternalBuffersAllowed: 'InternalError',
  CannotRunJs: 'InternalError',
  UnknownNapiError: 'InternalError',
};
