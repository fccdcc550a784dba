/**
 * The CPS cards of the catalogue: holder, PIN, PUK and a variant (expired, blocked…) turned
 * into a CPS3 or CPS4. Certificates come from the caller (`credentials`) or, through
 * `withSandboxCredentials`, from the sandbox PKI (simulators/pki), which is asynchronous (it
 * signs certificates), hence the two steps.
 */
import type { CardHolder } from '../pki/names';
import type { CpsCredentials, CpsPersonalisation } from './cps-personalisation';
import { createCps3 } from './cps3';
import { createCps4 } from './cps4';
import type { IsoCard } from './iso-card';

export const CPS_VARIANTS = ['valid', 'expired', 'not-yet-valid', 'blocked', 'puk-1-left', 'cpe'] as const;
export type CpsVariant = (typeof CPS_VARIANTS)[number];
export type CpsKind = 'cps3' | 'cps4';

export interface CpsCardOptions {
  label?: string;
  serialNumber?: string;
  /** Whose card: default the sandbox PKI's test pharmacist (its employee for `cpe`). */
  holder?: CardHolder;
  pin?: string;
  puk?: string;
  /**
   * - `valid` (default), `expired`, `not-yet-valid`: the certificates' validity;
   * - `blocked`: PIN with 0 tries left (the PUK unblocks it);
   * - `puk-1-left`: PIN blocked and PUK with 1 try left (the last chance before a dead card);
   * - `cpe`: a pharmacy employee's card (CPE): only the certificate subject differs.
   */
  variant?: CpsVariant;
  credentials?: CpsCredentials;
}

export function isCpsVariant(text: string): text is CpsVariant {
  return (CPS_VARIANTS as readonly string[]).includes(text);
}

/** The card-side effect of a variant: counters (validity and holder live in the certificates). */
function countersOf(variant: CpsVariant | undefined): Pick<CpsPersonalisation, 'pinTriesLeft' | 'pukTriesLeft'> {
  if (variant === 'blocked') return { pinTriesLeft: 0 };
  if (variant === 'puk-1-left') return { pinTriesLeft: 0, pukTriesLeft: 1 };
  return {};
}

/**
 * A CPS3 or CPS4 with the given credentials (without any: PIN and PUK but no keys). A PIN
 * that is not 4 digits or a PUK that is not 8 throws a RangeError (cps-security.ts).
 */
export function createCpsCard(kind: CpsKind, options: CpsCardOptions = {}): IsoCard {
  const personalisation = {
    ...countersOf(options.variant),
    ...(options.pin ? { pin: options.pin } : {}),
    ...(options.puk ? { puk: options.puk } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.label ? { label: options.label } : {}),
    ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}),
  };
  return kind === 'cps3' ? createCps3(personalisation) : createCps4(personalisation);
}

/**
 * Fills in `credentials` from the sandbox PKI when they are missing: the holder (default
 * TEST_HOLDERS.pharmacist, or .employee for `cpe`) and the validity of the variant.
 * The PKI is imported lazily: it loads @peculiar/x509 and its fixtures.
 */
export async function withSandboxCredentials(options: CpsCardOptions = {}): Promise<CpsCardOptions> {
  if (options.credentials) return options;
  const pki = await import('../pki/index');
  const holder = options.holder ?? (options.variant === 'cpe' ? pki.TEST_HOLDERS.employee : pki.TEST_HOLDERS.pharmacist);
  const variant = options.variant === 'expired' || options.variant === 'not-yet-valid' ? options.variant : 'valid';
  const issued = await pki.issueCardCredentials(holder, { variant });
  return { ...options, holder, credentials: { authentication: issued.authentication, signature: issued.signature } };
}
