/**
 * The official addresses of the real activation, and the rule for what the companion may open
 * outside itself.
 *
 * Portal (default of the `portalUrl` setting): the *portail d'activation e-CPS* that the ANS's
 * pages send professionals to. Sources:
 *   - https://esante.gouv.fr/foire-aux-questions/produits-services/e-cps (ANS FAQ: activation
 *     "à partir de la carte physique (nécessite un lecteur de carte)" on the activation portal,
 *     or from the contact details; ADELI: card only) and the industriels.esante.gouv.fr e-CPS
 *     FAQ ("le QR code est affiché sur le portail d'activation et il est valable 90s");
 *   - the address itself, https://wallet.esw.esante.gouv.fr, is the host of the ANS's own
 *     Pro Santé Connect wallet (ansforge/keycloak-prosanteconnect, psc.properties: production
 *     authorize endpoint https://wallet.esw.esante.gouv.fr/auth), and the one the public
 *     step-by-step guides give ("Depuis l'ordinateur avec la CPS branchée, aller sur
 *     https://wallet.esw.esante.gouv.fr": djibe/recommandations-medicales content/cabinet/
 *     e-cps.md; izyfact.com's e-CPS guide). It is a setting: if the ANS moves it, a technician
 *     changes it without a new release.
 * App stores (the official e-CPS app, publisher ANS), same guide (djibe/recommandations-
 * medicales content/cabinet/e-cps.md, "Télécharger l'appli e-CPS sur l'App Store ou le Play
 * Store"): App Store id1469033607, Google Play fr.asipsante.esante.wallet.prod.
 */

export const DEFAULT_PORTAL_URL = 'https://wallet.esw.esante.gouv.fr/';
export const APP_STORE_URL = 'https://apps.apple.com/fr/app/e-cps/id1469033607';
export const GOOGLE_PLAY_URL = 'https://play.google.com/store/apps/details?id=fr.asipsante.esante.wallet.prod';
/** CPS support of the ANS (CPS Info Service), as given by esante.gouv.fr's "espace CPS" help. */
export const ANS_SUPPORT_PHONE = '0 825 852 000';
/** The e-CPS customer service of the ANS (esante.gouv.fr e-CPS FAQ). */
export const ECPS_SUPPORT_PHONE = '0 806 800 213';
/** The QR code of the portal lives 90 s (industriels.esante.gouv.fr e-CPS FAQ). */
export const PORTAL_QR_LIFETIME_S = 90;
/** Contact details updated on E-POP reach the health directory within 48 h (help topic `epop`). */
export const EPOP_DELAY_HOURS = 48;

const OFFICIAL_DOMAIN = 'esante.gouv.fr';

/**
 * True for an address the companion may open in the system browser as "the portal": https,
 * host esante.gouv.fr or one of its sub-domains, default port, no user name or password.
 * Anything else (http, a look-alike host such as esante.gouv.fr.example.com, credentials in
 * the URL) is refused — the setting cannot turn the companion into a launcher of any site.
 */
export function isOfficialEsanteUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port !== '') return false;
  const host = url.hostname.toLowerCase();
  return host === OFFICIAL_DOMAIN || host.endsWith(`.${OFFICIAL_DOMAIN}`);
}
