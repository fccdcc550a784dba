/** `ecps atr <hex>…` / `ecps atr -`: ISO 7816-3 analysis and card type, no reader needed. */
import { createInterface } from 'node:readline';
import { parseHex, toHex } from '../../../src-shared/hex';
import { EcpsError, type Lang, type LocalizedText } from '../../../src-shared/errors';
import { usageError, type CliContext } from '../context';
import { localized } from '../messages';
import { EXIT } from '../exit-codes';
import { parseAtr, type AtrIssue, type ParsedAtr } from '../../card/atr';
import { lookupSmartcardList } from '../../card/smartcard-list';
import { identifyAtr } from '../../card/identify';

/** One thing ATR_analysis would also flag, said in the user's language. */
export interface AtrWarning {
  code: AtrIssue;
  message: string;
}

/** The JSON document of one ATR, exactly as the README documents it. */
export type AtrReport =
  | {
      atr: string;
      convention: 'direct' | 'inverse' | 'unknown';
      protocols: number[];
      Fi: number | null;
      Di: number | null;
      historical: string;
      tckValid: boolean | null;
      /** What is odd in this ATR (missing or extra bytes, bad TCK…); empty when nothing is. */
      warnings: AtrWarning[];
      card: { type: string; label: string; source?: string; names?: string[] };
      /** Set when `atr` is echoed cut (input longer than an ATR's 66 hex digits). */
      inputLength?: number;
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

/**
 * One ATR, analysed as leniently as pcsc-tools' ATR_analysis: whatever is there is read and
 * what is odd becomes a warning; only text that is not hexadecimal is refused. `Fi`/`Di`
 * default to 372/1 without TA1. The ATR is printed as in `ecps readers`: hex, no spaces. An
 * ATR our knowledge base does not know is named from pcsc-tools' smartcard_list.txt when it
 * is installed, with the file it comes from.
 */
export function analyseAtr(text: string, lang: Lang, options: { smartcardList?: readonly string[] } = {}): AtrAnalysis {
  const clean = text.trim();
  const bytes = parseHex(clean);
  if (!bytes || bytes.length === 0) {
    const err = new EcpsError('AtrNotHex', { message: localized('atrNotHex') });
    return { report: { ...echoOf(clean), error: { code: err.code, message: err.text(lang).slice(0, 300) } } };
  }
  const atr = toHex(bytes, '');
  const parsed = parseAtr(bytes, { strict: false });
  const report: AtrReport = {
    // A hex input far longer than any ATR is analysed (warnings say it is too long) but its
    // echo is cut like a refused input's: 20 MiB in must not mean 20 MiB out (issue 13 #11).
    ...echoOf(atr),
    convention: parsed.convention,
    protocols: parsed.protocols,
    Fi: parsed.clockRate ? (parsed.clockRate.fi ?? null) : 372,
    Di: parsed.clockRate ? (parsed.clockRate.di ?? null) : 1,
    historical: toHex(parsed.historicalBytes, ''),
    tckValid: parsed.tck ? parsed.tck.valid : null,
    warnings: parsed.issues.map((code) => ({ code, message: atrWarningText(code, parsed, lang) })),
    card: cardOf(bytes, lang, options.smartcardList),
  };
  const details: AtrInterfaceDetails = { fmaxMHz: parsed.clockRate ? (parsed.clockRate.fmaxMHz ?? null) : 5 };
  if (parsed.extraGuardTime !== undefined) details.N = parsed.extraGuardTime;
  if (parsed.workWaitingInteger !== undefined) details.WI = parsed.workWaitingInteger;
  if (parsed.t1?.ifsc !== undefined) details.IFSC = parsed.t1.ifsc;
  return { report, details };
}

function cardOf(bytes: Uint8Array, lang: Lang, files: readonly string[] | undefined): { type: string; label: string; source?: string; names?: string[] } {
  const known = identifyAtr(bytes);
  if (known.type !== 'unknown') return { type: known.type, label: known.label[lang] };
  const listed = lookupSmartcardList(bytes, files);
  const names = listed?.entries.map((e) => e.descriptions[0] as string) ?? [];
  if (!listed || names.length === 0) return { type: 'unknown', label: known.label[lang] };
  return { type: 'unknown', label: names[0] as string, source: listed.file, names };
}

/** The warnings' texts: what is odd, in the words of ISO 7816-3, and what was done about it. */
function atrWarningText(code: AtrIssue, parsed: ParsedAtr, lang: Lang): string {
  const k = parsed.historicalLength;
  const texts: Record<AtrIssue, LocalizedText> = {
    'ts-invalid': { fr: `TS = ${toHex(parsed.bytes.subarray(0, 1))} n’est ni 3B (convention directe) ni 3F (inverse) ; la suite est lue quand même.`, en: `TS = ${toHex(parsed.bytes.subarray(0, 1))} is neither 3B (direct convention) nor 3F (inverse); the rest is read anyway.` },
    't0-missing': { fr: 'T0 manque : l’ATR s’arrête après TS.', en: 'T0 is missing: the ATR ends after TS.' },
    'interface-bytes-missing': { fr: 'Des octets d’interface annoncés manquent : l’ATR est coupée ; analyse de ce qui est là.', en: 'Announced interface bytes are missing: the ATR is cut short; what is there is analysed.' },
    'tck-missing': { fr: 'TCK manque (un protocole autre que T=0 est annoncé, ISO 7816-3 §8.2.5).', en: 'TCK is missing (a protocol other than T=0 is announced, ISO 7816-3 §8.2.5).' },
    'tck-unexpected': { fr: 'Un octet de plus que les octets historiques : lu comme un TCK, bien que seul T=0 soit annoncé.', en: 'One byte more than the historical bytes: read as a TCK although only T=0 is announced.' },
    'tck-invalid': { fr: `TCK ${toHex([parsed.tck?.value ?? 0])} faux : le OU exclusif de T0 à TCK n’est pas nul.`, en: `TCK ${toHex([parsed.tck?.value ?? 0])} is wrong: the exclusive OR of T0 to TCK is not zero.` },
    'historical-truncated': { fr: `Octets historiques incomplets : ${k} annoncés (T0), ${parsed.historicalBytes.length} présents.`, en: `Historical bytes cut short: ${k} announced (T0), ${parsed.historicalBytes.length} present.` },
    'trailing-bytes': { fr: 'Octets en trop après les octets historiques (et le TCK) : ignorés.', en: 'Extra bytes after the historical bytes (and TCK): ignored.' },
    'over-max-length': { fr: `ATR de ${parsed.bytes.length} octets : plus que les 33 permis par ISO 7816-3.`, en: `ATR of ${parsed.bytes.length} bytes: more than the 33 ISO 7816-3 allows.` },
  };
  return texts[code][lang];
}

function printHuman(ctx: CliContext, { report, details }: AtrAnalysis): void {
  ctx.line(`${ctx.t('atrLabel')} ${report.atr}`);
  if (report.inputLength !== undefined) ctx.line(`    ${ctx.t('atrInputLength', { n: report.inputLength })}`);
  if ('error' in report) {
    ctx.line(`    ⚠ ${report.error.message} (${report.error.code})`);
    return;
  }
  const conv = report.convention === 'inverse' ? ctx.t('atrInverse') : report.convention === 'direct' ? ctx.t('atrDirect') : ctx.t('atrConventionUnknown');
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
  if (report.card.source) {
    for (const name of (report.card.names ?? []).slice(1)) ctx.line(`      · ${name}`);
    ctx.line(`    ${ctx.field(ctx.t('atrCardSource'), ctx.t('atrCardFromList', { file: report.card.source }))}`);
  }
  for (const warning of report.warnings) ctx.line(`    ⚠ ${warning.message}`);
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
