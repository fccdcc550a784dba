/**
 * What `ecps portal-test` prints, in French (default) and English (its own catalogue: the
 * command is the only user). The English table is typed from the French one, so a missing
 * key fails the type check; a unit test checks the placeholders match too.
 */
import type { Lang } from '../../src-shared/errors';

const fr = {
  title: 'Serveur de test de connexion par carte CPS — TEST, ce n’est pas le portail e-CPS officiel',
  url: 'Adresse',
  serverCertificate: 'Certificat du serveur',
  serverCertificateValue: 'émis par l’autorité racine TEST du bac à sable (fichier de confiance pour le client : {file})',
  accepts: 'Cartes acceptées',
  acceptsSandbox: 'certificats de l’IGC-Santé TEST (bac à sable)',
  acceptsTrust: 'certificats de l’IGC-Santé TEST (bac à sable) et des autorités de {n} fichier{s} --trust',
  tls: 'Protocole',
  tlsValue: 'TLS 1.2, signature du client RSA PKCS#1 v1.5 (ce que savent faire les cartes CPx ; TLS 1.3 exigerait RSA-PSS)',
  tryTitle: 'Pour essayer :',
  tryHere: '  · ici : ecps portal-test --client (le code porteur est demandé sans écho)',
  tryCurl: '  · avec curl et le module {module} (le module demande le code porteur) :',
  tryBrowser:
    '  · dans Firefox ou Chromium, avec le module de la carte enregistré : ouvrez {url}, acceptez l’avertissement (certificat de serveur de TEST) et choisissez « Certificat d’Authentification CPS ».',
  noClient: '  · client en ligne de commande indisponible : {missing} introuvable (sudo apt-get install -y opensc libengine-pkcs11-openssl curl)',
  waiting: 'En attente de connexions… (Ctrl-C pour arrêter)',
  waitingOnce: 'En attente d’une connexion… (Ctrl-C pour arrêter)',
  clientRunning: 'Connexion avec la carte (curl + {module})…',
  accepted: 'Connexion ACCEPTÉE : {holder}',
  refused: 'Connexion REFUSÉE : {reason}',
  holderIds: '{name} — {id} — {profession}',
  presented: '    certificat présenté : {subject}',
  tlsUsed: '    {protocol}, {cipher}, depuis {address}',
  stopped: 'Serveur arrêté.',
  unknownProfession: 'profession non indiquée',
};

export type PortalMessageKey = keyof typeof fr;

const en: Record<PortalMessageKey, string> = {
  title: 'CPS card login test server — TEST, this is not the official e-CPS portal',
  url: 'Address',
  serverCertificate: 'Server certificate',
  serverCertificateValue: 'issued by the sandbox TEST root authority (trust file for the client: {file})',
  accepts: 'Cards accepted',
  acceptsSandbox: 'IGC-Santé TEST certificates (sandbox)',
  acceptsTrust: 'IGC-Santé TEST certificates (sandbox) and those of the authorities in {n} --trust file{s}',
  tls: 'Protocol',
  tlsValue: 'TLS 1.2, client signature RSA PKCS#1 v1.5 (what CPx cards can do; TLS 1.3 would require RSA-PSS)',
  tryTitle: 'To try it:',
  tryHere: '  · here: ecps portal-test --client (the PIN is asked without echo)',
  tryCurl: '  · with curl and the module {module} (the module asks for the PIN):',
  tryBrowser:
    '  · in Firefox or Chromium with the card module registered: open {url}, accept the warning (TEST server certificate) and choose "Certificat d’Authentification CPS".',
  noClient: '  · command-line client unavailable: {missing} not found (sudo apt-get install -y opensc libengine-pkcs11-openssl curl)',
  waiting: 'Waiting for logins… (Ctrl-C to stop)',
  waitingOnce: 'Waiting for one login… (Ctrl-C to stop)',
  clientRunning: 'Logging in with the card (curl + {module})…',
  accepted: 'Login ACCEPTED: {holder}',
  refused: 'Login REFUSED: {reason}',
  holderIds: '{name} — {id} — {profession}',
  presented: '    certificate presented: {subject}',
  tlsUsed: '    {protocol}, {cipher}, from {address}',
  stopped: 'Server stopped.',
  unknownProfession: 'profession not given',
};

export const portalMessageCatalogues: Record<Lang, Record<PortalMessageKey, string>> = { fr, en };

export function pt(lang: Lang, key: PortalMessageKey, params: Record<string, string | number> = {}): string {
  return portalMessageCatalogues[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
