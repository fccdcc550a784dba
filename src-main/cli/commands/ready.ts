/**
 * `ecps ready [--json] [--reader NAME] [--state-dir DIR]`: "Prêt pour l'activation ?" — the
 * readiness check of the real activation (src-main/readiness): this computer, the card (PIN
 * tries read WITHOUT spending one, certificate valid 30 days more) and the browser's card
 * stack. Exit 0 when nothing failed, 15 when a check failed (as `ecps diagnose`). `--json`:
 * the same report the interface gets (`readiness.run`).
 */
import type { Lang } from '../../../src-shared/errors';
import type { ResponseOf } from '../../../src-shared/ipc-contract';
import { openReaderPort } from '../../reader/open-port';
import { runReadiness } from '../../readiness/run';
import { DEFAULT_PORTAL_URL } from '../../readiness/official-links';
import { PortalSetting } from '../../readiness/portal-setting';
import type { ReadinessCheck } from '../../readiness/types';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';

const TEXT = {
  fr: {
    title: 'Prêt pour l’activation ?',
    yes: 'OUI',
    no: 'NON',
    warn: 'OUI, avec des points d’attention',
    groups: { machine: 'Cet ordinateur', card: 'La carte', browser: 'Le navigateur' },
    status: { ok: 'OK', warn: 'ATTENTION', fail: 'ÉCHEC', skipped: 'NON VÉRIFIÉ' },
    todo: 'Que faire',
    demo: '*** MODE DÉMONSTRATION — lecteur et carte virtuels : le portail officiel ne les verra pas ***',
    card: (c: NonNullable<ResponseOf<'readiness.run'>['card']>) =>
      `Carte : ${c.type}${c.serialNumber ? ` n° ${c.serialNumber}` : ''}${c.holderMasked ? `, ${c.holderMasked}` : ''}${c.pinTriesLeft !== undefined ? `, code porteur ${c.pinTriesLeft}/${c.pinMaxTries ?? 3} essais (lu sans en consommer)` : ''}`,
    portal: (url: string) => `Ensuite : ouvrez le portail officiel ${url} (« Carte CPS ») ; le Compagnon vous guide pas à pas (npm start → « Activer ma e-CPS (portail officiel) »).`,
  },
  en: {
    title: 'Ready for the activation?',
    yes: 'YES',
    no: 'NO',
    warn: 'YES, with points to watch',
    groups: { machine: 'This computer', card: 'The card', browser: 'The browser' },
    status: { ok: 'OK', warn: 'WARNING', fail: 'FAILED', skipped: 'NOT CHECKED' },
    todo: 'What to do',
    demo: '*** DEMO MODE — virtual reader and card: the official portal will not see them ***',
    card: (c: NonNullable<ResponseOf<'readiness.run'>['card']>) =>
      `Card: ${c.type}${c.serialNumber ? ` #${c.serialNumber}` : ''}${c.holderMasked ? `, ${c.holderMasked}` : ''}${c.pinTriesLeft !== undefined ? `, PIN ${c.pinTriesLeft}/${c.pinMaxTries ?? 3} tries (read without spending one)` : ''}`,
    portal: (url: string) => `Next: open the official portal ${url} ("Carte CPS"); the companion guides you step by step (npm start → "Activate my e-CPS (official portal)").`,
  },
} as const;

export async function runReady(ctx: CliContext, options: { reader?: string }): Promise<number> {
  const { port, demo } = await openReaderPort({ mode: ctx.demo ? 'demo' : 'pcsc', transmitTimeoutMs: ctx.timeoutMs });
  let run;
  try {
    run = await runReadiness({ port, demo, connectTimeoutMs: Math.min(ctx.timeoutMs, 10_000), ...(options.reader !== undefined ? { reader: options.reader } : {}), ...(ctx.trace ? { trace: ctx.trace } : {}) });
  } finally {
    await ctx.release(port);
  }
  const failed = run.checks.some((c) => c.status === 'fail');
  if (ctx.json) {
    ctx.emitJson({
      status: run.status,
      demo: run.demo,
      platform: run.platform,
      checkedAt: run.startedAt,
      durationMs: run.durationMs,
      checks: run.checks.map(({ evidence, ...c }) => ({ ...c, evidence })),
      ...(run.card ? { card: run.card } : {}),
    });
    return failed ? EXIT.diagnosticsFailed : EXIT.ok;
  }
  for (const line of renderReady(run.checks, run.card, run.demo, ctx.lang, new PortalSetting().url)) ctx.line(line);
  return failed ? EXIT.diagnosticsFailed : EXIT.ok;
}

export function renderReady(checks: readonly ReadinessCheck[], card: ResponseOf<'readiness.run'>['card'], demo: boolean, lang: Lang, portalUrl = DEFAULT_PORTAL_URL): string[] {
  const T = TEXT[lang];
  const sep = lang === 'fr' ? ' : ' : ': ';
  const failed = checks.some((c) => c.status === 'fail');
  const warned = checks.some((c) => c.status === 'warn');
  const lines: string[] = [`${T.title} ${failed ? T.no : warned ? T.warn : T.yes}`];
  if (demo) lines.push(T.demo);
  if (card) lines.push(T.card(card));
  for (const group of ['machine', 'card', 'browser'] as const) {
    const inGroup = checks.filter((c) => c.group === group);
    if (inGroup.length === 0) continue;
    lines.push('', T.groups[group]);
    for (const c of inGroup) {
      lines.push(`  [${T.status[c.status]}] ${c.title[lang]}${c.subject ? ` (${c.subject})` : ''}${sep}${c.explanation[lang]}`);
      if (c.remedy && (c.status === 'fail' || c.status === 'warn')) lines.push(`      ${T.todo}${sep}${c.remedy[lang]}`);
    }
  }
  if (!failed) lines.push('', T.portal(portalUrl));
  return lines;
}
