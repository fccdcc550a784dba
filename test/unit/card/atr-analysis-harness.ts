/**
 * Runs pcsc-tools' ATR_analysis (Debian package pcsc-tools) and compares its reading of an
 * ATR with `parseAtr`. Shared by the agreement test and `tools/atr-analysis-compare.ts`.
 *
 * Speed: ATR_analysis is one perl process per ATR (~30 ms each, ~2 min for the whole list).
 * We instead load the unmodified script once per ATR inside ONE perl process (`do FILE`),
 * with `exit` turned into an exception so the loop goes on: ~8 s for all ~3 800 ATRs.
 * The test cross-checks a few ATRs against the plain one-process-per-ATR run.
 * The script also looks the ATR up in smartcard_list.txt and tries to download a fresh list
 * when it is unknown: we point XDG_CACHE_HOME at an empty, fresh list so it does neither.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseHex, toHex } from '../../../src-shared/hex';
import { parseAtr, type ParsedAtr } from '../../../src-main/card/atr';
import { isEcpsError } from '../../../src-shared/errors';

/** Overridable so the "not installed" failure can be checked: ATR_ANALYSIS_PATH=/nowhere. */
export const ATR_ANALYSIS = process.env.ATR_ANALYSIS_PATH ?? '/usr/bin/ATR_analysis';
export const SMARTCARD_LIST = '/usr/share/pcsc/smartcard_list.txt';
export const INSTALL_HINT = 'ATR_analysis not found: install it with: sudo apt-get install -y pcsc-tools';

export interface AtrAnalysisReport {
  atr: string;
  protocols: number[];
  /** From the TA(1) line: `Fi=372, Di=1` → ['372', '1'] (or 'RFU'). */
  fiDi?: [string, string];
  /** Historical bytes as ATR_analysis keeps them (after its own truncation). */
  historical?: string;
  truncatedBy?: number;
  tooLongBy?: number;
  tck?: { value: string; valid: boolean };
  /** No "Historical bytes" line: the script exited when it ran out of bytes. */
  stoppedEarly: boolean;
}

/** Concrete ATRs of smartcard_list.txt (lines that are plain hex, no regex such as `..` or `[`). */
export function concreteAtrs(listPath = SMARTCARD_LIST): string[] {
  const lines = readFileSync(listPath, 'latin1').split('\n');
  const atrs = lines.filter((l) => /^[0-9A-Fa-f]{2}( [0-9A-Fa-f]{2})*$/.test(l)).map((l) => l.toUpperCase());
  return [...new Set(atrs)];
}

function isolatedCache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'atr-analysis-'));
  writeFileSync(path.join(dir, 'smartcard_list.txt'), ''); // fresh mtime: no download attempt
  return dir;
}

const BATCH_WRAPPER = `
BEGIN { *CORE::GLOBAL::exit = sub { die "__ATR_EXIT__\\n" }; }
no warnings;
$| = 1;
my $script = shift @ARGV;
while (my $line = <STDIN>) {
  chomp $line;
  next unless length $line;
  @ARGV = split / /, $line;
  print "==== BEGIN $line\\n";
  eval { do $script; die $@ if $@ && $@ ne "__ATR_EXIT__\\n"; };
  print "==== FAILED $@" if $@ && $@ ne "__ATR_EXIT__\\n";
  print "==== END\\n";
}
`;

/** ATR_analysis on many ATRs in one perl process; resolves with one report per ATR. */
export function runAtrAnalysisBatch(atrs: string[]): Promise<Map<string, AtrAnalysisReport>> {
  const cache = isolatedCache();
  const wrapper = path.join(cache, 'batch.pl');
  writeFileSync(wrapper, BATCH_WRAPPER);
  return new Promise((resolve, reject) => {
    const child = spawn('perl', [wrapper, ATR_ANALYSIS], {
      env: { ...process.env, XDG_CACHE_HOME: cache, HOME: cache },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`perl exited with ${code}`));
      const reports = new Map<string, AtrAnalysisReport>();
      for (const block of out.split('==== BEGIN ').slice(1)) {
        const atr = block.slice(0, block.indexOf('\n'));
        if (block.includes('==== FAILED')) return reject(new Error(`ATR_analysis failed on ${atr}`));
        reports.set(atr, parseAtrAnalysisOutput(atr, block));
      }
      resolve(reports);
    });
    child.stdin.end(atrs.join('\n') + '\n');
  });
}

/** The plain way (one process), to check the batch wrapper is faithful. */
export function runAtrAnalysisOnce(atr: string): AtrAnalysisReport {
  const cache = isolatedCache();
  const out = execFileSync(ATR_ANALYSIS, [atr], { env: { ...process.env, XDG_CACHE_HOME: cache, HOME: cache }, encoding: 'latin1' });
  return parseAtrAnalysisOutput(atr, out);
}

export function parseAtrAnalysisOutput(atr: string, text: string): AtrAnalysisReport {
  const clean = text.replace(/\x1b\[[0-9;]*m/g, ''); // colour codes
  const report: AtrAnalysisReport = { atr, protocols: [], stoppedEarly: true };
  for (const line of clean.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^ {2}TD\(\d+\) = [0-9A-F]{2} --> .*Protocol T = (\d+)/))) report.protocols.push(Number(m[1]));
    else if ((m = line.match(/^ {2}TA\(1\) = [0-9A-F]{2} --> Fi=(\w+), Di=(\w+)/))) report.fiDi = [m[1]!, m[2]!];
    else if ((m = line.match(/^\+ Historical bytes: ?(.*)$/))) {
      report.historical = m[1]!.trim();
      report.stoppedEarly = false;
    } else if ((m = line.match(/ATR is truncated: (\d+) byte/))) report.truncatedBy = Number(m[1]);
    else if ((m = line.match(/ATR is too long: (\d+) extra/))) report.tooLongBy = Number(m[1]);
    else if ((m = line.match(/^\+ TCK = ([0-9A-F]{2}) (.*)$/))) report.tck = { value: m[1]!, valid: m[2]!.includes('correct checksum') };
  }
  // ATR_analysis prints the historical bytes before cutting the extra ones off.
  if (report.historical !== undefined && report.tooLongBy !== undefined) {
    const bytes = report.historical.split(' ');
    report.historical = bytes.slice(0, bytes.length - report.tooLongBy).join(' ');
  }
  return report;
}

/**
 * Where we and ATR_analysis disagree, as human-readable lines (empty = agreement).
 * Compared: protocols (every TD's T), Fi/Di of TA1, historical bytes, TCK presence and
 * validity, and that our strict parser rejects exactly the ATRs ISO 7816-3 calls malformed.
 */
export function compareWithAtrAnalysis(atr: string, report: AtrAnalysisReport): string[] {
  const bytes = parseHex(atr)!;
  let lenient: ParsedAtr;
  try {
    lenient = parseAtr(bytes, { strict: false });
  } catch (error) {
    return [`parser threw ${isEcpsError(error) ? error.code : String(error)}; ATR_analysis read it`];
  }
  // Both give up mid interface bytes (the lenient parser says so in its issues).
  if (lenient.issues.includes('interface-bytes-missing') && report.stoppedEarly) return [];
  const problems: string[] = [];
  if (report.stoppedEarly) {
    // Quirk of ATR_analysis: it exits as soon as no byte is left, even when nothing is
    // missing (e.g. `3B 80 00`: no historical bytes, no TCK). Accept that silence only then.
    if (lenient.historicalBytes.length > 0 || lenient.tck) problems.push('ATR_analysis stopped early, parser read further');
  } else if (toHex(lenient.historicalBytes) !== report.historical) {
    problems.push(`historical bytes: parser "${toHex(lenient.historicalBytes)}" vs ATR_analysis "${report.historical}"`);
  }
  if (lenient.indicatedProtocols.join(',') !== report.protocols.join(',')) {
    problems.push(`protocols: parser T=${lenient.indicatedProtocols.join(',')} vs ATR_analysis T=${report.protocols.join(',')}`);
  }
  const ours = lenient.clockRate ? [String(lenient.clockRate.fi ?? 'RFU'), String(lenient.clockRate.di ?? 'RFU')] : undefined;
  if (String(ours) !== String(report.fiDi)) problems.push(`Fi/Di: parser ${String(ours)} vs ATR_analysis ${String(report.fiDi)}`);
  const ourTck = lenient.tck ? `${toHex([lenient.tck.value])} ${lenient.tck.valid}` : 'none';
  const theirTck = report.tck ? `${report.tck.value} ${report.tck.valid}` : 'none';
  if (!report.stoppedEarly && ourTck !== theirTck) problems.push(`TCK: parser ${ourTck} vs ATR_analysis ${theirTck}`);

  // Malformed per ISO 7816-3 ⇔ ATR_analysis complains or shows a TCK the protocols forbid (or lack one they require).
  const isoTckExpected = report.protocols.some((t) => t !== 0);
  const theySeeFault =
    report.truncatedBy !== undefined || report.tooLongBy !== undefined || (!report.stoppedEarly && (report.tck !== undefined) !== isoTckExpected);
  let strictRejects = false;
  try {
    parseAtr(bytes);
  } catch {
    strictRejects = true;
  }
  if (strictRejects !== theySeeFault) {
    problems.push(strictRejects ? `strict parser rejects (${lenient.issues.join(', ')}), ATR_analysis sees no fault` : 'ATR_analysis reports a fault, strict parser accepts');
  }
  return problems;
}

export function atrAnalysisInstalled(): boolean {
  return existsSync(ATR_ANALYSIS);
}
