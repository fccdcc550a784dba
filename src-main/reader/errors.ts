/** Errors of the reader services (choice of port, reader lookup). */
import { defineErrorCatalog } from '../../src-shared/errors';

export const readerErrors = defineErrorCatalog({
  ServiceUnavailable: {
    message: {
      fr: 'Le service de cartes à puce (PC/SC) ne répond pas.',
      en: 'The smart-card service (PC/SC) does not answer.',
    },
    remedy: {
      fr: 'Sous Linux : « sudo systemctl start pcscd » (paquet pcscd). Sous Windows : démarrez le service « Carte à puce ».',
      en: 'On Linux: "sudo systemctl start pcscd" (package pcscd). On Windows: start the "Smart Card" service.',
    },
  },
  NoReader: {
    message: { fr: 'Aucun lecteur de cartes n’est branché.', en: 'No card reader is plugged in.' },
    remedy: {
      fr: 'Branchez le lecteur ; un lecteur bi-fente Vitale/CPS doit être en mode PC/SC (et non PSS).',
      en: 'Plug the reader in; a dual-slot Vitale/CPS reader must be in PC/SC mode (not PSS).',
    },
  },
  UnknownReader: {
    message: { fr: 'Ce lecteur n’existe pas.', en: 'There is no such reader.' },
    remedy: {
      fr: 'Tapez « ecps readers » pour voir les noms exacts des lecteurs.',
      en: 'Type "ecps readers" to see the exact reader names.',
    },
  },
  NoCard: {
    message: { fr: 'Aucune carte dans le lecteur.', en: 'No card in the reader.' },
    remedy: {
      fr: 'Insérez la carte CPS, puce vers le haut et vers l’intérieur, dans la fente CPS du lecteur.',
      en: 'Insert the CPS card, chip up and first, into the reader’s CPS slot.',
    },
  },
});
