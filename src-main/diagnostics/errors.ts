/** Errors of `ecps diagnose` itself (the checks report problems as results, not errors). */
import { EcpsError, defineErrorCatalog, type ErrorDefinition } from '../../src-shared/errors';

export const diagnosticsErrors = defineErrorCatalog({
  ReportWriteFailed: {
    message: { fr: 'Impossible d’écrire le rapport de diagnostic.', en: 'Cannot write the diagnostic report.' },
    remedy: { fr: 'Choisissez un dossier où vous pouvez écrire (option --html FICHIER).', en: 'Choose a folder you can write to (--html FILE option).' },
  },
  ReaderNotRemembered: {
    message: {
      fr: 'Aucune stratégie mémorisée pour le lecteur « {reader} » (lecteurs mémorisés : {known}).',
      en: 'No strategy remembered for reader "{reader}" (remembered readers: {known}).',
    },
    remedy: {
      fr: 'Donnez le nom exact affiché par « ecps readers --strategies », ou oubliez tout avec --forget-all.',
      en: 'Give the exact name shown by "ecps readers --strategies", or forget everything with --forget-all.',
    },
  },
  StateDirUnusable: {
    message: {
      fr: 'Le dossier des stratégies mémorisées est inutilisable : {directory}.',
      en: 'The folder of the remembered strategies cannot be used: {directory}.',
    },
    remedy: {
      fr: 'Vérifiez les droits sur ce dossier, ou choisissez-en un autre avec --state-dir DOSSIER (ou ECPS_STATE_DIR).',
      en: 'Check the permissions of this folder, or choose another one with --state-dir FOLDER (or ECPS_STATE_DIR).',
    },
  },
});

export type DiagnosticsErrorCode = (typeof diagnosticsErrors.codes)[number];

/** An error of the catalogue with its `{placeholders}` filled. */
export function diagnosticsError(
  code: DiagnosticsErrorCode,
  params: Record<string, string | number> = {},
  options: { details?: Record<string, string | number | boolean>; cause?: unknown } = {},
): EcpsError {
  const definition = diagnosticsErrors.definitions[code] as ErrorDefinition;
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (whole, key: string) => (params[key] === undefined ? whole : String(params[key])));
  return new EcpsError(code, { message: { fr: fill(definition.message.fr), en: fill(definition.message.en) }, ...(definition.remedy ? { remedy: definition.remedy } : {}) }, options);
}
