/**
 * `ecps diagnose [--json] [--html FILE] [--show-personal-data] [--reader NAME] [--authority URL]
 *   [--allow-exclusive] [--state-dir DIR]`
 * (issue 6 §3): runs every technician check (src-main/diagnostics) over PC/SC — or the demo
 * reader with `--demo` — prints a short French summary (or the whole report as JSON), writes
 * the self-contained HTML report. Exit 0 when no check failed, 15 otherwise. Personal data
 * (holder name, RPPS) is masked unless `--show-personal-data`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ActivationAuthority } from '../../../src-shared/activation-authority';
import { AuthorityHttpClient } from '../../activation/authority-http-client';
import { SandboxAuthority } from '../../../simulators/authority/index';
import { loadSandboxPki, sandboxTrustAnchors } from '../../../simulators/pki/index';
import { ApduTrace } from '../../reader/apdu-trace';
import { DEFAULT_TIMEOUT_LADDER_MS } from '../../reader/fallback-strategy';
import { openReaderPort } from '../../reader/open-port';
import { ReaderMemory } from '../../reader/reader-memory';
import { resolveStateDir } from '../../reader/state-dir';
import { buildReport, renderHtml, renderTextSummary, runDiagnostics } from '../../diagnostics/index';
import { AttemptLog } from '../../readiness/attempts';
import { defaultBrowserProbe } from '../../readiness/run';
import { diagnosticsErrors } from '../../diagnostics/errors';
import { usageError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';

export interface DiagnoseOptions {
  html?: string;
  showPersonalData: boolean;
  reader?: string;
  authority?: string;
  /** The user agreed to exclusive access to the reader (locks the pharmacy software out). */
  allowExclusive?: boolean;
  /** Folder of the remembered strategies (default: the per-user config folder). */
  stateDir?: string;
}

/** The ladder's watchdogs: `--timeout` first, then the longer default ones. */
export function ladderTimeouts(timeoutMs: number): number[] {
  return [timeoutMs, ...DEFAULT_TIMEOUT_LADDER_MS.filter((t) => t > timeoutMs)];
}

function authorityFor(ctx: CliContext, url: string | undefined): ActivationAuthority | undefined {
  if (url === undefined) return ctx.demo ? new SandboxAuthority() : undefined;
  if (url === 'sandbox') return new SandboxAuthority();
  try {
    return new AuthorityHttpClient({ baseUrl: url, timeoutMs: 5000 });
  } catch {
    throw usageError('diagnoseBadAuthority', { value: url });
  }
}

function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function runDiagnose(ctx: CliContext, options: DiagnoseOptions): Promise<number> {
  const authority = authorityFor(ctx, options.authority);
  const pki = await loadSandboxPki();
  // PC/SC even when the service is down: saying so IS the diagnosis (no demo fallback here).
  const { port, demo } = await openReaderPort({ mode: ctx.demo ? 'demo' : 'pcsc', transmitTimeoutMs: ctx.timeoutMs });
  const trace = ctx.trace ?? new ApduTrace({ maxEntries: 2000 });
  const state = resolveStateDir(options.stateDir);
  const remember = !demo || state.source !== 'default';
  const memory = remember ? new ReaderMemory({ directory: state.directory }) : undefined;
  let run;
  try {
    run = await runDiagnostics({
      port,
      demo,
      trace,
      ...(options.reader !== undefined ? { reader: options.reader } : {}),
      ...(authority ? { authority } : {}),
      // Sandbox TEST roots, as `ecps auth-test`: a real CPS shows "untrusted" (warn) until the IGC-Santé roots are configured.
      trust: { anchors: sandboxTrustAnchors(), intermediates: [pki.sandbox.certificateDer] },
      connectTimeoutMs: Math.min(ctx.timeoutMs, 10_000),
      fallback: { ...(memory ? { memory } : {}), allowExclusive: options.allowExclusive === true, timeoutsMs: ladderTimeouts(ctx.timeoutMs) },
      fallbackMemory: memory ? { directory: state.directory, source: state.source } : null,
      // The browser's card stack, as `ecps ready` checks it (issue 10 §6).
      ...(defaultBrowserProbe() ? { browser: defaultBrowserProbe()! } : {}),
    });
  } finally {
    await ctx.release(port);
  }
  // The real activation attempts recorded in the same per-user folder (already masked).
  const attempts = remember ? new AttemptLog({ directory: state.directory }).list() : [];
  const report = buildReport(run, { showPersonalData: options.showPersonalData, toolVersion: toolVersion(), attempts });
  if (options.html !== undefined) {
    try {
      writeFileSync(options.html, renderHtml(report), { mode: 0o600 });
    } catch (error) {
      throw diagnosticsErrors.create('ReportWriteFailed', { details: { file: options.html }, cause: error });
    }
  }
  if (ctx.json) {
    ctx.emitJson(report);
  } else {
    ctx.stdout(renderTextSummary(report, ctx.lang));
    if (options.html !== undefined) ctx.line(ctx.t('diagnoseHtmlWritten', { file: options.html }));
  }
  return report.summary.fail > 0 ? EXIT.diagnosticsFailed : EXIT.ok;
}
