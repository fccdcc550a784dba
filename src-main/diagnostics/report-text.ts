/**
 * The short plain-text summary to paste into a support ticket (issue 6 §3): a dozen lines,
 * the problems first with what to do. Same masking as the report it is made from.
 */
import type { Lang } from '../../src-shared/errors';
import type { DiagnosticReport } from './report';
import type { CheckStatus } from './types';
import { attemptsText } from './report-attempts';
import { enCount, frCount } from './plural';

const TAG: Record<Lang, Record<CheckStatus, string>> = {
  fr: { ok: 'OK', warn: 'ATTENTION', fail: 'ÉCHEC', skipped: 'NON VÉRIFIÉ' },
  en: { ok: 'OK', warn: 'WARNING', fail: 'FAILED', skipped: 'NOT CHECKED' },
};

const OUTCOME: Record<Lang, Record<string, string>> = {
  fr: { ok: 'OK', failed: 'ÉCHEC', skipped: 'NON ESSAYÉ' },
  en: { ok: 'OK', failed: 'FAILED', skipped: 'SKIPPED' },
};

export function renderTextSummary(report: DiagnosticReport, lang: Lang = 'fr'): string {
  const fr = lang === 'fr';
  const s = report.summary;
  const m = report.machine;
  const sep = fr ? ' : ' : ': ';
  const lines: string[] = [];
  lines.push(fr ? `Diagnostic Compagnon e-CPS ${report.tool.version} — ${report.generatedAt}` : `e-CPS Companion diagnostics ${report.tool.version} — ${report.generatedAt}`);
  if (report.demo) lines.push(fr ? '*** MODE DÉMONSTRATION — lecteur et cartes virtuels ***' : '*** DEMO MODE — virtual reader and cards ***');
  lines.push(`${fr ? 'Poste' : 'Computer'}${sep}${m.platform} ${m.release} (${m.arch}), Node ${m.node}`);
  lines.push(`PC/SC${sep}${report.pcscService.kind === 'simulator' ? (fr ? 'lecteur virtuel' : 'virtual reader') : report.pcscService.available ? (fr ? 'service disponible' : 'service available') : fr ? 'SERVICE INDISPONIBLE' : 'SERVICE UNAVAILABLE'}`);
  const readers = report.readers.map((r) => {
    const card = report.cards.find((c) => c.reader === r.name);
    return `${r.name} [${card ? card.label[lang] : r.cardPresent ? '?' : fr ? 'vide' : 'empty'}]`;
  });
  lines.push(`${fr ? 'Lecteurs' : 'Readers'}${sep}${readers.length > 0 ? readers.join(' ; ') : fr ? 'aucun' : 'none'}`);
  for (const c of report.cards.filter((x) => x.holder)) {
    const h = c.holder!;
    const pin = c.pin ? (c.pin.blocked ? (fr ? 'PIN BLOQUÉ' : 'PIN BLOCKED') : `PIN ${c.pin.triesLeft}/${c.pin.maxTries}`) : 'PIN ?';
    lines.push(`CPS${sep}${h.surname ?? ''} ${h.givenName ?? ''} (${h.idNat ?? ''}), ${h.profession ?? ''}, ${fr ? 'valide jusqu’au' : 'valid until'} ${String(h.notAfter).slice(0, 10)} (${h.status}), ${pin}`.replace(/\s+/g, ' '));
  }
  for (const r of report.fallback.readers) {
    const steps = report.fallback.outcomes
      .filter((o) => o.reader === r.reader)
      .map((o) => `${o.rung === 'default' ? (fr ? 'défaut' : 'default') : o.rung === 'remembered' ? (fr ? 'mémorisée' : 'remembered') : String(o.rung)} ${OUTCOME[lang][String(o.outcome)] ?? String(o.outcome)}${o.errorCode ? ` ${String(o.errorCode)}` : ''} (${String(o.ms)} ms)`)
      .join(' → ');
    const note = !r.ok
      ? fr ? 'aucune stratégie ne fonctionne' : 'no strategy works'
      : r.fromMemory
        ? fr ? 'stratégie mémorisée lors d’une exécution précédente' : 'remembered from a previous run'
        : r.fallbackNeeded
          ? fr ? `repli réussi${r.remembered ? ', mémorisé' : ''}` : `fallback succeeded${r.remembered ? ', remembered' : ''}`
          : fr ? 'stratégie par défaut' : 'default strategy';
    lines.push(`${fr ? 'Repli' : 'Fallback'} ${r.reader}${sep}${steps} — ${note}`);
  }
  lines.push(fr
    ? `Bilan${sep}${TAG.fr[s.worst]} — ${s.ok} OK, ${s.warn} attention, ${frCount(s.fail, 'échec', 'échecs')}, ${frCount(s.skipped, 'non vérifiée', 'non vérifiées')}`
    : `Result: ${TAG.en[s.worst]} — ${s.ok} OK, ${enCount(s.warn, 'warning', 'warnings')}, ${s.fail} failed, ${s.skipped} not checked`);
  for (const c of report.checks.filter((x) => x.status === 'fail' || x.status === 'warn').sort((a, b) => (a.status === b.status ? 0 : a.status === 'fail' ? -1 : 1))) {
    lines.push(`- [${TAG[lang][c.status]}] ${c.title[lang]}${c.subject ? ` (${c.subject})` : ''}${sep}${c.explanation[lang]}`);
    if (c.remedy) lines.push(`  ${fr ? 'Que faire' : 'What to do'}${sep}${c.remedy[lang]}`);
  }
  lines.push(...attemptsText(report.realAttempts ?? [], lang));
  return `${lines.join('\n')}\n`;
}
