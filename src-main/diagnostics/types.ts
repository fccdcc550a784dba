/**
 * The shape of a technician check (issue 6 §1): an id, a status, the evidence it saw and a
 * French and English explanation and remedy. Evidence is structured and never secret: no PIN,
 * PUK, name or national identifier goes in it (the report masks the card holder separately).
 */
import type { LocalizedText } from '../../src-shared/errors';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export type EvidenceValue = string | number | boolean | null | EvidenceValue[] | { [key: string]: EvidenceValue };
export type Evidence = Record<string, EvidenceValue>;

export interface CheckResult {
  /** Stable id, e.g. `pcsc.service`, `slot.card-role`. */
  id: string;
  /** What the check looked at when it runs once per reader or per USB device (reader name…). */
  subject?: string;
  status: CheckStatus;
  title: LocalizedText;
  /** What was found, in words. For `skipped`: why the check did not run. */
  explanation: LocalizedText;
  /** What to do; absent when nothing is needed. */
  remedy?: LocalizedText;
  evidence: Evidence;
}

/** Builds a result; `remedy` is dropped when undefined so JSON stays tidy. */
export function check(
  id: string,
  status: CheckStatus,
  title: LocalizedText,
  explanation: LocalizedText,
  evidence: Evidence = {},
  options: { remedy?: LocalizedText | undefined; subject?: string | undefined } = {},
): CheckResult {
  return {
    id,
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
    status,
    title,
    explanation,
    ...(options.remedy !== undefined ? { remedy: options.remedy } : {}),
    evidence,
  };
}

export function skipped(id: string, title: LocalizedText, why: LocalizedText, evidence: Evidence = {}, subject?: string): CheckResult {
  return check(id, 'skipped', title, why, evidence, { subject });
}

/** `{ fr, en }` in one call. */
export function tx(fr: string, en: string): LocalizedText {
  return { fr, en };
}

/** Joins localized fragments with a space, skipping undefined ones. */
export function joinText(...parts: (LocalizedText | undefined)[]): LocalizedText {
  const present = parts.filter((p): p is LocalizedText => p !== undefined);
  return { fr: present.map((p) => p.fr).join(' '), en: present.map((p) => p.en).join(' ') };
}

const ORDER: Record<CheckStatus, number> = { skipped: 0, ok: 1, warn: 2, fail: 3 };

export function worstStatus(statuses: readonly CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((worst, s) => (ORDER[s] > ORDER[worst] ? s : worst), 'ok');
}

export function countStatuses(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
