/**
 * The activation authority seam (architecture.md §3, issue 4 §2): what the companion asks of
 * the service that activates e-CPS. No public protocol exists for the real ANS service
 * (domain.md §6), so this interface is our own. Two implementations: the sandbox in
 * `simulators/authority` (in-process for demos, or a standalone HTTP server) and the HTTP JSON
 * client `src-main/activation/authority-http-client.ts`. Both throw the errors of
 * `authorityErrors`, so the activation flows behave the same whichever is plugged in.
 *
 * Pure TypeScript: runs in main, in tests and (types only) in the renderer. Dates are ISO-8601
 * strings so every value here can cross IPC or JSON unchanged; binary values are bytes.
 */
import { EcpsError, defineErrorCatalog, type ErrorDefinition, type LocalizedText } from './errors';
import { passesLuhn } from './luhn';

/** `sandbox`: training / demo / tests, nothing real is activated. `remote`: a real service. */
export type AuthorityKind = 'sandbox' | 'remote';

export interface AuthorityDescription {
  kind: AuthorityKind;
  /** How this process reaches it: the UI says "bac à sable (intégré)" or shows the URL. */
  transport: 'in-process' | 'http';
  /** Base URL of the HTTP API, or `in-process:sandbox`. */
  url: string;
  /** What the UI and the CLI show, always, next to the activation steps. */
  label: LocalizedText;
  /**
   * Websocket relay base (`ws://host:port/relay/`); each side joins
   * `<relayUrl>?session=<QR relay session>&role=desktop|phone` (`relayJoinUrl`,
   * src-shared/pairing-protocol.ts). Absent when the authority has no relay.
   */
  relayUrl?: string;
  apiVersion: 1;
}

export interface ServerTime {
  serverTime: string;
  /** serverTime − local time at the middle of the round trip; 0 in-process. Certificate and
   *  challenge expiry are judged by the authority's clock, so a large skew explains refusals. */
  skewMs: number;
}

export type NationalIdKind = 'rpps' | 'adeli';

export interface ProfessionalLookup {
  /** Normalised national identifier: `8<RPPS>` or `0<ADELI>` (domain.md §4). */
  idNat: string;
  kind: NationalIdKind;
  /** Both an e-mail and a mobile number are on file: activation without the card is possible. */
  contactOnFile: boolean;
  maskedEmail?: string;
  maskedPhone?: string;
  /** ADELI-registered professionals can activate only with the physical card (domain.md §1). */
  cardRequired: boolean;
}

/** Same names as `SignatureAlgorithm` in src-main/card/cps/cps-crypto.ts (CPS3/CPS4 authenticate). */
export type CardSignatureAlgorithm = 'RSASSA-PKCS1-v1_5-SHA256' | 'RSASSA-PSS-SHA256';

export interface StartWithCardRequest {
  /** The card's authentication certificate (key ref 0x82), DER. */
  certificateDer: Uint8Array;
  /** Version of the CGU the user accepted, recorded with the activation. */
  cguVersion: string;
}

export interface CardChallenge {
  activationId: string;
  /** Random bytes the card signs with its authentication key (`CpsCard.authenticate`). */
  challenge: Uint8Array;
  expiresAt: string;
}

export interface ProveCardRequest {
  activationId: string;
  signature: Uint8Array;
  algorithm: CardSignatureAlgorithm;
}

/** Who the card belongs to, as the authority verified it (certificate + chain + signature). */
export interface VerifiedHolder {
  activationId: string;
  idNat: string;
  kind: NationalIdKind;
  surname?: string;
  givenName?: string;
  profession?: string;
  certificateSerial: string;
  certificateNotAfter: string;
}

export interface WithoutCardRequest {
  idNat: string;
  /** What the e-mailed QR code carries (the pairing payload, built by the caller). Without it
   *  the sandbox mails a placeholder token: the e-mail is then only for training. ≤ 2048 chars. */
  qrPayload?: string;
}

export interface WithoutCardRequestResult {
  activationId: string;
  /** Masked e-mail address the QR code was sent to, e.g. `ma•••@exemple.test`. */
  sentTo: string;
  expiresAt: string;
}

export interface SmsCodeSent {
  activationId: string;
  /** Masked mobile number, e.g. `06 •• •• •• 12`. */
  sentTo: string;
  expiresAt: string;
  attemptsLeft: number;
}

export interface RegisterPhoneRequest {
  activationId: string;
  /** The phone's long-term public key (opaque to the authority, ≤ 1 KiB). */
  phonePublicKey: Uint8Array;
  /** Verifier of the 4-digit e-CPS password, derived on the phone (opaque, ≤ 1 KiB): never the password. */
  passwordVerifier: Uint8Array;
}

export type ActivationMode = 'with-card' | 'without-card';
export type ActivationStatus =
  | 'card-challenge' // challenge sent, waiting for the card's signature
  | 'card-verified' // card proved: the phone may be registered
  | 'request-sent' // without card: QR e-mailed
  | 'sms-sent'
  | 'sms-verified' // SMS code right: the phone may be registered
  | 'completed'
  | 'locked'; // too many wrong SMS codes: start again

export interface ActivationRecord {
  activationId: string;
  mode: ActivationMode;
  idNat: string;
  status: ActivationStatus;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  cguVersion?: string;
  holder?: { surname?: string; givenName?: string; profession?: string };
  /** SHA-256 of the registered phone key, hex: enough to recognise it, nothing to misuse. */
  phoneKeySha256?: string;
  completedAt?: string;
}

export interface ActivationAuthority {
  describe(): Promise<AuthorityDescription>;
  serverTime(): Promise<ServerTime>;
  lookupProfessional(idNat: string): Promise<ProfessionalLookup>;
  startWithCard(request: StartWithCardRequest): Promise<CardChallenge>;
  proveCard(request: ProveCardRequest): Promise<VerifiedHolder>;
  requestWithoutCard(request: WithoutCardRequest): Promise<WithoutCardRequestResult>;
  sendSmsCode(activationId: string): Promise<SmsCodeSent>;
  verifySmsCode(activationId: string, code: string): Promise<{ activationId: string; verified: true }>;
  registerPhone(request: RegisterPhoneRequest): Promise<ActivationRecord>;
  getActivation(activationId: string): Promise<ActivationRecord>;
  listActivations(): Promise<ActivationRecord[]>;
}

/** Wrong SMS codes allowed before the activation locks. */
export const SMS_CODE_ATTEMPTS = 3;

/**
 * What the user typed → normalised idNat. Accepts an RPPS (11 digits, Luhn [I] domain.md §4),
 * an ADELI (9 digits, Luhn key), or either with its idNat prefix (`8…`, `0…`); spaces ignored.
 * Undefined when it is neither.
 */
export function parseNationalId(input: string): { idNat: string; kind: NationalIdKind; id: string } | undefined {
  const digits = input.replace(/\s+/g, '');
  if (!/^\d+$/.test(digits)) return undefined;
  const rpps = digits.length === 12 && digits.startsWith('8') ? digits.slice(1) : digits;
  if (rpps.length === 11) return passesLuhn(rpps) ? { idNat: `8${rpps}`, kind: 'rpps', id: rpps } : undefined;
  const adeli = digits.length === 10 && digits.startsWith('0') ? digits.slice(1) : digits;
  if (adeli.length === 9) return passesLuhn(adeli) ? { idNat: `0${adeli}`, kind: 'adeli', id: adeli } : undefined;
  return undefined;
}


const text = (fr: string, en: string): LocalizedText => ({ fr, en });

/** Every refusal of an authority, and the client's own transport failures. `{name}` placeholders are filled from details. */
export const authorityErrors = defineErrorCatalog({
  NationalIdInvalid: {
    message: text('Identifiant national invalide : un RPPS a 11 chiffres, un ADELI 9, avec une clé de contrôle.', 'Invalid national identifier: an RPPS has 11 digits, an ADELI 9, with a check digit.'),
    remedy: text('Recopiez le numéro RPPS figurant sur votre carte CPS ou sur l’annuaire santé.', 'Copy the RPPS number printed on your CPS card or shown in the health directory.'),
  },
  ProfessionalUnknown: {
    message: text('Ce professionnel est inconnu de l’autorité d’activation.', 'This professional is unknown to the activation authority.'),
    remedy: text('Vérifiez le numéro ; s’il est juste, contactez le support de l’ANS.', 'Check the number; if it is right, contact ANS support.'),
  },
  CardRequired: {
    message: text('Les professionnels enregistrés ADELI ne peuvent activer la e-CPS qu’avec leur carte CPS.', 'ADELI-registered professionals can activate e-CPS only with their CPS card.'),
    remedy: text('Insérez votre carte CPS dans le lecteur et choisissez l’activation avec la carte.', 'Insert your CPS card in the reader and choose activation with the card.'),
  },
  ContactDetailsMissing: {
    message: text('Aucune adresse e-mail ou aucun numéro de mobile n’est enregistré pour vous.', 'No e-mail address or mobile number is on file for you.'),
    remedy: text('Mettez à jour vos coordonnées sur le site de l’Ordre des Pharmaciens (e-POP) : la mise à jour prend 48 h. Ou activez avec votre carte CPS.', 'Update your contact details on the Ordre des Pharmaciens site (e-POP): it takes 48 hours. Or activate with your CPS card.'),
  },
  CertificateMalformed: {
    message: text('Le certificat de la carte est illisible.', 'The card certificate cannot be read.'),
    remedy: text('Réinsérez la carte ; si cela persiste, la carte est peut-être endommagée.', 'Reinsert the card; if it persists the card may be damaged.'),
  },
  CertificateExpired: {
    message: text('La carte CPS a expiré : elle ne peut pas servir à activer la e-CPS.', 'The CPS card has expired: it cannot be used to activate e-CPS.'),
    remedy: text('Commandez une nouvelle carte, ou activez sans carte si vos coordonnées sont enregistrées.', 'Order a new card, or activate without the card if your contact details are on file.'),
  },
  CertificateNotYetValid: {
    message: text('La carte CPS n’est pas encore valide.', 'The CPS card is not valid yet.'),
    remedy: text('Vérifiez la date et l’heure de l’ordinateur, ou réessayez à la date de début de validité.', 'Check the computer’s date and time, or try again on the validity start date.'),
  },
  CertificateUntrusted: {
    message: text('La carte n’a pas été émise par une autorité de confiance.', 'The card was not issued by a trusted authority.'),
    remedy: text('Utilisez une carte CPS authentique (une carte de test ne fonctionne qu’avec le bac à sable).', 'Use a genuine CPS card (a test card only works with the sandbox).'),
  },
  CardNotEligible: {
    message: text('Cette carte ne permet pas d’activer une e-CPS (carte d’établissement).', 'This card cannot activate an e-CPS (establishment card).'),
    remedy: text('Utilisez la carte CPS personnelle du professionnel.', 'Use the professional’s own CPS card.'),
  },
  CguVersionUnsupported: {
    message: text('Cette version des conditions générales n’est plus acceptée.', 'This version of the terms of use is no longer accepted.'),
    remedy: text('Mettez à jour le Compagnon e-CPS puis acceptez les conditions en vigueur.', 'Update Compagnon e-CPS, then accept the current terms.'),
  },
  SignatureInvalid: {
    message: text('La signature de la carte ne correspond pas au défi de l’autorité.', 'The card signature does not match the authority’s challenge.'),
    remedy: text('Recommencez l’activation depuis le début, carte insérée.', 'Start the activation again with the card inserted.'),
  },
  ActivationUnknown: {
    message: text('Cette activation est inconnue de l’autorité.', 'This activation is unknown to the authority.'),
    remedy: text('Recommencez l’activation.', 'Start the activation again.'),
  },
  ActivationExpired: {
    message: text('Le délai de cette étape de l’activation est dépassé.', 'The time allowed for this activation step is over.'),
    remedy: text('Recommencez l’activation.', 'Start the activation again.'),
  },
  ActivationWrongStep: {
    message: text('Cette étape n’est pas possible maintenant (activation à l’étape « {status} »).', 'This step is not possible now (activation at step "{status}").'),
    remedy: text('Reprenez l’activation à l’étape affichée, ou recommencez.', 'Resume the activation at the step shown, or start again.'),
  },
  SmsCodeIncorrect: {
    message: text('Code SMS incorrect (essais restants : {attemptsLeft}).', 'Wrong SMS code (attempts left: {attemptsLeft}).'),
    remedy: text('Recopiez le code à 6 chiffres du dernier SMS reçu.', 'Copy the 6-digit code of the last SMS received.'),
  },
  SmsAttemptsExhausted: {
    message: text('Trop de codes SMS faux : cette activation est bloquée.', 'Too many wrong SMS codes: this activation is locked.'),
    remedy: text('Recommencez la demande d’activation.', 'Send a new activation request.'),
  },
  SmsSendLimit: {
    message: text('Trop de SMS envoyés pour cette activation.', 'Too many SMS sent for this activation.'),
    remedy: text('Recommencez la demande d’activation.', 'Send a new activation request.'),
  },
  InvalidRequest: {
    message: text('Requête refusée par l’autorité : {reason}.', 'Request refused by the authority: {reason}.'),
  },
  RouteNotFound: { message: text('Adresse inconnue de l’autorité.', 'Unknown authority address.') },
  MethodNotAllowed: { message: text('Méthode HTTP non permise ici.', 'HTTP method not allowed here.') },
  PayloadTooLarge: { message: text('Requête trop volumineuse.', 'Request too large.') },
  UnsupportedMediaType: { message: text('Le corps de la requête doit être du JSON.', 'The request body must be JSON.') },
  InternalError: {
    message: text('Erreur interne de l’autorité d’activation.', 'Internal error of the activation authority.'),
    remedy: text('Réessayez dans quelques minutes ; si cela persiste, contactez le support.', 'Try again in a few minutes; if it persists, contact support.'),
  },
  AuthorityUnreachable: {
    message: text('Impossible de joindre l’autorité d’activation ({url}).', 'Cannot reach the activation authority ({url}).'),
    remedy: text('Vérifiez la connexion Internet et le proxy de la pharmacie, puis réessayez. Le support peut tester avec « ecps authority ».', 'Check the Internet connection and the pharmacy proxy, then try again. Support can test with "ecps authority".'),
  },
  AuthorityTimeout: {
    message: text('L’autorité d’activation n’a pas répondu à temps ({timeoutMs} ms).', 'The activation authority did not answer in time ({timeoutMs} ms).'),
    remedy: text('La connexion est lente ou coupée : réessayez.', 'The connection is slow or down: try again.'),
  },
  AuthorityRefused: {
    message: text('L’autorité d’activation a refusé la demande ({serverCode}).', 'The activation authority refused the request ({serverCode}).'),
    remedy: text('Mettez à jour le Compagnon e-CPS ; si cela persiste, contactez le support avec ce code.', 'Update Compagnon e-CPS; if it persists, contact support with this code.'),
  },
  AuthorityProtocolError: {
    message: text('Réponse inattendue de l’autorité d’activation.', 'Unexpected answer from the activation authority.'),
    remedy: text('Vérifiez l’adresse de l’autorité configurée (un proxy ou un portail captif répond peut-être à sa place).', 'Check the configured authority address (a proxy or captive portal may be answering instead).'),
  },
});

export type AuthorityErrorCode = (typeof authorityErrors.codes)[number];

/** Creates an authority error with its `{placeholders}` filled from `details` (counts, states: never secrets). */
export function authorityError(
  code: AuthorityErrorCode,
  options: { details?: Record<string, string | number | boolean>; cause?: unknown } = {},
): EcpsError {
  const definition: ErrorDefinition = authorityErrors.definitions[code];
  const fill = (t: string) => t.replace(/\{(\w+)\}/g, (all, key: string) => String(options.details?.[key] ?? all));
  const filled: ErrorDefinition = { message: { fr: fill(definition.message.fr), en: fill(definition.message.en) } };
  if (definition.remedy) filled.remedy = definition.remedy;
  return new EcpsError(code, filled, options);
}
