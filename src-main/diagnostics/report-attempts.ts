/**
 * The real activation attempts in the diagnostic report (issue 10 §5): one line each in the
 * text summary (latest three), a table in the HTML. Everything in them is already masked by
 * src-main/readiness/attempts.ts; the HTML escapes every value all the same.
 */
import type { Lang } from '../../src-shared/errors';
import type { RealAttempt } from '../readiness/attempts';
import { FLOW_LABELS, OUTCOME_LABELS, PROBLEM_LABELS, STEP_LABELS } from '../readiness/step-labels';

/** Same escaping as report-html.ts (kept here: report-html imports this file). */
function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function steps(a: RealAttempt, lang: Lang): string {
  return a.stepsReached.map((s) => STEP_LABELS[s][lang]).join(' → ') || (lang === 'fr' ? 'aucune étape' : 'no step');
}

function outcome(a: RealAttempt, lang: Lang): string {
  return `${OUTCOME_LABELS[a.outcome][lang]}${a.problem ? ` (${PROBLEM_LABELS[a.problem][lang]})` : ''}`;
}

function card(a: RealAttempt, lang: Lang): string {
  if (!a.card) return lang === 'fr' ? 'carte non lue' : 'card not read';
  return [a.card.type, a.card.serialMasked && `n° ${a.card.serialMasked}`, a.card.holderMasked, a.card.pinTriesLeft !== undefined && `PIN ${a.card.pinTriesLeft}`].filter(Boolean).join(', ');
}

export function attemptsText(attempts: readonly RealAttempt[], lang: Lang): string[] {
  if (attempts.length === 0) return [];
  const fr = lang === 'fr';
  return attempts.slice(0, 3).map((a) => {
    const failed = a.failedChecks.length > 0 ? `; ${fr ? 'échecs' : 'failed'} : ${a.failedChecks.join(', ')}` : '';
    const removed = a.events.filter((e) => e.type === 'card-removed').length;
    return `${fr ? 'Activation réelle' : 'Real activation'} ${a.startedAt.slice(0, 16).replace('T', ' ')} (${FLOW_LABELS[a.flow][lang]})${fr ? ' : ' : ': '}${outcome(a, lang)} — ${steps(a, lang)} — ${card(a, lang)}${removed > 0 ? `; ${fr ? 'carte retirée' : 'card pulled'} ×${removed}` : ''}${failed}`;
  });
}

export function attemptsHtml(attempts: readonly RealAttempt[]): string {
  const head = '<h2>Tentatives d’activation réelle (portail officiel)</h2>';
  if (attempts.length === 0) return `${head}<p>Aucune tentative enregistrée sur ce poste.</p>`;
  const rows = attempts.map((a) => {
    const removed = a.events.filter((e) => e.type === 'card-removed').map((e) => (e.step ? STEP_LABELS[e.step].fr : '?'));
    return `<tr><td>${escapeHtml(a.startedAt.slice(0, 16).replace('T', ' '))} UTC<br><small>${escapeHtml(FLOW_LABELS[a.flow].fr)}${a.demo ? ' · démonstration' : ''}</small></td><td>${escapeHtml(outcome(a, 'fr'))}</td><td>${escapeHtml(steps(a, 'fr'))}${removed.length > 0 ? `<br><small>Carte retirée pendant : ${escapeHtml(removed.join(', '))}</small>` : ''}</td><td>${escapeHtml(a.failedChecks.join(', ') || '—')}${a.warnedChecks.length > 0 ? `<br><small>Attention : ${escapeHtml(a.warnedChecks.join(', '))}</small>` : ''}</td><td>${escapeHtml(card(a, 'fr'))}</td></tr>`;
  });
  return `${head}<p>Ce que le Compagnon a noté à chaque activation faite sur le portail officiel : étapes atteintes, vérifications en échec, carte (numéro et titulaire masqués). Rien de ce qui est saisi sur le portail n’est enregistré.</p><table><thead><tr><th>Date</th><th>Issue</th><th>Étapes atteintes</th><th>Vérifications en échec</th><th>Carte</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
