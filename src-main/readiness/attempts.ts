/**
 * The record of real activation attempts, for the technician (issue 10 §5): date, path, the
 * guide's steps reached, the readiness checks that failed, the card's serial and holder MASKED,
 * how it ended. Nothing secret and nothing typed on the portal: the interface only says which
 * step the user reached and which problem they picked; the card facts come from the last
 * readiness run, masked here before anything is stored.
 *
 * Kept in the per-user state folder like the remembered reader strategies (state-dir.ts:
 * `--state-dir`, ECPS_STATE_DIR, ~/.config/compagnon-ecps…), file `real-attempts.json`, the
 * last 20 attempts, written atomically. An unreadable file is set aside and counted as empty.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomically } from '../settings/settings-store';
import { maskDigits } from '../diagnostics/mask';
import { REAL_FLOWS, REAL_OUTCOMES, REAL_PROBLEMS, REAL_STEPS } from '../../src-shared/ipc-contract';
import type { ReadinessRun } from './run';
import { readinessError } from './errors';

export const ATTEMPTS_FILE = 'real-attempts.json';
export const MAX_ATTEMPTS = 20;
export const MAX_EVENTS = 40;

const attemptSchema = z.object({
  id: z.string(),
  flow: z.enum(REAL_FLOWS),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(['in-progress', ...REAL_OUTCOMES]),
  problem: z.enum(REAL_PROBLEMS).optional(),
  stepsReached: z.array(z.enum(REAL_STEPS)),
  lastStep: z.enum(REAL_STEPS).optional(),
  events: z.array(z.object({ at: z.string(), type: z.enum(['card-removed', 'portal-opened', 'readiness']), step: z.enum(REAL_STEPS).optional() })),
  failedChecks: z.array(z.string()),
  warnedChecks: z.array(z.string()),
  card: z
    .object({ type: z.string(), serialMasked: z.string().optional(), holderMasked: z.string().optional(), idNatMasked: z.string().optional(), expiresInDays: z.number().optional(), pinTriesLeft: z.number().optional() })
    .optional(),
  platform: z.string(),
  demo: z.boolean(),
});
export type RealAttempt = z.infer<typeof attemptSchema>;
const fileSchema = z.object({ version: z.literal(1), attempts: z.array(attemptSchema) });

export type RealFlow = (typeof REAL_FLOWS)[number];
export type RealStep = (typeof REAL_STEPS)[number];
export type RealOutcome = (typeof REAL_OUTCOMES)[number];
export type RealProblem = (typeof REAL_PROBLEMS)[number];

export class AttemptLog {
  readonly file: string;
  private readonly now: () => Date;

  constructor(options: { directory: string; now?: () => Date }) {
    this.file = path.join(options.directory, ATTEMPTS_FILE);
    this.now = options.now ?? (() => new Date());
  }

  /** Newest first. */
  list(): RealAttempt[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      return fileSchema.parse(JSON.parse(text)).attempts;
    } catch {
      try {
        renameSync(this.file, `${this.file}.corrupt-${Date.now()}`);
      } catch {
        // read-only folder: keep going with nothing remembered
      }
      return [];
    }
  }

  start(flow: RealFlow, context: { platform: string; demo: boolean; readiness?: ReadinessRun }): RealAttempt {
    const at = this.now().toISOString();
    const attempt: RealAttempt = { id: randomUUID(), flow, startedAt: at, updatedAt: at, outcome: 'in-progress', stepsReached: [], events: [], failedChecks: [], warnedChecks: [], platform: context.platform, demo: context.demo };
    if (context.readiness) applyReadiness(attempt, context.readiness, at);
    this.save([attempt, ...this.list()]);
    return attempt;
  }

  /** A step reached, an event, or the latest readiness run. */
  update(id: string, change: { step?: RealStep; event?: 'card-removed' | 'portal-opened'; during?: RealStep; readiness?: ReadinessRun }): RealAttempt {
    return this.change(id, (a, at) => {
      if (change.step) {
        if (!a.stepsReached.includes(change.step)) a.stepsReached.push(change.step);
        a.lastStep = change.step;
      }
      const during = change.during ?? a.lastStep;
      if (change.event) a.events.push({ at, type: change.event, ...(during ? { step: during } : {}) });
      if (change.readiness) applyReadiness(a, change.readiness, at);
      // Live re-runs add an event each: the record keeps the latest ones.
      if (a.events.length > MAX_EVENTS) a.events.splice(0, a.events.length - MAX_EVENTS);
    });
  }

  finish(id: string, outcome: RealOutcome, problem?: RealProblem): RealAttempt {
    return this.change(id, (a, at) => {
      a.outcome = outcome;
      a.finishedAt = at;
      if (problem) a.problem = problem;
    });
  }

  private change(id: string, apply: (a: RealAttempt, at: string) => void): RealAttempt {
    const all = this.list();
    const attempt = all.find((a) => a.id === id);
    if (!attempt) throw readinessError('AttemptUnknown');
    const at = this.now().toISOString();
    apply(attempt, at);
    attempt.updatedAt = at;
    this.save(all);
    return attempt;
  }

  private save(attempts: RealAttempt[]): void {
    writeAtomically(this.file, `${JSON.stringify({ version: 1, attempts: attempts.slice(0, MAX_ATTEMPTS) }, null, 2)}\n`);
  }
}

/** Failed / warned check ids (with their subject) and the card, masked. */
function applyReadiness(a: RealAttempt, run: ReadinessRun, at: string): void {
  const label = (c: { id: string; subject?: string }) => (c.subject ? `${c.id} (${c.subject})` : c.id);
  a.failedChecks = run.checks.filter((c) => c.status === 'fail').map(label);
  a.warnedChecks = run.checks.filter((c) => c.status === 'warn').map(label);
  a.events.push({ at, type: 'readiness' });
  if (run.card) {
    a.card = {
      type: run.card.type,
      ...(run.card.serialNumber ? { serialMasked: maskDigits(run.card.serialNumber) } : {}),
      ...(run.card.holderMasked ? { holderMasked: run.card.holderMasked } : {}),
      ...(run.card.idNatMasked ? { idNatMasked: run.card.idNatMasked } : {}),
      ...(run.card.expiresInDays !== undefined ? { expiresInDays: run.card.expiresInDays } : {}),
      ...(run.card.pinTriesLeft !== undefined ? { pinTriesLeft: run.card.pinTriesLeft } : {}),
    };
  }
}
