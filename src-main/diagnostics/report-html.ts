/**
 * The printable HTML report (issue 6 §3): ONE self-contained file a technician can open or
 * attach — inline CSS, no script, no external resource (no font, image or link to fetch) —
 * in French. Every value is escaped; statuses carry a text label besides their colour
 * (WCAG 1.4.1: colour is never the only carrier of meaning).
 */
import type { CheckStatus, EvidenceValue } from './types';
import type { DiagnosticReport } from './report';
import { attemptsHtml } from './report-attempts';
import { frCount } from './plural';

const LABEL: Record<CheckStatus, string> = { ok: 'OK', warn: 'ATTENTION', fail: 'ÉCHEC', skipped: 'NON VÉRIFIÉ' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#555}.demo{background:#fff3cd;border:2px solid #b58100;padding:.5rem 1rem;font-weight:bold}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
.status{display:inline-block;min-width:7.5rem;text-align:center;font-weight:bold;border-radius:.25rem;padding:.1rem .4rem;border:1px solid}
.s-ok{background:#e6f4ea;color:#14532d;border-color:#14532d}.s-warn{background:#fff4d6;color:#6b4500;border-color:#6b4500}
.s-fail{background:#fde8e8;color:#8a1010;border-color:#8a1010}.s-skipped{background:#eee;color:#444;border-color:#666}
.summary span{margin-right:1rem}.remedy{margin:.3rem 0 0;padding:.3rem .5rem;border-left:4px solid #1d4ed8;background:#eef3ff}
details{margin-top:.3rem}pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem}pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}dd{margin:0}
@media print{body{margin:0;max-width:none}details{display:block}details>summary{display:none}h2{break-after:avoid}tr{break-inside:avoid}}
`;

function status(s: CheckStatus): string {
  return `<span class="status s-${s}">${LABEL[s]}</span>`;
}

function evidenceText(value: EvidenceValue | Record<string, unknown>): string {
  return JSON.stringify(value, null, 2);
}

function dl(rows: [string, unknown][]): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

const OUTCOME: Record<string, string> = { ok: 'RÉUSSI', failed: 'ÉCHEC', skipped: 'NON ESSAYÉ' };

function rungLabel(rung: unknown): string {
  if (rung === 'default') return 'stratégie par défaut';
  if (rung === 'remembered') return 'stratégie mémorisée';
  return String(rung);
}

function fallbackSection(fb: DiagnosticReport['fallback']): string {
  if (!fb.provided) return '<p>Aucune stratégie de repli n’a été essayée pendant ce diagnostic.</p>';
  if (fb.outcomes.length === 0) return '<p>Aucun essai enregistré (aucune carte à interroger).</p>';
  const out: string[] = [];
  out.push('<p>Pour chaque fente avec une carte, le Compagnon essaie d’abord la stratégie mémorisée pour ce lecteur (ou la stratégie par défaut), puis des stratégies de repli (protocole T=0, délais plus longs, APDU courtes…) jusqu’à ce que la carte réponde correctement à une lecture sans code porteur. Ce qui a fonctionné est mémorisé pour la prochaine fois.</p>');
  if (fb.readers.length > 0) {
    out.push(`<ul>${fb.readers
      .map((r) => {
        const how = !r.ok
          ? `<strong>aucune stratégie n’a fonctionné</strong> (${frCount(r.attempts, 'essai', 'essais')}, dernier échec : <code>${escapeHtml(r.failure ?? '?')}</code>)`
          : r.fromMemory
            ? `stratégie <strong>mémorisée lors d’une exécution précédente</strong>${r.rungs.length > 0 ? ` (${escapeHtml(r.rungs.join(' → '))})` : ''} : carte lue du premier coup`
            : r.fallbackNeeded
              ? `la stratégie par défaut a échoué ; <strong>repli réussi</strong> : ${escapeHtml(r.rungs.join(' → '))}${r.remembered ? ' — mémorisé pour la prochaine fois' : ''}`
              : 'la stratégie par défaut fonctionne';
        return `<li><strong>${escapeHtml(r.reader)}</strong> : ${how}.<br><small>Stratégie${r.ok ? ' retenue' : ' essayée en dernier'} : <code>${escapeHtml(r.strategyText)}</code>${r.memoryError ? ` · mémorisation impossible : ${escapeHtml(r.memoryError)}` : ''}</small></li>`;
      })
      .join('')}</ul>`);
  }
  out.push(`<table><thead><tr><th>Lecteur</th><th>Essai</th><th>Palier</th><th>Résultat</th><th>Code d’erreur</th><th>Durée</th></tr></thead><tbody>${fb.outcomes
    .map((o) => {
      const code = [o.errorCode, o.errorStep ? `étape ${String(o.errorStep)}` : null, o.sw ? `SW ${String(o.sw)}` : null].filter((x) => x !== null && x !== undefined).join(' · ');
      const result = OUTCOME[String(o.outcome)] ?? String(o.outcome);
      return `<tr><td>${escapeHtml(o.reader)}</td><td>${escapeHtml(o.index ?? '')}</td><td>${escapeHtml(rungLabel(o.rung ?? o.strategy))}${o.fromMemory === true ? '<br><small>mémorisée lors d’une exécution précédente</small>' : ''}<br><small><code>${escapeHtml(o.strategy)}</code></small></td><td>${escapeHtml(result)}</td><td>${code ? `<code>${escapeHtml(code)}</code>` : '—'}</td><td>${typeof o.ms === 'number' ? `${o.ms} ms` : '—'}</td></tr>`;
    })
    .join('')}</tbody></table>`);
  if (fb.memory) out.push(`<p><small>Stratégies mémorisées dans <code>${escapeHtml(fb.memory.directory)}</code> (« ecps readers --strategies » pour les voir, « ecps readers --forget NOM » pour en oublier une).</small></p>`);
  return out.join('');
}

export function renderHtml(report: DiagnosticReport): string {
  const s = report.summary;
  const date = new Date(report.generatedAt);
  const when = `${date.toLocaleDateString('fr-FR', { timeZone: 'UTC' })} ${date.toISOString().slice(11, 19)} UTC`;
  const parts: string[] = [];
  parts.push(`<h1>Rapport de diagnostic — Compagnon e-CPS</h1>`);
  parts.push(`<p class="meta">Généré le ${escapeHtml(when)} · ${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)} · ${report.personalDataShown ? 'données personnelles AFFICHÉES (à la demande de l’utilisateur)' : 'données personnelles masquées'}</p>`);
  if (report.demo) parts.push(`<p class="demo">MODE DÉMONSTRATION — lecteur et cartes virtuels, aucune vraie carte n’a été lue.</p>`);
  parts.push(`<h2>Bilan</h2><p class="summary">${status(s.worst)} <span>${s.total} vérifications :</span><span>${s.ok} OK</span><span>${s.warn} attention</span><span>${frCount(s.fail, 'échec', 'échecs')}</span><span>${frCount(s.skipped, 'non vérifiée', 'non vérifiées')}</span></p>`);
  const problems = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
  if (problems.length > 0) {
    parts.push(`<ul>${problems.map((c) => `<li>${status(c.status)} <strong>${escapeHtml(c.title.fr)}</strong>${c.subject ? ` (${escapeHtml(c.subject)})` : ''} — ${escapeHtml(c.explanation.fr)}${c.remedy ? `<p class="remedy">Que faire : ${escapeHtml(c.remedy.fr)}</p>` : ''}</li>`).join('')}</ul>`);
  }

  const m = report.machine;
  parts.push(`<h2>Poste</h2>${dl([['Nom', m.hostname], ['Système', `${m.platform} ${m.release} ${m.osVersion}`], ['Architecture', m.arch], ['Processeurs', m.cpus], ['Mémoire', `${m.memoryMb} Mo`], ['Node.js', m.node], ['Allumé depuis', `${m.uptimeMinutes} min`]])}`);
  parts.push(`<h2>Service PC/SC</h2>${dl([['Accès aux lecteurs', report.pcscService.kind === 'simulator' ? 'lecteur virtuel intégré' : 'PC/SC'], ['Service disponible', report.pcscService.available ? 'oui' : 'non'], ...Object.entries(report.pcscService.probe ?? {}).map(([k, v]) => [k, v] as [string, unknown])])}`);

  parts.push(`<h2>Lecteurs et fentes</h2>`);
  parts.push(report.readers.length === 0
    ? '<p>Aucun lecteur visible par PC/SC.</p>'
    : `<table><thead><tr><th>Lecteur</th><th>Fente attendue</th><th>Carte</th><th>ATR</th><th>Modèle reconnu</th></tr></thead><tbody>${report.readers
        .map((r) => `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.expectedRole === 'cps' ? 'CPS' : r.expectedRole === 'vitale' ? 'Vitale' : '—')}</td><td>${r.cardPresent ? 'présente' : 'aucune'}${r.inUse ? ' · utilisée par une autre application' : ''}${r.mute ? ' · muette' : ''}</td><td><code>${escapeHtml(r.atr ?? '—')}</code></td><td>${escapeHtml(r.model ? `${r.model.vendor} — ${r.model.model}` : '—')}</td></tr>`)
        .join('')}</tbody></table>`);
  if (report.usb.readers.length > 0) {
    parts.push(`<p>Lecteurs vus sur l’USB :</p><ul>${report.usb.readers.map((u) => `<li><code>${escapeHtml(u.usb)}</code> ${escapeHtml(u.product ?? '')} → ${u.visibleAs.length > 0 ? escapeHtml(u.visibleAs.join(', ')) : '<strong>invisible pour PC/SC</strong>'}</li>`).join('')}</ul>`);
  }

  parts.push(`<h2>Cartes</h2>`);
  parts.push(report.cards.length === 0 ? '<p>Aucune carte identifiée.</p>' : report.cards.map((c) => {
    const rows: [string, unknown][] = [['Fente', c.reader], ['Type', `${c.label.fr} (${c.type})`], ['Confirmée par la carte', c.confirmed ? 'oui' : 'non'], ['ATR', c.atr ?? '—'], ['Protocole', c.protocol ? c.protocol.replace('T', 'T=') : '—']];
    if (c.serialNumber) rows.push(['Numéro de série', c.serialNumber]);
    if (c.holder) {
      const h = c.holder;
      rows.push(['Titulaire', `${h.surname ?? ''} ${h.givenName ?? ''}`.trim() || '—'], ['Identifiant national', h.idNat ?? '—'], ['Profession', h.profession ?? '—'], ['Validité', `${String(h.notBefore).slice(0, 10)} → ${String(h.notAfter).slice(0, 10)} (${h.status})`], ['Émetteur', h.issuer ?? '—']);
    }
    if (c.pin) rows.push(['Code porteur', c.pin.blocked ? `BLOQUÉ (${c.pin.triesLeft}/${c.pin.maxTries})` : `${frCount(c.pin.triesLeft, 'essai', 'essais')} sur ${c.pin.maxTries}`]);
    if (c.puk) rows.push(['Code de déblocage', c.puk.blocked ? 'BLOQUÉ' : `${frCount(c.puk.triesLeft, 'essai', 'essais')} sur ${c.puk.maxTries}`]);
    return dl(rows);
  }).join('<hr>'));

  parts.push(`<h2>Vérifications</h2><table><thead><tr><th>État</th><th>Vérification</th><th>Constat et remède</th></tr></thead><tbody>${report.checks
    .map((c) => `<tr><td>${status(c.status)}</td><td><strong>${escapeHtml(c.title.fr)}</strong>${c.subject ? `<br><small>${escapeHtml(c.subject)}</small>` : ''}<br><small><code>${escapeHtml(c.id)}</code></small></td><td>${escapeHtml(c.explanation.fr)}${c.remedy ? `<p class="remedy">Que faire : ${escapeHtml(c.remedy.fr)}</p>` : ''}<details><summary>Éléments observés</summary><pre>${escapeHtml(evidenceText(c.evidence))}</pre></details></td></tr>`)
    .join('')}</tbody></table>`);

  parts.push(`<h2>Stratégies de repli (lecteurs anciens)</h2>`);
  parts.push(fallbackSection(report.fallback));

  parts.push(attemptsHtml(report.realAttempts ?? []));

  const t = report.apduTrace;
  parts.push(`<h2>Trace APDU</h2><p>${frCount(t.entries.length, 'échange', 'échanges')}${t.dropped > 0 ? `, ${frCount(t.dropped, 'plus ancien omis', 'plus anciens omis')}` : ''}. Les données des commandes VERIFY, CHANGE REFERENCE DATA et RESET RETRY COUNTER (code porteur, code de déblocage) sont toujours masquées${t.cardDataHidden ? ' ; les données lues dans la carte (certificats) sont masquées' : ''}.</p>`);
  if (t.entries.length > 0) parts.push(`<pre>${escapeHtml(t.entries.map((e) => `${e.at}  ${e.ms.toFixed(1).padStart(7)} ms\n  > ${e.command}\n  < ${e.response}`).join('\n'))}</pre>`);

  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Diagnostic Compagnon e-CPS — ${escapeHtml(when)}</title>
<style>${CSS}</style>
</head>
<body>
${parts.join('\n')}
<p class="meta">Rapport produit localement par le Compagnon e-CPS ; il ne contient aucun code porteur ni code de déblocage.</p>
</body>
</html>
`;
}
