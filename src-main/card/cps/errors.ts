/**
 * Every outcome of the CPS card layer, in French and English, with what to do.
 * Messages may hold `{placeholders}` filled by `cpsError(code, { params })`: tries left, which
 * code (PIN "code porteur" / PUK "code de déblocage", the words of the ANS letters and of
 * esante.gouv.fr's CPS help pages).
 *
 * Security (architecture.md §4): params and details carry counts, lengths, status words —
 * never a PIN, a PUK or any byte of a PIN block.
 */
import { EcpsError, defineErrorCatalog, type ErrorDefinition, type LocalizedText } from '../../../src-shared/errors';

export const cpsErrors = defineErrorCatalog({
  PinIncorrect: {
    message: { fr: '{Code} incorrect : il reste {n} essai{s}.', en: 'Wrong {code}: {n} attempt{s} left.' },
    remedy: {
      fr: 'Vérifiez le code sur le courrier reçu avec la carte avant de réessayer : au bout de 3 codes faux, la carte se bloque.',
      en: 'Check the code on the letter that came with the card before trying again: after 3 wrong codes the card locks.',
    },
  },
  PinBlocked: {
    message: { fr: 'Code porteur bloqué : trop de codes faux ont été saisis.', en: 'PIN blocked: too many wrong codes were entered.' },
    remedy: {
      fr: 'Débloquez la carte avec le code de déblocage (8 chiffres) du courrier reçu avec la carte, et choisissez un nouveau code porteur (« ecps pin unblock »).',
      en: 'Unblock the card with the 8-digit unblocking code (PUK) from the letter that came with the card, and choose a new PIN ("ecps pin unblock").',
    },
  },
  PukIncorrect: {
    message: { fr: 'Code de déblocage incorrect : il reste {n} essai{s}.', en: 'Wrong unblocking code (PUK): {n} attempt{s} left.' },
    remedy: {
      fr: 'Le code de déblocage figure sur le courrier reçu avec la carte (8 chiffres). Si vous ne l’avez plus, contactez le service CPS de l’ANS.',
      en: 'The unblocking code is on the letter that came with the card (8 digits). If you no longer have it, contact the ANS CPS service.',
    },
  },
  PukBlocked: {
    message: {
      fr: 'Code de déblocage bloqué : la carte ne peut plus être débloquée.',
      en: 'Unblocking code (PUK) blocked: the card can no longer be unblocked.',
    },
    remedy: {
      fr: 'Demandez une nouvelle carte CPS (espace CPS sur esante.gouv.fr, ou votre ordre professionnel).',
      en: 'Order a new CPS card (CPS area on esante.gouv.fr, or your professional board).',
    },
  },
  PinLastTryNeedsConfirmation: {
    message: {
      fr: 'Il ne reste qu’un essai pour le {code} : un code faux bloquerait la carte. Rien n’a été envoyé.',
      en: 'Only one attempt left for the {code}: a wrong code would block the card. Nothing was sent.',
    },
    remedy: {
      fr: 'Vérifiez le code sur le courrier reçu avec la carte, puis confirmez explicitement ce dernier essai (option --confirm-last-try).',
      en: 'Check the code on the letter that came with the card, then confirm this last attempt explicitly (--confirm-last-try).',
    },
  },
  PinFormatInvalid: {
    message: {
      fr: 'Le {code} doit comporter {length} chiffres : rien n’a été envoyé à la carte, aucun essai n’est perdu.',
      en: 'The {code} must be {length} digits: nothing was sent to the card, no attempt was used.',
    },
    remedy: { fr: 'Retapez le code, chiffres seulement.', en: 'Type the code again, digits only.' },
  },
  PinOutcomeUnknown: {
    message: {
      fr: 'La carte n’a pas répondu clairement : on ne sait pas si le code a été accepté.',
      en: 'The card did not answer clearly: it is unknown whether the code was accepted.',
    },
    remedy: {
      fr: 'Ne retapez pas le code tout de suite : vérifiez la carte et le lecteur, puis consultez le nombre d’essais restants (« ecps pin status »).',
      en: 'Do not type the code again straight away: check the card and the reader, then look at the attempts left ("ecps pin status").',
    },
  },
  PinStatusUnavailable: {
    message: {
      fr: 'Impossible de lire le nombre d’essais restants : par sécurité, aucun code n’a été envoyé.',
      en: 'Cannot read the attempts left: for safety, no code was sent.',
    },
    remedy: { fr: 'Retirez et réinsérez la carte, puis réessayez.', en: 'Remove and reinsert the card, then try again.' },
  },
  PinCommandRefused: {
    message: { fr: 'La carte a refusé l’opération sur le code ({sw}).', en: 'The card refused the code operation ({sw}).' },
    remedy: { fr: 'Signalez-le avec la trace APDU (les codes y sont masqués).', en: 'Report it with the APDU trace (codes are redacted in it).' },
  },
  SecurityStatusNotSatisfied: {
    message: {
      fr: 'La carte exige le code porteur avant cette opération.',
      en: 'The card requires the PIN before this operation.',
    },
    remedy: { fr: 'Saisissez d’abord le code porteur (« ecps pin verify »), puis recommencez.', en: 'Enter the PIN first ("ecps pin verify"), then try again.' },
  },
  CryptoOperationFailed: {
    message: { fr: 'La carte a refusé l’opération cryptographique ({sw}).', en: 'The card refused the cryptographic operation ({sw}).' },
    remedy: { fr: 'Retirez et réinsérez la carte ; si cela se répète, signalez-le avec la trace APDU.', en: 'Remove and reinsert the card; if it happens again, report it with the APDU trace.' },
  },
  NotACps: {
    message: { fr: 'Cette carte n’est pas une carte CPS.', en: 'This card is not a CPS card.' },
    remedy: {
      fr: 'Insérez votre carte CPS (carte de professionnel de santé) dans la fente CPS du lecteur.',
      en: 'Insert your CPS card (health professional card) into the reader’s CPS slot.',
    },
  },
  VitaleInCpsSlot: {
    message: {
      fr: 'Ceci est une carte Vitale — insérez votre carte CPS dans l’autre fente.',
      en: 'This is a Vitale card — insert your CPS card in the other slot.',
    },
    remedy: {
      fr: 'Sur un lecteur bi-fente, la carte Vitale va dans une fente et la carte CPS dans l’autre.',
      en: 'On a dual-slot reader, the Vitale card goes in one slot and the CPS card in the other.',
    },
  },
  CpsApplicationMissing: {
    message: {
      fr: 'L’application CPS (PKCS#15) est introuvable sur la carte.',
      en: 'The CPS application (PKCS#15) cannot be found on the card.',
    },
    remedy: { fr: 'Vérifiez qu’il s’agit bien d’une carte CPS en cours de validité.', en: 'Check that this is a valid CPS card.' },
  },
  CpsObjectMissing: {
    message: {
      fr: 'La carte ne contient pas l’élément attendu : {what}.',
      en: 'The card does not hold the expected item: {what}.',
    },
  },
  CpsDataMalformed: {
    message: {
      fr: 'La carte a renvoyé des données illisibles (structure ASN.1 invalide).',
      en: 'The card returned unreadable data (invalid ASN.1 structure).',
    },
    remedy: { fr: 'Retirez et réinsérez la carte ; si cela se répète, la carte est peut-être endommagée.', en: 'Remove and reinsert the card; if it happens again, the card may be damaged.' },
  },
  CpsFileUnreadable: {
    message: { fr: 'Lecture d’un fichier de la carte impossible ({sw}).', en: 'Cannot read a file of the card ({sw}).' },
  },
});

export type CpsErrorCode = (typeof cpsErrors.codes)[number];

export type Params = Record<string, string | number>;

/** Which secret an outcome is about, in the card's words. */
export type SecretKind = 'pin' | 'puk';

export const SECRET_NAMES: Readonly<Record<SecretKind, LocalizedText>> = {
  pin: { fr: 'code porteur', en: 'PIN' },
  puk: { fr: 'code de déblocage', en: 'unblocking code (PUK)' },
};

/** Fills `{name}`; `{Code}` is `{code}` capitalised; `{s}` is the plural mark of `{n}`. */
function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (key === 's') return Number(params.n) > 1 ? 's' : '';
    if (key === 'Code' && params.code !== undefined) {
      const c = String(params.code);
      return c.charAt(0).toUpperCase() + c.slice(1);
    }
    const v = params[key];
    return v === undefined ? whole : String(v);
  });
}

/**
 * An error of the catalogue with its placeholders filled. `secret` fills `{code}` in each
 * language. Details are copied as given (counts and status words only).
 */
export function cpsError(
  code: CpsErrorCode,
  options: { params?: Params; secret?: SecretKind; details?: Record<string, string | number | boolean>; cause?: unknown } = {},
): EcpsError {
  const definition = cpsErrors.definitions[code] as ErrorDefinition;
  const lang = (l: 'fr' | 'en'): Params => ({ ...(options.params ?? {}), ...(options.secret ? { code: SECRET_NAMES[options.secret][l] } : {}) });
  const filled: ErrorDefinition = {
    message: { fr: fill(definition.message.fr, lang('fr')), en: fill(definition.message.en, lang('en')) },
    ...(definition.remedy ? { remedy: definition.remedy } : {}),
  };
  return new EcpsError(code, filled, {
    ...(options.details ? { details: options.details } : {}),
    ...(options.cause !== undefined ? { cause: options.cause } : {}),
  });
}
