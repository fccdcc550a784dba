/** Errors of `ecps diagnose` itself (the checks report problems as results, not errors). */
import { defineErrorCatalog } from '../../src-shared/errors';

export const diagnosticsErrors = defineErrorCatalog({
  ReportWriteFailed: {
    message: { fr: 'Impossible d’écrire le rapport de diagnostic.', en: 'Cannot write the diagnostic report.' },
    remedy: { fr: 'Choisissez un dossier où vous pouvez écrire (option --html FICHIER).', en: 'Choose a folder you can write to (--html FILE option).' },
  },
});

export type DiagnosticsErrorCode = (typeof diagnosticsErrors.codes)[number];
