/** How `ecps portal-test` tells a login: one line (or one JSON document) the moment it happens. */
import type { PortalLogin } from '../../portal-test/portal-server';
import { holderName } from '../../portal-test/login-page';
import type { ClientPlan } from '../../portal-test/pkcs11-client';
import type { CliContext } from '../context';
import { pt, type PortalMessageKey } from '../portal-test-messages';

/** The client side as found on this machine: what is missing, or the plan to run. */
export interface ClientSetup {
  missing: string[];
  plan?: ClientPlan;
  module?: string;
}

export function reportLogin(ctx: CliContext, login: PortalLogin): void {
  if (ctx.json) {
    ctx.emitJson({ event: 'login', ...login, reason: login.reason[ctx.lang] });
    return;
  }
  const m = (key: PortalMessageKey, params: Record<string, string | number> = {}) => pt(ctx.lang, key, params);
  const h = login.holder;
  const who = h
    ? m('holderIds', {
        name: holderName(h),
        id: h.rpps !== undefined ? `RPPS ${h.rpps}` : h.adeli !== undefined ? `ADELI ${h.adeli}` : h.idNat,
        profession: h.profession ?? m('unknownProfession'),
      })
    : '';
  ctx.line(login.accepted ? m('accepted', { holder: who }) : m('refused', { reason: h ? `${login.reason[ctx.lang]} — ${who}` : login.reason[ctx.lang] }));
  if (login.certificate && !login.accepted) ctx.line(m('presented', { subject: login.certificate.subject }));
  ctx.line(m('tlsUsed', { protocol: login.tls.protocol ?? '?', cipher: login.tls.cipher ?? '?', address: login.remoteAddress }));
}

