/** `ecps atr <hex>…` / `ecps atr -`: ISO 7816-3 analysis and card type, no reader needed. */
import { createInterface } from 'node:readline';
import { parseHex, toHex } from '../../../src-shared/hex';
import { EcpsError, type Lang } from '../../../src-shared/errors';
import { asEcpsError, usageError, type CliContext } from '../context';
import { localized } from '../messages';
import { EXIT } from '../exit-codes';
import { parseAtr, type ParsedAtr } from '../../card/atr';
import { identifyAtr } from '../../card/identify';

/** The JSON document of one ATR, exactly as the README documents it. */
export type AtrReport =
  | {
      atr: string;
      convention: 'direct' | 'inverse';
      protocols: number[];
      Fi: number | null;
      Di: number | null;
      historical: string;
      tckValid: boolean | null;
      card: { type: string; label: string };
    }
  | { atr: string; inputLength?: number; error: { code: string; message: string } };

/**
 * How much of a refused input an error line repeats: an ATR is at most 33 bytes (66 hex
 * digits, ISO 7816-3 §8.2). Before, the whole input came back — 20 MiB in, 20 MiB out
 * (issue 13 #11); now the start, an ellipsis, and `inputLength` (characters) in JSON.
 */
export const MAX_ATR_ECHO = 66;

function echoOf(text: string): { atr: string; inputLength?: number } {
  return text.length <= MAX_ATR_ECHO ? { atr: text } : { atr: `${text.slice(0, MAX_ATR_ECHO)}…`, inputLength: text.length };
}

/** What the human output adds to the report (not part of the JSON contract). */
export interface AtrInterfaceDetails {
  fmaxMHz: number | null;
  N?: number;
  WI?: number;
  IFSC?: number;
}

export interface AtrAnalysis {
  report: AtrReport;
  details?: AtrInterfaceDetails;
}

/** One ATR (`Fi`/`Di` default to 372/1 without TA1). The ATR is printed as in `ecps readers`: hex, no spaces. */
export function analyseAtr(text: string, lang: Lang): AtrAnalysis {
  const clean = text.trim();
  const bytes = parseHex(clean);
  if (!bytes) {
    const err = new EcpsError('AtrNotHex', { message: localized('atrNotHex') });
    return { report: { ...echoOf(clean), error: { code: err.code, message: err.text(lang).slice(0, 300) } } };
  }
  const atr = toHex(bytes, '');
  let parsed: ParsedAtr;
  try {
    parsed = parseAtr(bytes);
  } catch (error) {
    const err = asEcpsError(error);
    return { report: { ...echoOf(atr), error: { code: err.code, message: err.text(lang).slice(0, 300) } } };
  }
  const card = identifyAtr(bytes);
  const report: AtrReport = {
    atr,
    convention: parsed.convention,
    protocols: parsed.protocols,
    Fi: parsed.clockRate ? (parsed.clockRate.fi ?? null) : 372,
    Di: parsed.clockRate ? (parsed.clockRate.di ?? null) : 1,
    historical: toHex(parsed.historicalBytes, ''),
    tckValid: parsed.tck ? parsed.tck.valid : null,
    card: { type: card.type, label: card.label[lang] },
  };
  const details: AtrInterfaceDetails = { fmaxMHz: parsed.clockRate ? (parsed.clockRate.fmaxMHz ?? null) : 5 };
  if (parsed.extraGuardTime !== undefined) details.N = parsed.extraGuardTime;
  if (parsed.workWaitingInteger !== undefined) details.WI = parsed.workWaitingInteger;
  if (parsed.t1?.ifsc !== undefined) details.IFSC = parsed.t1.ifsc;
  return { report, details };
}

function printHuman(ctx: CliContext, { report, details }: AtrAnalysis): void {
  ctx.line(`${ctx.t('atrLabel')} ${report.atr}`);
  if ('error' in report) {
    if (report.inputLength !== undefined) ctx.line(`    ${ctx.t('atrInputLength', { n: report.inputLength })}`);
    ctx.line(`    ⚠ ${report.error.message} (${report.error.code})`);
    return;
  }
  const conv = report.convention === 'inverse' ? ctx.t('atrInverse') : ctx.t('atrDirect');
  ctx.line(`    ${ctx.field(ctx.t('atrConvention'), conv)}`);
  ctx.line(`    ${ctx.field(ctx.t('atrProtocols'), report.protocols.map((p) => `T=${p}`).join(', '))}`);
  ctx.line(`    ${ctx.field('Fi/Di', `${report.Fi ?? 'RFU'}/${report.Di ?? 'RFU'}${details?.fmaxMHz ? `, fmax ${details.fmaxMHz} MHz` : ''}`)}`);
  if (details?.N !== undefined) ctx.line(`    ${ctx.field('N', details.N)}`);
  if (details?.WI !== undefined) ctx.line(`    ${ctx.field('WI', details.WI)}`);
  if (details?.IFSC !== undefined) ctx.line(`    ${ctx.field('IFSC', details.IFSC)}`);
  ctx.line(`    ${ctx.field(ctx.t('atrHistorical'), report.historical || '—')}`);
  const tck = report.tckValid === null ? ctx.t('atrTckAbsent') : report.tckValid ? ctx.t('atrTckValid') : ctx.t('atrTckInvalid');
  ctx.line(`    ${ctx.field(ctx.t('atrTck'), tck)}`);
  ctx.line(`    ${ctx.field(ctx.t('atrCard'), `${report.card.label} (${report.card.type})`)}`);
}

export async function runAtr(ctx: CliContext, args: string[]): Promise<number> {
  if (args.length === 0) throw usageError('atrMissing');
  let failures = 0;
  const handle = (text: string) => {
    if (text.trim() === '' || text.trim().startsWith('#')) return;
    const analysis = analyseAtr(text, ctx.lang);
    if ('error' in analysis.report) failures++;
    if (ctx.json) ctx.emitJson(analysis.report);
    else printHuman(ctx, analysis);
  };
  if (args.length === 1 && args[0] === '-') {
    if (!ctx.json && (ctx.stdin as { isTTY?: boolean }).isTTY) ctx.stderr(`${ctx.t('atrReadStdin')}\n`);
    const lines = createInterface({ input: ctx.stdin, crlfDelay: Infinity });
    for await (const line of lines) handle(line);
  } else {
    // Several words may form one ATR ("3B 65 00 …") or several ATRs ("3B65… 3F65…"):
    // an argument with spaces is one ATR; separate arguments without spaces are separate ATRs.
    for (const arg of args) handle(arg);
  }
  return failures > 0 ? EXIT.invalidAtr : EXIT.ok;
}
