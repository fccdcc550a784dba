/**
 * Sandbox PKI: TEST certification authorities mirroring IGC-Santé and the certificates of
 * virtual CPS/CPE cards. See README.md in this folder.
 */
export {
  isValidAdeli,
  isValidFiness,
  isValidRpps,
  luhnCheckDigit,
  makeTestAdeli,
  makeTestRpps,
  passesLuhn,
  TEST_RPPS_PREFIX,
} from './identifiers';
export {
  cardSubjectName,
  type CardHolder,
  checkHolder,
  CPE_TITLE,
  nationalId,
  SANDBOX_ISSUING_CA_CN,
  SANDBOX_ROOT_CN,
} from './names';
export {
  CARD_LIFETIME_DAYS,
  type CardCredentials,
  type CardKeyCredential,
  defaultKeySet,
  issueCardCredentials,
  type IssueOptions,
  type Validity,
  validityFor,
  type ValidityVariant,
} from './card-credentials';
export { CARD_KEY_SETS, loadSandboxPki, sandboxTrustAnchors, type SandboxPki } from './sandbox';
export { issueTlsServerCredentials, type TlsServerCredentials } from './server-credentials';
export { CA_VALIDITY, SANDBOX_CARD_POLICY_OID } from './authorities';
export { pkiErrors } from './pki-errors';
export { TEST_HOLDERS, type TestHolderName } from './test-holders';
export { NAME_OID } from './x509';
