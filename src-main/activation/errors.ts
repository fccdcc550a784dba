/**
 * Every refusal and failure of the activation flows, in French and English, with what to do.
 * Messages may hold `{placeholders}` filled by `activationError(code, params)`.
 *
 * A flow state keeps its last problem as plain data (`StateError`: a code and its params) so the
 * state stays serialisable for IPC and the UI; `errorOfState` turns it back into an EcpsError.
 * Security: params hold counts, step names and reason codes — never a PIN or a password.
 */
import { EcpsError, defineErrorCatalog, type ErrorDefinition, type Lang, type LocalizedText } from '../../src-shared/errors';

const RESTART = { fr: 'Recommencez l’activation depuis le début.', en: 'Start the activation again from the beginning.' };
const CHECK_NETWORK = {
  fr: 'Vérifiez la connexion Internet de l’ordinateur, puis cliquez sur « Réessayer ».',
  en: 'Check the computer’s Internet connection, then click "Retry".',
};
const RESCAN = {
  fr: 'Un nouveau QR code s’affiche : scannez-le avec l’application e-CPS.',
  en: 'A new QR code is shown: scan it with the e-CPS app.',
};

export const activationErrors = defineErrorCatalog({
  InvalidTransition: {
    message: {
      fr: 'Action « {event} » impossible à l’étape « {step} » de l’activation ({flow}).',
      en: 'Action "{event}" is not possible at step "{step}" of the activation ({flow}).',
    },
    remedy: {
      fr: 'Réessayez ; si cela se répète, joignez le rapport de diagnostic à votre demande d’assistance.',
      en: 'Retry; if it happens again, attach the diagnostic report to your support request.',
    },
  },
  PinIncorrect: {
    message: { fr: 'Code porteur incorrect : il reste {n} essai{s}.', en: 'Wrong PIN: {n} attempt{s} left.' },
    remedy: {
      fr: 'Vérifiez le code sur le courrier reçu avec la carte : au bout de 3 codes faux, la carte se bloque.',
      en: 'Check the code on the letter that came with the card: after 3 wrong codes the card locks.',
    },
  },
  PinBlocked: {
    message: { fr: 'Code porteur bloqué : l’activation avec la carte est impossible.', en: 'PIN blocked: activation with the card is not possible.' },
    remedy: {
      fr: 'Débloquez la carte avec le code de déblocage (8 chiffres) du courrier reçu avec la carte, puis recommencez l’activation.',
      en: 'Unblock the card with the 8-digit unblocking code (PUK) from the letter that came with the card, then start the activation again.',
    },
  },
  CardRemoved: {
    message: { fr: 'La carte a été retirée du lecteur : l’activation reprend au code porteur.', en: 'The card was removed: the activation starts again at the PIN.' },
    remedy: { fr: 'Réinsérez la carte CPS et saisissez à nouveau votre code porteur.', en: 'Insert the CPS card again and enter your PIN again.' },
  },
  ReaderServiceStopped: {
    message: {
      fr: 'Le service des cartes à puce (PC/SC) s’est arrêté : le lecteur et la carte ne sont plus accessibles, l’activation reprend au code porteur.',
      en: 'The smart card service (PC/SC) stopped: the reader and the card can no longer be reached, the activation starts again at the PIN.',
    },
    remedy: {
      fr: 'Redémarrez le service des cartes à puce (Windows : service « Carte à puce » ; Linux : sudo systemctl restart pcscd), vérifiez le lecteur, puis saisissez à nouveau votre code porteur.',
      en: 'Restart the smart card service (Windows: "Smart Card" service; Linux: sudo systemctl restart pcscd), check the reader, then enter your PIN again.',
    },
  },
  CardNotResponding: {
    message: { fr: 'La carte n’a pas signé la demande à temps.', en: 'The card did not sign the request in time.' },
    remedy: { fr: 'Retirez et réinsérez la carte, puis saisissez à nouveau votre code porteur.', en: 'Remove and reinsert the card, then enter your PIN again.' },
  },
  SessionExpired: {
    message: { fr: 'Délai dépassé : par sécurité, le code porteur doit être saisi à nouveau.', en: 'Time is up: for safety, the PIN must be entered again.' },
    remedy: { fr: 'Saisissez à nouveau votre code porteur.', en: 'Enter your PIN again.' },
  },
  AuthorityUnreachable: {
    message: { fr: 'Le service d’activation ne répond pas.', en: 'The activation service does not answer.' },
    remedy: CHECK_NETWORK,
  },
  AuthorityTimeout: {
    message: { fr: 'Le service d’activation n’a pas répondu à temps.', en: 'The activation service did not answer in time.' },
    remedy: CHECK_NETWORK,
  },
  AuthorityRefused: {
    message: { fr: 'Le service d’activation a refusé la demande ({reason}).', en: 'The activation service refused the request ({reason}).' },
    remedy: {
      fr: 'Contactez le support de votre éditeur de logiciel ou l’assistance de l’ANS, avec le rapport de diagnostic.',
      en: 'Contact your software vendor’s support or the ANS support line, with the diagnostic report.',
    },
  },
  QrRenewalLimit: {
    message: { fr: 'Aucun téléphone ne s’est connecté après {n} QR codes.', en: 'No phone connected after {n} QR codes.' },
    remedy: {
      fr: 'Ouvrez l’application e-CPS sur le téléphone, puis cliquez sur « Réessayer » pour afficher un nouveau QR code.',
      en: 'Open the e-CPS app on the phone, then click "Retry" to show a new QR code.',
    },
  },
  PairingCodeIncorrect: {
    message: { fr: 'Code incorrect : il reste {n} essai{s}.', en: 'Wrong code: {n} attempt{s} left.' },
    remedy: { fr: 'Recopiez le code affiché sur le téléphone.', en: 'Type the code shown on the phone.' },
  },
  PairingCodeAttemptsExhausted: {
    message: { fr: 'Trois codes faux : la liaison avec le téléphone a été annulée par sécurité.', en: 'Three wrong codes: the phone link was dropped for safety.' },
    remedy: RESCAN,
  },
  PairingTimeout: {
    message: { fr: 'Délai dépassé : la liaison avec le téléphone a été annulée.', en: 'Time is up: the phone link was dropped.' },
    remedy: RESCAN,
  },
  PhoneDisconnected: {
    message: { fr: 'Le téléphone s’est déconnecté.', en: 'The phone disconnected.' },
    remedy: RESCAN,
  },
  PasswordFormat: {
    message: { fr: 'Le mot de passe e-CPS doit comporter exactement 4 chiffres.', en: 'The e-CPS password must be exactly 4 digits.' },
    remedy: { fr: 'Choisissez 4 chiffres, sans lettre ni espace.', en: 'Choose 4 digits, with no letter or space.' },
  },
  PasswordMismatch: {
    message: { fr: 'Les deux saisies du mot de passe sont différentes.', en: 'The two password entries differ.' },
    remedy: { fr: 'Saisissez deux fois le même mot de passe.', en: 'Type the same password twice.' },
  },
  PasswordRepeatedDigit: {
    message: { fr: 'Mot de passe trop simple : le même chiffre répété.', en: 'Password too simple: the same digit repeated.' },
    remedy: { fr: 'Choisissez 4 chiffres différents les uns des autres.', en: 'Choose 4 digits that are not all the same.' },
  },
  PasswordSequence: {
    message: { fr: 'Mot de passe trop simple : une suite de chiffres qui se suivent.', en: 'Password too simple: a run of consecutive digits.' },
    remedy: { fr: 'Évitez les suites comme 1234 ou 9876.', en: 'Avoid runs such as 1234 or 9876.' },
  },
  // Issue 12 item 5: the phone asks again at once for the SAME password (the one chosen here),
  // so this says exactly what the phone says: type it again on the phone, with the tries left.
  PhonePasswordMismatch: {
    message: {
      fr: 'Le mot de passe saisi sur le téléphone n’est pas celui choisi sur cet ordinateur : saisissez-le à nouveau sur le téléphone (il reste {n} essai{s}).',
      en: 'The password typed on the phone is not the one chosen on this computer: type it again on the phone ({n} attempt{s} left).',
    },
    remedy: {
      fr: 'Mot de passe choisi oublié ? Annulez l’activation et recommencez-la.',
      en: 'Forgot the password you chose? Cancel the activation and start it again.',
    },
  },
  PhonePasswordMismatchLimit: {
    message: { fr: 'Trois mots de passe différents sur le téléphone : la liaison a été annulée.', en: 'Three different passwords on the phone: the link was dropped.' },
    remedy: RESTART,
  },
  NationalIdInvalid: {
    message: {
      fr: 'Identifiant non reconnu : saisissez votre numéro RPPS (11 chiffres) ou ADELI (9 chiffres).',
      en: 'Identifier not recognised: enter your RPPS number (11 digits) or ADELI number (9 digits).',
    },
    remedy: { fr: 'Le numéro RPPS figure sur votre carte CPS et sur l’annuaire santé.', en: 'The RPPS number is on your CPS card and in the health directory (annuaire santé).' },
  },
  RppsChecksumInvalid: {
    message: { fr: 'Ce numéro RPPS contient une faute de frappe (chiffre de contrôle faux).', en: 'This RPPS number has a typo (wrong check digit).' },
    remedy: { fr: 'Vérifiez chaque chiffre du numéro RPPS.', en: 'Check each digit of the RPPS number.' },
  },
  AdeliNeedsCard: {
    message: {
      fr: 'L’activation d’un professionnel ADELI nécessite la carte physique.',
      en: 'A professional registered with ADELI can activate only with the physical card.',
    },
    remedy: {
      fr: 'Insérez votre carte CPS dans le lecteur et choisissez « Activer avec ma carte ».',
      en: 'Insert your CPS card into the reader and choose "Activate with my card".',
    },
  },
  ProfessionalUnknown: {
    message: { fr: 'Aucun professionnel ne correspond à ce numéro RPPS.', en: 'No professional matches this RPPS number.' },
    remedy: { fr: 'Vérifiez le numéro, ou activez votre e-CPS avec votre carte CPS.', en: 'Check the number, or activate your e-CPS with your CPS card.' },
  },
  EmailedQrExpired: {
    message: { fr: 'Le QR code envoyé par e-mail a expiré.', en: 'The QR code sent by e-mail has expired.' },
    remedy: { fr: 'Envoyez une nouvelle demande d’activation.', en: 'Send a new activation request.' },
  },
  EmailedQrRevoked: {
    message: {
      fr: 'Trois codes faux : par sécurité, le QR code reçu par e-mail ne fonctionne plus.',
      en: 'Three wrong codes: for safety, the QR code received by e-mail no longer works.',
    },
    remedy: {
      fr: 'Recommencez l’activation et envoyez une nouvelle demande : un nouveau QR code vous sera envoyé par e-mail.',
      en: 'Start the activation again and send a new request: a new QR code will be e-mailed to you.',
    },
  },
  SmsCodeIncorrect: {
    message: { fr: 'Code SMS incorrect : il reste {n} essai{s}.', en: 'Wrong SMS code: {n} attempt{s} left.' },
    remedy: { fr: 'Saisissez sur le téléphone le code reçu par SMS.', en: 'Type on the phone the code received by SMS.' },
  },
  SmsCodeAttemptsExhausted: {
    message: { fr: 'Trois codes SMS faux : la demande d’activation a été annulée.', en: 'Three wrong SMS codes: the activation request was cancelled.' },
    remedy: { fr: 'Envoyez une nouvelle demande d’activation.', en: 'Send a new activation request.' },
  },
  RequestExpired: {
    message: { fr: 'Délai dépassé : la demande d’activation a été annulée.', en: 'Time is up: the activation request was cancelled.' },
    remedy: { fr: 'Envoyez une nouvelle demande d’activation.', en: 'Send a new activation request.' },
  },
  SmsCodeTimeout: {
    message: { fr: 'Délai dépassé pour le code SMS.', en: 'Time is up for the SMS code.' },
    remedy: { fr: 'Envoyez une nouvelle demande d’activation.', en: 'Send a new activation request.' },
  },
});

export type ActivationErrorCode = (typeof activationErrors.codes)[number];
export type ErrorParams = Readonly<Record<string, string | number>>;

/** The problem a state carries: plain data, no message text (that comes from the catalogue). */
export interface StateError {
  readonly code: ActivationErrorCode;
  readonly params: ErrorParams;
}

export function stateError(code: ActivationErrorCode, params: ErrorParams = {}): StateError {
  return { code, params };
}

/**
 * `{s}` is the plural mark of the count `{n}`, by each language's rule: French takes the plural
 * from 2 (« 0 essai », « 1 essai », « 2 essais »), English for every count but 1.
 */
function plural(lang: Lang, params: ErrorParams): string {
  const n = params.n;
  if (typeof n !== 'number') return '';
  return (lang === 'fr' ? n >= 2 : n !== 1) ? 's' : '';
}

function fill(template: string, params: ErrorParams, lang: Lang): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (key === 's' && params.s === undefined) return plural(lang, params);
    const v = params[key];
    return v === undefined ? whole : String(v);
  });
}

const filled = (text: LocalizedText, params: ErrorParams): LocalizedText => ({ fr: fill(text.fr, params, 'fr'), en: fill(text.en, params, 'en') });

/** An error of the catalogue with its placeholders filled; params are also the details. */
export function activationError(code: ActivationErrorCode, params: ErrorParams = {}): EcpsError {
  const definition = activationErrors.definitions[code] as ErrorDefinition;
  const text: ErrorDefinition = {
    message: filled(definition.message, params),
    ...(definition.remedy ? { remedy: filled(definition.remedy, params) } : {}),
  };
  return new EcpsError(code, text, { details: { ...params } });
}

export function errorOfState(state: { readonly error: StateError | null }): EcpsError | undefined {
  return state.error === null ? undefined : activationError(state.error.code, state.error.params);
}
