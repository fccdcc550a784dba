/** Errors of the settings (authority URL, pairing address, the settings file) and of the help data. */
import { EcpsError, defineErrorCatalog, type ErrorDefinition } from '../../src-shared/errors';

export const settingsErrors = defineErrorCatalog({
  SettingsAuthorityUrlInvalid: {
    message: { fr: 'L’adresse de l’autorité n’est pas une adresse web valide : {value}', en: 'The authority address is not a valid web address: {value}' },
    remedy: {
      fr: 'Saisissez une adresse complète commençant par https://, sans identifiant ni paramètre, ou choisissez l’autorité bac à sable.',
      en: 'Type a full address starting with https://, without credentials or parameters, or choose the sandbox authority.',
    },
  },
  SettingsAuthorityHttpRefused: {
    message: {
      fr: 'Une autorité en http:// (non chiffré) n’est acceptée que sur cet ordinateur (localhost) : {value}',
      en: 'An http:// (unencrypted) authority is accepted only on this computer (localhost): {value}',
    },
    remedy: {
      fr: 'Utilisez l’adresse https:// de l’autorité. http:// ne sert qu’à l’autorité de test lancée sur ce poste (ecps authority).',
      en: 'Use the authority’s https:// address. http:// is only for the test authority started on this computer (ecps authority).',
    },
  },
  SettingsPairingAddressUnknown: {
    message: {
      fr: 'L’adresse {value} n’appartient à aucune interface réseau de cet ordinateur.',
      en: 'The address {value} belongs to none of this computer’s network interfaces.',
    },
    remedy: { fr: 'Choisissez « Automatique » ou une adresse de la liste.', en: 'Choose “Automatic” or an address from the list.' },
  },
  SettingsFileCorrupt: {
    message: {
      fr: 'Le fichier des réglages est illisible ({file}) : les réglages par défaut sont utilisés.',
      en: 'The settings file cannot be read ({file}): the default settings are in use.',
    },
    remedy: { fr: 'Enregistrez vos réglages à nouveau : le fichier sera remplacé.', en: 'Save your settings again: the file will be replaced.' },
  },
  SettingsFileNotRegular: {
    message: {
      fr: 'Le fichier des réglages n’est pas un fichier ordinaire ({file}) : il n’a pas été lu, les réglages par défaut sont utilisés.',
      en: 'The settings file is not a regular file ({file}): it was not read, the default settings are in use.',
    },
    remedy: {
      fr: 'Supprimez cet élément (lien vers un périphérique, dossier, tube…) puis enregistrez vos réglages : un vrai fichier sera créé.',
      en: 'Delete this item (a link to a device, a folder, a pipe…), then save your settings: a real file will be created.',
    },
  },
  SettingsFileTooLarge: {
    message: {
      fr: 'Le fichier des réglages est anormalement gros (plus de {max} Kio, {file}) : il n’a pas été lu, les réglages par défaut sont utilisés.',
      en: 'The settings file is abnormally large (over {max} KiB, {file}): it was not read, the default settings are in use.',
    },
    remedy: { fr: 'Enregistrez vos réglages à nouveau : le fichier sera remplacé.', en: 'Save your settings again: the file will be replaced.' },
  },
  SettingsWriteFailed: {
    message: { fr: 'Impossible d’enregistrer les réglages dans {file}.', en: 'Cannot save the settings to {file}.' },
    remedy: {
      fr: 'Vérifiez les droits sur ce dossier, ou choisissez-en un autre avec la variable ECPS_CONFIG_DIR.',
      en: 'Check the permissions of this folder, or choose another one with the ECPS_CONFIG_DIR variable.',
    },
  },
  HelpDataInvalid: {
    message: { fr: 'Les textes d’aide de l’application sont invalides ({file}).', en: 'The application’s help texts are invalid ({file}).' },
    remedy: { fr: 'Réinstallez l’application ; si cela persiste, signalez-le au support.', en: 'Reinstall the application; if it persists, report it to the support.' },
  },
});

export type SettingsErrorCode = (typeof settingsErrors.codes)[number];

/** An error of the catalogue with its `{placeholders}` filled (values are never secrets here). */
export function settingsError(code: SettingsErrorCode, params: Record<string, string> = {}, cause?: unknown): EcpsError {
  const definition = settingsErrors.definitions[code] as ErrorDefinition;
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (whole, key: string) => params[key] ?? whole);
  const filled: ErrorDefinition = {
    message: { fr: fill(definition.message.fr), en: fill(definition.message.en) },
    ...(definition.remedy ? { remedy: { fr: fill(definition.remedy.fr), en: fill(definition.remedy.en) } } : {}),
  };
  return new EcpsError(code, filled, { details: { ...params }, ...(cause !== undefined ? { cause } : {}) });
}
