/** Shared wording of the CPS commands: PIN counters, identity, validity, in the chosen language. */
import type { Lang } from '../../src-shared/errors';
import type { CpsIdentity, PinStatus } from '../card/cps/index';
import type { CliContext } from './context';

/** `{s}` of a count: French plural from 2, English for everything but 1. */
export function plural(lang: Lang, n: number): string {
  return (lang === 'fr' ? n > 1 : n !== 1) ? 's' : '';
}

/** The JSON form of a counter: `{ triesLeft, maxTries, blocked }` (+ `usesLeft` for the PUK). */
export function pinJson(status: PinStatus): { triesLeft: number; maxTries: number; blocked: boolean; usesLeft?: number } {
  return {
    triesLeft: status.triesLeft,
    maxTries: status.maxTries,
    blocked: status.blocked,
    ...(status.usesLeft !== undefined ? { usesLeft: status.usesLeft } : {}),
  };
}

/** `3 essais restants sur 3`, `BLOQUÉ (0 essai restant sur 3)`, `… — 100 utilisations restantes`. */
export function pinText(ctx: CliContext, status: PinStatus): string {
  const tries = ctx.t('triesOf', { n: status.triesLeft, s: plural(ctx.lang, status.triesLeft), max: status.maxTries });
  const uses = status.usesLeft === undefined ? '' : ` — ${ctx.t('usesLeft', { n: status.usesLeft, s: plural(ctx.lang, status.usesLeft) })}`;
  return status.blocked ? `${ctx.t('blockedState')} (${tries})${uses}` : `${tries}${uses}`;
}

export function identityJson(identity: CpsIdentity): Record<string, unknown> {
  return {
    kind: identity.kind,
    surname: identity.surname ?? null,
    givenName: identity.givenName ?? null,
    idNat: identity.idNat,
    ...(identity.rpps !== undefined ? { rpps: identity.rpps } : {}),
    ...(identity.adeli !== undefined ? { adeli: identity.adeli } : {}),
    ...(identity.finess !== undefined ? { finess: identity.finess } : {}),
    ...(identity.employeeId !== undefined ? { employeeId: identity.employeeId } : {}),
    ...(identity.organization !== undefined ? { organization: identity.organization } : {}),
    profession: identity.profession ?? null,
    generation: identity.generation,
    serialNumber: identity.serialNumber ?? null,
    notBefore: identity.notBefore.toISOString(),
    notAfter: identity.notAfter.toISOString(),
    status: identity.status,
    expiresInDays: identity.expiresInDays,
    issuer: identity.issuer,
  };
}

/** `27/10/2029` in French, `2029-10-27` in English (UTC: certificate dates). */
export function dateText(lang: Lang, date: Date): string {
  const iso = date.toISOString().slice(0, 10);
  if (lang === 'en') return iso;
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

export function holderName(identity: { surname?: string | undefined; givenName?: string | undefined; idNat: string }): string {
  const name = [identity.surname, identity.givenName].filter((p) => p !== undefined && p !== '').join(' ');
  return name === '' ? identity.idNat : name;
}

/** The identity lines of `ecps card` (human output). */
export function identityLines(ctx: CliContext, identity: CpsIdentity): string[] {
  const lines = [ctx.field(ctx.t('holderLabel'), holderName(identity))];
  if (identity.profession) lines.push(ctx.field(ctx.t('professionLabel'), identity.profession));
  if (identity.rpps) lines.push(ctx.field('RPPS', identity.rpps));
  if (identity.adeli) lines.push(ctx.field('ADELI', identity.adeli));
  if (identity.finess) lines.push(ctx.field('FINESS', identity.finess));
  if (identity.organization) lines.push(ctx.field(ctx.t('organizationLabel'), identity.organization));
  const range = ctx.t('validityRange', { from: dateText(ctx.lang, identity.notBefore), to: dateText(ctx.lang, identity.notAfter) });
  const state =
    identity.status === 'expired'
      ? ctx.t('expiredState')
      : identity.status === 'not-yet-valid'
        ? ctx.t('notYetValidState')
        : ctx.t('expiresIn', { n: identity.expiresInDays, s: plural(ctx.lang, identity.expiresInDays) });
  lines.push(ctx.field(ctx.t('validityLabel'), `${range} — ${state}`));
  lines.push(ctx.field(ctx.t('issuerLabel'), identity.issuerCommonName ?? identity.issuer));
  return lines;
}
