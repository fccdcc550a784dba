/**
 * Our ATR parser must read ATRs the way pcsc-tools' ATR_analysis does (protocols, Fi/Di,
 * historical bytes, TCK) on a seeded sample of the concrete ATRs of smartcard_list.txt plus
 * the CPS/Vitale ones. `npx tsx tools/atr-analysis-compare.ts --all` checks every ATR.
 * Never skipped: without pcsc-tools the test fails and says how to install it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  INSTALL_HINT,
  SMARTCARD_LIST,
  atrAnalysisInstalled,
  compareWithAtrAnalysis,
  concreteAtrs,
  runAtrAnalysisBatch,
  parseAtrAnalysisOutput,
  runAtrAnalysisOnce,
  type AtrAnalysisReport,
} from './atr-analysis-harness';
import { FRENCH_HEALTH_ATRS, KNOWN_ATR_ANALYSIS_DIFFERENCES, sampleAtrs } from './atr-analysis-sample';
import { existsSync, readFileSync } from 'node:fs';
import { identifyAtr } from '../../../src-main/card/identify';
import { parseHex } from '../../../src-shared/hex';

function requirePcscTools(): void {
  if (!atrAnalysisInstalled() || !existsSync(SMARTCARD_LIST)) throw new Error(INSTALL_HINT);
}

describe('agreement with pcsc-tools ATR_analysis', () => {
  let sample: string[] = [];
  let reports = new Map<string, AtrAnalysisReport>();

  beforeAll(async () => {
    if (!atrAnalysisInstalled() || !existsSync(SMARTCARD_LIST)) return; // each test then fails with the hint
    sample = sampleAtrs(concreteAtrs());
    reports = await runAtrAnalysisBatch(sample);
  }, 60_000);

  it('runs ATR_analysis on a seeded sample of at least 150 ATRs including the CPS and Vitale ones', () => {
    requirePcscTools();
    expect(sample.length).toBeGreaterThanOrEqual(150);
    for (const atr of FRENCH_HEALTH_ATRS) expect(sample).toContain(atr);
    expect(reports.size).toBe(sample.length);
  });

  it('notices a disagreement when there is one (the comparison itself can fail)', () => {
    const atr = '3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44';
    const wrong = parseAtrAnalysisOutput(atr, [
      '  TA(1) = 18 --> Fi=372, Di=8',
      '  TD(1) = 80 --> Y(i+1) = 1000, Protocol T = 0 ',
      '+ Historical bytes: 00 12 25 00 64 80 04 01 00 00 91',
      '+ TCK = 44 WRONG CHECKSUM, expected 45',
    ].join('\n'));
    const problems = compareWithAtrAnalysis(atr, wrong).join(' | ');
    expect(problems).toMatch(/protocols/);
    expect(problems).toMatch(/Fi\/Di/);
    expect(problems).toMatch(/historical/);
    expect(problems).toMatch(/TCK/);
  });

  it('the one-process batch gives the same readings as running ATR_analysis per ATR', () => {
    requirePcscTools();
    for (const atr of [...FRENCH_HEALTH_ATRS.slice(0, 3), ...sample.slice(0, 5)]) {
      expect(reports.get(atr)).toEqual(runAtrAnalysisOnce(atr));
    }
  });

  it('agrees on protocols, Fi/Di, historical bytes and TCK for every sampled ATR', () => {
    requirePcscTools();
    const disagreements: string[] = [];
    for (const atr of sample) {
      if (KNOWN_ATR_ANALYSIS_DIFFERENCES[atr]) continue;
      for (const problem of compareWithAtrAnalysis(atr, reports.get(atr)!)) disagreements.push(`${atr}: ${problem}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('still differs on the documented cases (ATR_analysis wrong), so the exclusions stay honest', async () => {
    requirePcscTools();
    const known = Object.keys(KNOWN_ATR_ANALYSIS_DIFFERENCES);
    const knownReports = await runAtrAnalysisBatch(known);
    for (const atr of known) expect(compareWithAtrAnalysis(atr, knownReports.get(atr)!)).not.toEqual([]);
  }, 30_000);
});

describe('ATR knowledge base against smartcard_list.txt', () => {
  it('names no listed ATR a CPS, Vitale or bank card unless its description says so', () => {
    requirePcscTools();
    const expected: Record<string, RegExp> = {
      cps3: /CPS/i,
      'cps3-contactless': /CPS/i,
      cps4: /CPS/i,
      vitale1: /vitale/i,
      vitale2: /vitale|health ?care/i,
      bank: /\bCB\b|bank|banc/i,
    };
    const lines = readFileSync(SMARTCARD_LIST, 'latin1').split('\n');
    const wrong: string[] = [];
    let named = 0;
    lines.forEach((line, i) => {
      if (!/^[0-9A-Fa-f]{2}( [0-9A-Fa-f]{2})*$/.test(line)) return;
      const { type } = identifyAtr(parseHex(line)!);
      if (type === 'unknown') return;
      named++;
      const description = lines.slice(i + 1).join('\n').split(/\n(?!\t)/)[0]!;
      if (!expected[type]!.test(description)) wrong.push(`${line} → ${type}: ${description.trim()}`);
    });
    expect(wrong).toEqual([]);
    expect(named).toBeGreaterThanOrEqual(10);
  });
});
