/** Public API of the card layer: APDU codec, T=0 channel, ATR, status words, identification. */
export { cardErrors, type CardErrorCode } from './errors';
export {
  apduCase,
  decodeCommand,
  encodeCommand,
  formatStatusWord,
  parseResponse,
  type ApduCase,
  type CommandApdu,
  type EncodeOptions,
  type ResponseApdu,
} from './apdu';
export {
  CardChannel,
  MAX_READ_OFFSET,
  getResponseCla,
  parseFilePath,
  type CardChannelOptions,
  type ExchangeTraceEntry,
} from './channel';
export {
  parseAtr,
  type AtrIssue,
  type ClockRate,
  type HistoricalBytes,
  type InterfaceByteGroup,
  type ParsedAtr,
  type SpecificMode,
} from './atr';
export type { CompactTlvObject, HistoricalCategory, StatusIndicator } from './atr-historical';
export {
  describeStatusWord,
  lookupStatusWord,
  statusWordDescription,
  type StatusWordDescription,
  type StatusWordEntry,
  type StatusWordKind,
} from './status-words';
export {
  ANS_ISSUER,
  CPX_AID_CONTACT,
  CPX_AID_CONTACTLESS,
  identifyAtr,
  identifyCard,
  loadAtrKnowledge,
  serialFromEfSnIcc,
  type AtrIdentification,
  type AtrKnowledgeEntry,
  type CardIdentification,
  type CardType,
} from './identify';
