/**
 * Compares our ATR parser (src-main/card/atr.ts) with pcsc-tools' ATR_analysis on the
 * concrete ATRs of smartcard_list.txt and prints a summary of the disagreements.
 *   npx tsx tools/atr-analysis-compare.ts          # a seeded sample of 150 ATRs
 *   npx tsx tools/atr-analysis-compare.ts --all    # every concrete ATR
 *   npx tsx tools/atr-analysis-compare.ts --verbose  # list every disagreement
 */
import {
  INSTALL_HINT,
  atrAnalysisInstalled,
  compareWithAtrAnalysis,
  concreteAtrs,
  runAtrAnalysisBatch,
} from '../test/unit/card/atr-analysis-harness';
import { KNOWN_ATR_ANALYSIS_DIFFERENCES, sampleAtrs } from '../test/unit/card/atr-analysis-sample';

async function main(): Promise<number> {
  if (!atrAnalysisInstalled()) {
    console.error(INSTALL_HINT);
    return 2;
  }
  const all = process.argv.includes('--all');
  const verbose = process.argv.includes('--verbose');
  const atrs = all ? concreteAtrs() : sampleAtrs(concreteAtrs());
  const started = Date.now();
  const reports = await runAtrAnalysisBatch(atrs);
  const ms = Date.now() - started;

  const byKind = new Map<string, string[]>();
  let explained = 0;
  for (const atr of atrs) {
    const report = reports.get(atr);
    const problems = report ? compareWithAtrAnalysis(atr, report) : ['no ATR_analysis output'];
    if (problems.length === 0) continue;
    if (KNOWN_ATR_ANALYSIS_DIFFERENCES[atr]) {
      explained++;
      continue;
    }
    for (const p of problems) {
      const kind = p.split(':')[0]!;
      byKind.set(kind, [...(byKind.get(kind) ?? []), `${atr}  —  ${p}`]);
    }
  }
  const disagreeing = new Set([...byKind.values()].flat().map((l) => l.split('  —  ')[0])).size;
  console.log(`ATR_analysis run on ${atrs.length} ATRs in ${ms} ms (${all ? 'all concrete ATRs' : 'seeded sample'}).`);
  console.log(`Agreement: ${atrs.length - disagreeing - explained}, documented differences: ${explained}, disagreements: ${disagreeing}.`);
  for (const [kind, lines] of byKind) {
    console.log(`\n${kind}: ${lines.length}`);
    for (const line of verbose ? lines : lines.slice(0, 5)) console.log(`  ${line}`);
    if (!verbose && lines.length > 5) console.log(`  … ${lines.length - 5} more (--verbose)`);
  }
  return disagreeing === 0 ? 0 : 1;
}

process.exitCode = await main();
