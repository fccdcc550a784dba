/** `ecps atr <hex>…` / `ecps atr -`: ISO 7816-3 analysis and card type, no reader needed. */
import { createInterface } from 'node:readline';
import { parseHex, toHex } from '../../../src-shared/hex';
import { EcpsError, type Lang } from '../../../src-shared/errors';
import { asEcpsError, usageError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { parseAtr, type ParsedAtr } from '../../card/atr';
import { identifyAtr } from '../../card/identify';

export interface AtrReport {
  atr: string;
  convention?: 'direct' | 'inverse';
  protocols?: number[];
  Fi?: number | null;
  Di?: number | null;
  fmaxMHz?: number | null;
  N?: number;
  WI?: number;
  IFSC?: number;
  historical?: string;
  tckValid?: boolean | null;
  card?: { type: string; label: string };
  error?: { code: string; message: string };
}

/** One ATR as the JSON contract of the README says (`Fi`/`Di` default to 372/1 without TA1). */
export function analyseAtr(text: string, lang: Lang): AtrReport {
  const clean = text.trim();
  const bytes = parseHex(clean);
  if (!bytes) {
    const err = new EcpsError('AtrNotHex', {
      message: {
        fr: 'Ce n’est pas une ATR en hexadécimal (nombre pair de chiffres 0-9 A-F attendu).',
        en: 'This is not a hexadecimal ATR (an even number of 0-9 A-F digits is expected).',
      },
    });
    return { atr: clean, error: { code: err.code, message: err.text(lang) } };
  }
  let parsed: ParsedAtr;
  try {
    parsed = parseAtr(bytes);
  } catch (error) {
    const err = asEcpsError(error);
    return { atr: toHex(bytes, ''), error: { code: err.code, message: err.text(lang) } };
  }
  const card = identifyAtr(bytes);
  const report: AtrReport = {
    atr: parsed.hex,
    convention: parsed.convention,
    protocols: parsed.protocols,
    Fi: parsed.clockRate ? (parsed.clockRate.fi ?? null) : 372,
    Di: parsed.clockRate ? (parsed.clockRate.di ?? null) : 1,
    fmaxMHz: parsed.clockRate ? (parsed.clockRate.fmaxMHz ?? null) : 5,
    historical: toHex(parsed.historicalBytes, ''),
    tckValid: parsed.tck ? parsed.tck.valid : null,
    card: { type: card.type, label: card.label[lang] },
  };
  if (parsed.extraGuardTime !== undefined) report.N = parsed.extraGuardTime;
  if (parsed.workWaitingInteger !== undefined) report.WI = parsed.workWaitingInteger;
  if (parsed.t1?.ifsc !== undefined) report.IFSC = parsed.t1.ifsc;
  return report;
}

function printHuman(ctx: CliContext, report: AtrReport): void {
  ctx.line(`${ctx.t('atrLabel')} ${report.atr}`);
  if (report.error) {
    ctx.line(`    ⚠ ${report.error.message} (${report.error.code})`);
    return;
  }
  const conv = report.convention === 'inverse' ? ctx.t('atrInverse') : ctx.t('atrDirect');
  ctx.line(`    ${ctx.t('atrConvention')} : ${conv}`);
  ctx.line(`    ${ctx.t('atrProtocols')} : ${(report.protocols ?? []).map((p) => `T=${p}`).join(', ')}`);
  ctx.line(`    Fi/Di : ${report.Fi ?? 'RFU'}/${report.Di ?? 'RFU'}${report.fmaxMHz ? `, fmax ${report.fmaxMHz} MHz` : ''}`);
  if (report.N !== undefined) ctx.line(`    N : ${report.N}`);
  if (report.WI !== undefined) ctx.line(`    WI : ${report.WI}`);
  if (report.IFSC !== undefined) ctx.line(`    IFSC : ${report.IFSC}`);
  ctx.line(`    ${ctx.t('atrHistorical')} : ${report.historical || '—'}`);
  const tck = report.tckValid === null ? ctx.t('atrTckAbsent') : report.tckValid ? ctx.t('atrTckValid') : ctx.t('atrTckInvalid');
  ctx.line(`    ${ctx.t('atrTck')} : ${tck}`);
  ctx.line(`    ${ctx.t('atrCard')} : ${report.card?.label} (${report.card?.type})`);
}

export async function runAtr(ctx: CliContext, args: string[]): Promise<number> {
  if (args.length === 0) throw usageError('ecps atr <hex>… | ecps atr -');
  let failures = 0;
  const handle = (text: string) => {
    if (text.trim() === '' || text.trim().startsWith('#')) return;
    const report = analyseAtr(text, ctx.lang);
    if (report.error) failures++;
    if (ctx.json) ctx.emitJson(report);
    else printHuman(ctx, report);
  };
  if (args.length === 1 && args[0] === '-') {
    const lines = createInterface({ input: ctx.stdin, crlfDelay: Infinity });
    for await (const line of lines) handle(line);
  } else {
    // Several words may form one ATR ("3B 65 00 …") or several ATRs ("3B65… 3F65…"):
    // an argument with spaces is one ATR; separate arguments without spaces are separate ATRs.
    for (const arg of args) handle(arg);
  }
  return failures > 0 ? EXIT.invalidAtr : EXIT.ok;
}
