/** Errors of the real-activation helpers (the readiness checks report problems as results, not errors). */
import { EcpsError, defineErrorCatalog, type ErrorDefinition } from '../../src-shared/errors';

export const readinessErrors = defineErrorCatalog({
  PortalUrlRefused: {
    message: {
      fr: 'Adresse du portail refusée : {value}. Seules les adresses https du domaine esante.gouv.fr sont acceptées.',
      en: 'Portal address refused: {value}. Only https addresses of the esante.gouv.fr domain are accepted.',
    },
    remedy: {
      fr: 'Saisissez l’adresse officielle donnée par l’ANS (par défaut https://wallet.esw.esante.gouv.fr/), ou revenez à l’adresse par défaut.',
      en: 'Type the official address given by the ANS (default https://wallet.esw.esante.gouv.fr/), or go back to the default address.',
    },
  },
  PortalSettingWriteFailed: {
    message: { fr: 'Impossible d’enregistrer l’adresse du portail dans {file}.', en: 'Cannot save the portal address in {file}.' },
    remedy: { fr: 'Vérifiez les droits sur le dossier de configuration du Compagnon.', en: 'Check the permissions of the companion’s configuration folder.' },
  },
  FixNotAvailable: {
    message: {
      fr: 'Cette correction n’est pas possible ici : {reason}.',
      en: 'This fix is not possible here: {reason}.',
    },
    remedy: { fr: 'Relancez la vérification : la liste des corrections proposées a peut-être changé.', en: 'Run the check again: the fixes offered may have changed.' },
  },
  FixFailed: {
    message: { fr: 'La correction a échoué : {reason}.', en: 'The fix failed: {reason}.' },
    remedy: {
      fr: 'Fermez le navigateur (il verrouille sa base de certificats) puis réessayez ; sinon faites-le à la main : {command}',
      en: 'Close the browser (it locks its certificate database) and try again; otherwise do it by hand: {command}',
    },
  },
  AttemptUnknown: {
    message: { fr: 'Tentative d’activation inconnue (déjà terminée ?).', en: 'Unknown activation attempt (already finished?).' },
  },
});

export type ReadinessErrorCode = (typeof readinessErrors.codes)[number];

/** An error of the catalogue with its `{placeholders}` filled (message and remedy). */
export function readinessError(
  code: ReadinessErrorCode,
  params: Record<string, string | number> = {},
  options: { details?: Record<string, string | number | boolean>; cause?: unknown } = {},
): EcpsError {
  const definition = readinessErrors.definitions[code] as ErrorDefinition;
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (whole, key: string) => (params[key] === undefined ? whole : String(params[key])));
  const localize = (t: { fr: string; en: string }) => ({ fr: fill(t.fr), en: fill(t.en) });
  return new EcpsError(code, { message: localize(definition.message), ...(definition.remedy ? { remedy: localize(definition.remedy) } : {}) }, options);
}
