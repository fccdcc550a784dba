/**
 * The page `ecps portal-test` shows the browser after a login attempt: who logged in (or why
 * not), in French or English, clearly labelled as a TEST server. Everything from the
 * certificate is escaped: its subject is data, not markup.
 */
import type { Lang } from '../../src-shared/errors';
import type { PortalHolder, PortalLogin } from './portal-server';

const TEXT = {
  fr: {
    title: 'Serveur de test de connexion par carte CPS',
    banner: 'TEST — ce serveur local n’est pas le portail e-CPS officiel.',
    accepted: 'Connexion réussie avec la carte',
    refused: 'Connexion refusée',
    holder: 'Titulaire',
    rpps: 'RPPS',
    adeli: 'ADELI',
    profession: 'Profession',
    certificate: 'Certificat',
    issuer: 'Émetteur',
    why: 'Raison',
    tls: 'Connexion',
    next: 'Ce navigateur peut donc se connecter avec la carte CPS : le portail e-CPS officiel devrait la voir aussi.',
    retry: 'Vérifiez que le module de la carte (OpenSC ou Cryptolib CPS) est enregistré dans le navigateur, puis rechargez la page.',
  },
  en: {
    title: 'CPS card login test server',
    banner: 'TEST — this local server is not the official e-CPS portal.',
    accepted: 'Logged in with the card',
    refused: 'Login refused',
    holder: 'Holder',
    rpps: 'RPPS',
    adeli: 'ADELI',
    profession: 'Profession',
    certificate: 'Certificate',
    issuer: 'Issuer',
    why: 'Reason',
    tls: 'Connection',
    next: 'This browser can log in with the CPS card: the official e-CPS portal should see it too.',
    retry: 'Check that the card module (OpenSC or Cryptolib CPS) is registered in the browser, then reload the page.',
  },
} as const;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function holderName(holder: PortalHolder): string {
  return [holder.givenName, holder.surname].filter((part): part is string => !!part).join(' ') || holder.idNat;
}

export function renderLoginPage(login: PortalLogin, lang: Lang): string {
  const t = TEXT[lang];
  const row = (label: string, value: string | null | undefined) =>
    value ? `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>` : '';
  const h = login.holder;
  const rows = [
    h ? row(t.holder, holderName(h)) : '',
    h ? row(t.rpps, h.rpps) : '',
    h ? row(t.adeli, h.adeli) : '',
    h ? row(t.profession, h.profession) : '',
    login.certificate ? row(t.certificate, login.certificate.subject) : '',
    login.certificate ? row(t.issuer, login.certificate.issuer) : '',
    login.accepted ? '' : row(t.why, login.reason[lang]),
    row(t.tls, [login.tls.protocol, login.tls.cipher].filter(Boolean).join(' — ')),
  ].join('');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(t.title)}</title>
<style>body{font-family:sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
.banner{background:#fff3cd;border:1px solid #c9a227;padding:.5rem 1rem}
.ok{color:#14632d}.ko{color:#a11b1b}th{text-align:left;padding-right:1rem;vertical-align:top}</style></head>
<body><p class="banner">${escapeHtml(t.banner)}</p>
<h1 class="${login.accepted ? 'ok' : 'ko'}">${escapeHtml(login.accepted ? t.accepted : t.refused)}</h1>
<table>${rows}</table>
<p>${escapeHtml(login.accepted ? t.next : t.retry)}</p></body></html>
`;
}
