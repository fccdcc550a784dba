/**
 * Errors of the CLI's own PIN, authentication and trace handling (the card layer's are in
 * src-main/card/cps/errors.ts). Never a PIN, a PUK or any byte of one in a message or detail.
 */
import { EcpsError, defineErrorCatalog, type ErrorDefinition } from '../../src-shared/errors';

export const cliErrors = defineErrorCatalog({
  PinInputMissing: {
    message: {
      fr: 'Aucun terminal pour saisir le code sans écho, et l’option --pin-stdin n’est pas donnée (ou l’entrée standard n’a pas assez de lignes).',
      en: 'No terminal to type the code without echo, and --pin-stdin is not given (or standard input has too few lines).',
    },
    remedy: {
      fr: 'Lancez la commande dans un terminal, ou passez les codes sur l’entrée standard, un par ligne, avec --pin-stdin (voir « ecps --help »).',
      en: 'Run the command in a terminal, or pass the codes on standard input, one per line, with --pin-stdin (see "ecps --help").',
    },
  },
  PinEntryCancelled: {
    message: { fr: 'Saisie du code annulée : rien n’a été envoyé à la carte.', en: 'Code entry cancelled: nothing was sent to the card.' },
  },
  PinConfirmationMismatch: {
    message: {
      fr: 'Les deux saisies du nouveau code porteur sont différentes : rien n’a été envoyé à la carte, aucun essai n’est perdu.',
      en: 'The two entries of the new PIN differ: nothing was sent to the card, no attempt was used.',
    },
    remedy: { fr: 'Relancez la commande et tapez deux fois le même nouveau code.', en: 'Run the command again and type the same new code twice.' },
  },
  AuthenticationInvalid: {
    message: {
      fr: 'Test d’authentification INVALIDE : {reason}',
      en: 'Authentication test INVALID: {reason}',
    },
    remedy: {
      fr: 'Vérifiez la validité de la carte et les autorités de confiance (--trust) ; joignez la trace APDU (--trace) à votre demande de support.',
      en: 'Check the card’s validity and the trust anchors (--trust); attach the APDU trace (--trace) to your support request.',
    },
  },
  TrustFileUnreadable: {
    message: {
      fr: 'Fichier d’autorité de confiance illisible : {file} (certificat PEM ou DER attendu).',
      en: 'Unreadable trust anchor file: {file} (PEM or DER certificate expected).',
    },
  },
  PortalClientUnavailable: {
    message: {
      fr: 'Le client TLS par carte ne peut pas démarrer : {missing} introuvable.',
      en: 'The card TLS client cannot start: {missing} not found.',
    },
    remedy: {
      fr: 'Installez-les : sudo apt-get install -y opensc libengine-pkcs11-openssl curl (ou donnez le module de la carte avec --module CHEMIN).',
      en: 'Install them: sudo apt-get install -y opensc libengine-pkcs11-openssl curl (or give the card module with --module PATH).',
    },
  },
  PortalLoginFailed: {
    message: { fr: 'Connexion TLS avec la carte ÉCHOUÉE : {reason}', en: 'TLS login with the card FAILED: {reason}' },
    remedy: {
      fr: 'Vérifiez que la carte est dans le lecteur et que le module la voit (pkcs11-tool --module CHEMIN -L), et qu’aucun programme ne la garde en accès exclusif ; relancez ensuite.',
      en: 'Check that the card is in the reader and that the module sees it (pkcs11-tool --module PATH -L), and that no program holds it exclusively; then try again.',
    },
  },
  PortalLoginRefused: {
    message: { fr: 'Connexion REFUSÉE par le serveur de test : {reason}', en: 'Login REFUSED by the test server: {reason}' },
    remedy: {
      fr: 'Le certificat présenté n’est pas reconnu : ajoutez son autorité avec --trust (racines et AC IGC-Santé), ou vérifiez la validité de la carte (« ecps card »).',
      en: 'The certificate presented is not recognised: add its authority with --trust (IGC-Santé roots and CAs), or check the card’s validity ("ecps card").',
    },
  },
  PortalPortUnavailable: {
    message: { fr: 'Le port {port} est déjà utilisé ou interdit.', en: 'Port {port} is already in use or not allowed.' },
    remedy: { fr: 'Choisissez un autre port (--port N), ou laissez le système en choisir un (sans --port).', en: 'Choose another port (--port N), or let the system pick one (no --port).' },
  },
  TraceWriteFailed: {
    message: { fr: 'Impossible d’écrire la trace APDU dans {file}.', en: 'Cannot write the APDU trace to {file}.' },
    remedy: { fr: 'Choisissez un dossier où vous pouvez écrire.', en: 'Choose a folder you can write to.' },
  },
});

export type CliErrorCode = (typeof cliErrors.codes)[number];

/** An error of the catalogue with its `{placeholders}` filled (never with a secret). */
export function cliError(
  code: CliErrorCode,
  params: Record<string, string | number> = {},
  options: { details?: Record<string, string | number | boolean>; cause?: unknown } = {},
): EcpsError {
  const definition = cliErrors.definitions[code] as ErrorDefinition;
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (whole, key: string) => (params[key] === undefined ? whole : String(params[key])));
  return new EcpsError(
    code,
    {
      message: { fr: fill(definition.message.fr), en: fill(definition.message.en) },
      ...(definition.remedy ? { remedy: definition.remedy } : {}),
    },
    options,
  );
}
