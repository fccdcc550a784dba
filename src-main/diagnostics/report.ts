/**
 * The diagnostic report (issue 6 §3): machine and OS, PC/SC service, readers and slots, cards
 * (personal data masked unless `showPersonalData`), every check, the fallback ladder's outcomes
 * (from the run when the ladder ran — `ecps diagnose` — or any list given) and the APDU trace
 * (PIN/PUK data redacted by ApduTrace; re-asserted here). Renderers: JSON (this object),
 * HTML (report-html.ts), a short text summary (report-text.ts).
 */
import os from 'node:os';
import { parseHex } from '../../src-shared/hex';
import { PIN_CARRYING_INS, redactCommand, type ApduTraceEntry } from '../reader/apdu-trace';
import { hideFileData, maskDigits, maskName, personalValues, scrub } from './mask';
import type { ReaderStrategy } from '../reader/fallback-strategy';
import type { DiagnosticRun } from './run';
import { countStatuses, worstStatus, type CheckResult, type CheckStatus, type EvidenceValue } from './types';
import type { RealAttempt } from '../readiness/attempts';

/** One rung the fallback ladder tried (src-main/reader/fallback-*; shape owned by the ladder). */
export interface FallbackOutcome {
  reader: string;
  strategy: string;
  outcome: string;
  [detail: string]: EvidenceValue | undefined;
}

/** The ladder's outcome per reader: the strategy kept and how it was found. */
export interface FallbackReaderSummary {
  reader: string;
  ok: boolean;
  /** The first attempt used the strategy remembered from a previous run. */
  fromMemory: boolean;
  /** This run stored the strategy for next time. */
  remembered: boolean;
  /** The default strategy failed and another one was needed (now or in a previous run). */
  fallbackNeeded: boolean;
  rungs: string[];
  strategy: Record<string, string | number | boolean>;
  strategyText: string;
  attempts: number;
  failure: string | null;
  usedForChecks: boolean;
  memoryError: string | null;
}

/** `protocol=T0 share=shared … timeoutMs=15000 retries=0`. */
export function formatStrategy(strategy: ReaderStrategy): string {
  return (Object.keys(strategy) as (keyof ReaderStrategy)[]).map((k) => `${k}=${String(strategy[k])}`).join(' ');
}

/** The report's fallback section from what the ladder did in the run (one row per rung tried). */
export function fallbackFromRun(run: DiagnosticRun): { outcomes: FallbackOutcome[]; readers: FallbackReaderSummary[] } {
  const outcomes: FallbackOutcome[] = [];
  const readers: FallbackReaderSummary[] = [];
  for (const slot of run.slots) {
    const fb = slot.fallback;
    if (!fb) continue;
    for (const a of fb.attempts) {
      outcomes.push({
        reader: slot.reader,
        index: a.index,
        rung: a.rung,
        strategy: formatStrategy(a.strategy),
        outcome: a.outcome,
        errorCode: a.error?.code ?? null,
        errorStep: a.error?.step ?? null,
        sw: a.error?.sw ?? null,
        ms: a.ms,
        fromMemory: a.rung === 'remembered',
      });
    }
    readers.push({
      reader: slot.reader,
      ok: fb.ok,
      fromMemory: fb.fromMemory,
      remembered: fb.remembered,
      fallbackNeeded: fb.rungs.length > 0,
      rungs: [...fb.rungs],
      strategy: { ...fb.strategy },
      strategyText: formatStrategy(fb.strategy),
      attempts: fb.attempts.length,
      failure: fb.failure?.code ?? null,
      usedForChecks: fb.usedForChecks,
      memoryError: fb.memoryError ?? null,
    });
  }
  return { outcomes, readers };
}

export interface ReportOptions {
  showPersonalData?: boolean;
  fallback?: readonly FallbackOutcome[];
  toolVersion?: string;
  now?: () => Date;
  /** The real activation attempts recorded on this machine (src-main/readiness/attempts.ts), already masked. */
  attempts?: readonly RealAttempt[];
}

export interface ReportCard {
  reader: string;
  type: string;
  label: { fr: string; en: string };
  confirmed: boolean;
  serialNumber?: string;
  atr?: string;
  protocol?: string;
  holder?: Record<string, string | number | null>;
  pin?: { triesLeft: number; maxTries: number; blocked: boolean };
  puk?: { triesLeft: number; maxTries: number; blocked: boolean; usesLeft?: number };
}

export interface DiagnosticReport {
  format: 'ecps-diagnostic-report';
  version: 1;
  generatedAt: string;
  tool: { name: string; version: string };
  demo: boolean;
  personalDataShown: boolean;
  machine: { hostname: string; platform: string; release: string; osVersion: string; arch: string; cpus: number; memoryMb: number; node: string; uptimeMinutes: number };
  pcscService: { kind: string; available: boolean; probe?: Record<string, unknown> };
  readers: { name: string; slotIndex: number; expectedRole: string | null; cardPresent: boolean; inUse: boolean; mute: boolean; atr: string | null; model: { id: string; vendor: string; model: string } | null }[];
  cards: ReportCard[];
  usb: { supported: boolean; readers: { usb: string; product: string | null; model: string | null; visibleAs: string[] }[] };
  galss: { installed: boolean; ini: string | null; channels: { number: number; reader: string | null }[] };
  summary: Record<CheckStatus, number> & { worst: CheckStatus; total: number };
  checks: CheckResult[];
  /**
   * The fallback ladder: `outcomes` one row per rung tried (reader, index, rung, strategy,
   * outcome, errorCode, errorStep, sw, ms, fromMemory), `readers` the strategy kept per reader,
   * `memory` the folder of the remembered strategies (null: nothing remembered).
   */
  fallback: { provided: boolean; outcomes: FallbackOutcome[]; readers: FallbackReaderSummary[]; memory: { directory: string; source: string } | null };
  apduTrace: { entries: ApduTraceEntry[]; dropped: number; pinRedacted: true; cardDataHidden: boolean };
  /** Real activations tried beside the official portal, newest first: steps reached, failed checks, card masked. */
  realAttempts: RealAttempt[];
}

export function buildReport(run: DiagnosticRun, options: ReportOptions = {}): DiagnosticReport {
  const show = options.showPersonalData === true;
  const cards = run.slots.filter((s) => s.identification).map((s) => cardOf(s, show));
  const trace = run.trace.toJSON();
  const ladder = run.fallback ? fallbackFromRun(run) : undefined;
  const report: DiagnosticReport = {
    format: 'ecps-diagnostic-report',
    version: 1,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    tool: { name: 'Compagnon e-CPS', version: options.toolVersion ?? '0.0.0' },
    demo: run.demo,
    personalDataShown: show,
    machine: {
      hostname: os.hostname(),
      platform: os.platform(),
      release: os.release(),
      osVersion: typeof os.version === 'function' ? os.version() : '',
      arch: os.arch(),
      cpus: os.cpus().length,
      memoryMb: Math.round(os.totalmem() / 1048576),
      node: process.version,
      uptimeMinutes: Math.round(os.uptime() / 60),
    },
    pcscService: { kind: run.portKind, available: run.service.available, ...(run.service.probe ? { probe: { ...run.service.probe } } : {}) },
    readers: run.slots.map((s) => ({
      name: s.reader,
      slotIndex: s.slot.slotIndex,
      expectedRole: s.expectedRole ?? null,
      cardPresent: s.snapshot.cardPresent,
      inUse: s.snapshot.inUse,
      mute: s.snapshot.mute,
      atr: s.snapshot.atr ?? null,
      model: s.model ? { id: s.model.id, vendor: s.model.vendor, model: s.model.model } : null,
    })),
    cards,
    usb: {
      supported: run.usb.supported,
      readers: run.usb.readers.map((d) => ({ usb: `${d.device.vendorId}:${d.device.productId}`, product: d.device.product ?? null, model: d.model?.id ?? null, visibleAs: d.visibleAs })),
    },
    galss: { installed: run.galss.installed, ini: run.galss.ini?.path ?? null, channels: run.galss.ini?.channels.map((c) => ({ number: c.number, reader: c.reader ?? null })) ?? [] },
    summary: { ...countStatuses(run.checks), worst: worstStatus(run.checks.map((c) => c.status)), total: run.checks.length },
    checks: run.checks,
    fallback: {
      provided: options.fallback !== undefined || ladder !== undefined,
      outcomes: [...(options.fallback ?? ladder?.outcomes ?? [])],
      readers: ladder?.readers ?? [],
      memory: run.fallback?.memory ?? null,
    },
    apduTrace: { entries: trace.entries.map((e) => safeTraceEntry(e, show)), dropped: trace.dropped, pinRedacted: true, cardDataHidden: !show },
    realAttempts: (options.attempts ?? []).map((a) => structuredClone(a)),
  };
  if (show) return report;
  const pairs = run.slots.flatMap((s) => (s.cps?.identity ? personalValues(s.cps.identity) : []));
  return scrub(report, pairs);
}

function cardOf(s: DiagnosticRun['slots'][number], show: boolean): ReportCard {
  const id = s.identification!;
  const identity = s.cps?.identity;
  const name = (v: string | undefined) => (v === undefined ? null : show ? v : maskName(v));
  const digits = (v: string | undefined) => (v === undefined ? null : show ? v : maskDigits(v));
  return {
    reader: s.reader,
    type: id.type,
    label: id.label,
    confirmed: id.confirmed,
    ...(id.serialNumber ? { serialNumber: id.serialNumber } : {}),
    ...(s.connected ? { atr: s.connected.atr, protocol: s.connected.protocol } : s.snapshot.atr ? { atr: s.snapshot.atr } : {}),
    ...(identity
      ? {
          holder: {
            kind: identity.kind,
            surname: name(identity.surname),
            givenName: name(identity.givenName),
            idNat: digits(identity.idNat),
            rpps: digits(identity.rpps),
            adeli: digits(identity.adeli),
            finess: digits(identity.finess),
            organization: name(identity.organization),
            profession: identity.profession ?? null,
            generation: identity.generation,
            notBefore: identity.notBefore.toISOString(),
            notAfter: identity.notAfter.toISOString(),
            status: identity.status,
            expiresInDays: identity.expiresInDays,
            issuer: identity.issuerCommonName ?? identity.issuer,
          },
        }
      : {}),
    ...(s.cps?.pin ? { pin: { triesLeft: s.cps.pin.triesLeft, maxTries: s.cps.pin.maxTries, blocked: s.cps.pin.blocked } } : {}),
    ...(s.cps?.puk ? { puk: { triesLeft: s.cps.puk.triesLeft, maxTries: s.cps.puk.maxTries, blocked: s.cps.puk.blocked, ...(s.cps.puk.usesLeft !== undefined ? { usesLeft: s.cps.puk.usesLeft } : {}) } } : {}),
  };
}

/**
 * ApduTrace already redacts PIN-carrying commands (apdu-trace.ts); a report leaves the machine,
 * so it is checked again here: any VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER with
 * data that is not marked redacted is redacted now. Card file data is hidden unless asked.
 */
export function safeTraceEntry(entry: ApduTraceEntry, showCardData: boolean): ApduTraceEntry {
  let command = entry.command;
  let redacted = entry.redacted;
  const bytes = command.includes('redacted') ? undefined : parseHex(command);
  if (bytes && bytes.length > 5 && PIN_CARRYING_INS.has(bytes[1]!)) {
    command = redactCommand(bytes);
    redacted = true;
  }
  return { ...entry, command, redacted, response: showCardData ? entry.response : hideFileData(command, entry.response) };
}

export function renderJson(report: DiagnosticReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
