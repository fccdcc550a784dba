/**
 * A readiness check ("Prêt pour l'activation ?") is a diagnostics check (same shape: id,
 * status, title, explanation, remedy, evidence — src-main/diagnostics/types.ts) with the group
 * it belongs to on screen and, where one exists, a fix-it action the user can trigger.
 */
import type { CheckResult } from '../diagnostics/types';

export type ReadinessGroup = 'machine' | 'card' | 'browser';

/**
 * Fix-it actions. `nss-register-opensc`: register OpenSC's PKCS#11 module in one NSS database
 * the probe found (after the user confirms); the others are done by the interface (run the
 * check again, open the technicians' diagnostics, open the help on old readers).
 */
export type FixActionKind = 'nss-register-opensc' | 'rerun' | 'open-diagnostics' | 'open-help';

export interface FixAction {
  kind: FixActionKind;
  /** nss-register-opensc: the database folder (one the probe listed; re-checked before use). */
  database?: string;
}

export interface ReadinessCheck extends CheckResult {
  group: ReadinessGroup;
  action?: FixAction;
}

/** What the browser probes need to know about the card in the reader (no secret, no name). */
export interface CardContext {
  /** The readers are the built-in virtual ones: browsers cannot see that card. */
  demo: boolean;
  /** A CPS answered in some reader. */
  present: boolean;
  type?: string;
  reader?: string;
  /** Upper-case hex, unspaced. */
  atr?: string;
  /** The authentication certificate's serial number (hex, as the card layer reads it). */
  certificateSerial?: string;
}

export interface BrowserProbe {
  readonly platform: NodeJS.Platform;
  /** The browser-stack checks for this machine (group `browser`). */
  checks(card: CardContext): Promise<ReadinessCheck[]>;
}

export function inGroup(group: ReadinessGroup, check: CheckResult, action?: FixAction): ReadinessCheck {
  return { ...check, group, ...(action ? { action } : {}) };
}
