/**
 * Errors of the virtual cards and the in-process reader. Reader codes mirror the PC/SC ones
 * (SCARD_E_NO_SMARTCARD → NoSmartCard, SCARD_W_REMOVED_CARD → CardRemoved,
 * SCARD_E_PROTO_MISMATCH → ProtoMismatch…) so the layers above handle both ports alike.
 */
import { defineErrorCatalog } from '../../src-shared/errors';

export const simulatorErrors = defineErrorCatalog({
  UnknownReader: {
    message: { fr: 'Lecteur virtuel inconnu.', en: 'Unknown virtual reader.' },
    remedy: { fr: 'Choisissez un des lecteurs listés.', en: 'Pick one of the listed readers.' },
  },
  NoSmartCard: {
    message: { fr: 'Aucune carte dans le lecteur.', en: 'No card in the reader.' },
    remedy: { fr: 'Insérez la carte CPS, puce vers le haut.', en: 'Insert the CPS card, chip facing up.' },
  },
  CardRemoved: {
    message: { fr: 'La carte a été retirée du lecteur.', en: 'The card was removed from the reader.' },
    remedy: {
      fr: 'Réinsérez la carte et laissez-la en place jusqu’à la fin de l’opération.',
      en: 'Insert the card again and leave it in until the operation is over.',
    },
  },
  CardNotResponding: {
    message: { fr: 'La carte ne répond pas.', en: 'The card does not respond.' },
    remedy: {
      fr: 'Retirez puis réinsérez la carte ; si cela persiste, essayez un autre lecteur.',
      en: 'Remove and insert the card again; if it persists, try another reader.',
    },
  },
  ProtoMismatch: {
    message: {
      fr: 'La carte ne parle pas le protocole demandé.',
      en: 'The card does not support the requested protocol.',
    },
    remedy: { fr: 'Laissez le lecteur choisir le protocole (T=0 ou T=1).', en: 'Let the reader choose the protocol (T=0 or T=1).' },
  },
  ApduTooShort: {
    message: { fr: 'Commande APDU trop courte (4 octets minimum).', en: 'Command APDU too short (4 bytes minimum).' },
  },
  SharingViolation: {
    message: {
      fr: 'La carte est utilisée par une autre application.',
      en: 'The card is in use by another application.',
    },
    remedy: {
      fr: 'Fermez le logiciel qui utilise la carte (logiciel de pharmacie, CPS-Gestion…) puis réessayez.',
      en: 'Close the software using the card (pharmacy software, CPS-Gestion…) and try again.',
    },
  },
  ResetCard: {
    message: {
      fr: 'La carte a été réinitialisée par une autre application.',
      en: 'The card was reset by another application.',
    },
    remedy: { fr: 'Recommencez l’opération.', en: 'Start the operation again.' },
  },
  InvalidHandle: {
    message: { fr: 'La connexion à la carte est fermée.', en: 'The card connection is closed.' },
  },
  UnsupportedFeature: {
    message: {
      fr: 'Le lecteur virtuel ne prend pas en charge cette commande de contrôle.',
      en: 'The virtual reader does not support this control command.',
    },
  },
  InvalidResponse: {
    message: { fr: 'La carte virtuelle a renvoyé une réponse invalide.', en: 'The virtual card returned an invalid response.' },
  },
  SlotOccupied: {
    message: { fr: 'Il y a déjà une carte dans ce lecteur.', en: 'There is already a card in this reader.' },
    remedy: { fr: 'Retirez d’abord la carte présente.', en: 'Remove the card that is there first.' },
  },
  UnknownCardKind: {
    message: { fr: 'Type de carte virtuelle inconnu.', en: 'Unknown virtual card kind.' },
    remedy: { fr: 'Types possibles : cps3, vitale2, bank, foreign.', en: 'Possible kinds: cps3, vitale2, bank, foreign.' },
  },
  FaultSpecInvalid: {
    message: { fr: 'Panne simulée mal décrite.', en: 'Invalid simulated fault.' },
    remedy: {
      fr: 'Formes acceptées : mute, mute:N, slow:MS, drop:N, wrong-le, no-get-response.',
      en: 'Accepted forms: mute, mute:N, slow:MS, drop:N, wrong-le, no-get-response.',
    },
  },
});

export type SimulatorErrorCode = (typeof simulatorErrors.codes)[number];
