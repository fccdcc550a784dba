/**
 * One short sentence per step, in French (first) and English: the wizard's progress text and
 * the CLI's status line. What went wrong is told separately (`errorOfState`), so a sentence
 * here only says where the user is and what is expected of them.
 */
import type { Lang, LocalizedText } from '../../src-shared/errors';
import type { WithCardState, WithCardStep } from './with-card';
import type { WithoutCardState, WithoutCardStep } from './without-card';

export type ActivationState = WithCardState | WithoutCardState;

type Sentence<S> = (state: S) => LocalizedText;
const plain = (fr: string, en: string) => () => ({ fr, en });

const SHARED = {
  'choosing-password': plain(
    'Choisissez votre mot de passe e-CPS (4 chiffres) et saisissez-le deux fois.',
    'Choose your e-CPS password (4 digits) and type it twice.',
  ),
  'confirming-password': plain('Saisissez le même mot de passe sur le téléphone.', 'Type the same password on the phone.'),
  'registering-phone': plain('Enregistrement du téléphone auprès du service d’activation…', 'Registering the phone with the activation service…'),
  'authority-error': plain('Le service d’activation n’a pas répondu : vous pouvez réessayer.', 'The activation service did not answer: you can retry.'),
  done: plain('Votre e-CPS est activée sur ce téléphone.', 'Your e-CPS is activated on this phone.'),
  failed: plain('L’activation n’a pas abouti.', 'The activation did not complete.'),
  cancelled: plain('Activation annulée.', 'Activation cancelled.'),
} as const;

const WITH_CARD: { readonly [K in WithCardStep]: Sentence<WithCardState> } = {
  ...SHARED,
  'card-ready': (s) =>
    s.pinTriesLeft !== null && s.pinTriesLeft < 3
      ? {
          fr: `Saisissez votre code porteur (il reste ${s.pinTriesLeft} essai${s.pinTriesLeft >= 2 ? 's' : ''}).`,
          en: `Enter your PIN (${s.pinTriesLeft} attempt${s.pinTriesLeft === 1 ? '' : 's'} left).`,
        }
      : { fr: 'Carte prête : saisissez votre code porteur.', en: 'Card ready: enter your PIN.' },
  cgu: plain('Lisez et acceptez les conditions générales d’utilisation.', 'Read and accept the terms of use.'),
  'starting-activation': plain('Ouverture de l’activation auprès du service…', 'Opening the activation with the service…'),
  'signing-challenge': plain('La carte signe la demande d’activation…', 'The card is signing the activation request…'),
  'proving-card': plain('Vérification de la carte par le service d’activation…', 'The activation service is checking the card…'),
  'showing-qr': (s) =>
    s.deadline === null
      ? { fr: 'QR code en pause : cliquez sur « Afficher un nouveau QR code ».', en: 'QR code paused: click "Show a new QR code".' }
      : { fr: 'Scannez le QR code avec l’application e-CPS (valable 90 secondes).', en: 'Scan the QR code with the e-CPS app (valid for 90 seconds).' },
  'code-entry': plain('Saisissez ici le code affiché sur le téléphone.', 'Type here the code shown on the phone.'),
};

const WITHOUT_CARD: { readonly [K in WithoutCardStep]: Sentence<WithoutCardState> } = {
  ...SHARED,
  'national-id': plain('Saisissez votre numéro RPPS (11 chiffres).', 'Enter your RPPS number (11 digits).'),
  'looking-up': plain('Recherche de vos coordonnées dans l’annuaire santé…', 'Looking up your contact details in the health directory…'),
  'ready-to-request': plain(
    'Vos coordonnées sont connues : cliquez sur « Envoyer ma demande d’activation ».',
    'Your contact details are on file: click "Envoyer ma demande d’activation" (send my activation request).',
  ),
  requesting: plain('Envoi de votre demande d’activation…', 'Sending your activation request…'),
  'awaiting-phone-scan': plain(
    'Un QR code vous a été envoyé par e-mail : scannez-le avec l’application e-CPS.',
    'A QR code was sent to you by e-mail: scan it with the e-CPS app.',
  ),
  'code-entry': plain('Saisissez ici le code affiché sur le téléphone.', 'Type here the code shown on the phone.'),
  'sms-code': plain('Saisissez sur le téléphone le code reçu par SMS.', 'Type on the phone the code received by SMS.'),
  'adeli-needs-card': plain(
    'L’activation d’un professionnel ADELI nécessite la carte physique.',
    'A professional registered with ADELI can activate only with the physical card.',
  ),
  'epop-guidance': plain(
    'Vos coordonnées manquent dans l’annuaire : mettez-les à jour sur E-POP (Ordre des pharmaciens), puis revenez dans 48 heures.',
    'Your contact details are missing from the directory: update them on E-POP (Order of Pharmacists), then come back in 48 hours.',
  ),
};

export function describeState(state: ActivationState, lang: Lang): string {
  const text = state.flow === 'with-card' ? WITH_CARD[state.step](state) : WITHOUT_CARD[state.step](state);
  return text[lang];
}
