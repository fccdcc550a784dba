/**
 * Error catalogue of the desktop side of phone pairing. Details never hold the token, a key,
 * the code or the password: they are shown to technicians and written to reports.
 */
import { defineErrorCatalog } from '../../src-shared/errors';

export const pairingErrors = defineErrorCatalog({
  PairingAlreadyStarted: {
    message: { fr: 'L’appairage du téléphone est déjà en cours.', en: 'Phone pairing is already running.' },
    remedy: { fr: 'Arrêtez l’appairage en cours avant d’en démarrer un autre.', en: 'Stop the current pairing before starting another.' },
  },
  PairingNotStarted: {
    message: { fr: 'Aucun appairage de téléphone n’est en cours.', en: 'No phone pairing is running.' },
  },
  PairingStopped: {
    message: { fr: 'L’appairage du téléphone a été arrêté avant que le QR code ne s’affiche.', en: 'Phone pairing was stopped before the QR code was shown.' },
  },
  PairingListenFailed: {
    message: { fr: 'Impossible d’ouvrir la connexion locale pour le téléphone sur cette interface réseau.', en: 'Cannot open the local connection for the phone on this network interface.' },
    remedy: {
      fr: 'Choisissez une autre interface réseau, ou vérifiez que le pare-feu autorise le Compagnon.',
      en: 'Choose another network interface, or check that the firewall allows the companion.',
    },
  },
  PairingWrongStep: {
    message: { fr: 'Cette étape de l’appairage n’est pas possible maintenant.', en: 'This pairing step is not possible now.' },
    remedy: { fr: 'Suivez les étapes dans l’ordre : QR code, code du téléphone, mot de passe.', en: 'Follow the steps in order: QR code, phone code, password.' },
  },
  PairingPasswordFormat: {
    message: { fr: 'Le mot de passe e-CPS doit comporter exactement 4 chiffres.', en: 'The e-CPS password must be exactly 4 digits.' },
  },
  PairingTopicInvalid: {
    message: { fr: 'Message interne invalide pour le téléphone.', en: 'Invalid internal message for the phone.' },
    remedy: { fr: 'Erreur de programmation : signalez-la.', en: 'Programming error: report it.' },
  },
});
