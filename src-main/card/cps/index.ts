/** Public API of the CPS card layer: CpsCard, VitaleCard, PIN safety, certificates, errors. */
export { CpsCard, type CpsCardOptions, type CpsIdentity, type PinCallOptions } from './cps-card';
export { VitaleCard, UnknownCard, openCardApplication, type CardApplication } from './vitale-card';
export { cpsErrors, cpsError, type CpsErrorCode, type SecretKind } from './errors';
export {
  CPS_PIN_FORMATS,
  checkPinFormat,
  encodePinBlock,
  runPinOperation,
  type PinFormat,
  type PinInput,
  type PinStatus,
} from './pin-safety';
export {
  formatName,
  identityFromCertificate,
  parseCertificate,
  verifyCertificateChain,
  type ChainOptions,
  type ChainStatus,
  type ChainVerdict,
  type HolderIdentity,
  type ValidityStatus,
} from './certificate';
export { verifyAuthentication, verifyCardSignature, type CardSignature, type SignatureAlgorithm } from './cps-crypto';
export { Pkcs15Reader } from './pkcs15';
export type { CpsGeneration } from './cps-commands';
