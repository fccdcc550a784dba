/**
 * The errors of the ReaderPort contract (src-shared/reader-port.ts): the situations every
 * port reports the same way, whether the card sits behind real PC/SC or in the in-process
 * simulator. Both ports build their catalogues from these definitions, so the layers above
 * (CLI exit codes, UI, diagnostics) see one code and one text per situation;
 * test/contract/reader-port-contract.ts checks both ports raise them in the same cases.
 */
import type { ErrorDefinition } from './errors';

/** Remedies other catalogues reuse (the PC/SC port's own codes). */
export const RETRY_OR_REINSERT = {
  fr: 'Retirez la carte, réinsérez-la, puis réessayez.',
  en: 'Remove the card, insert it again, then retry.',
};
export const CHECK_READER = {
  fr: 'Vérifiez que le lecteur est bien branché (débranchez-le et rebranchez-le si besoin).',
  en: 'Check that the reader is plugged in (unplug and plug it back in if needed).',
};
export const INTERNAL = {
  fr: 'Réessayez. Si le problème persiste, redémarrez l’application et joignez le rapport de diagnostic.',
  en: 'Retry. If it keeps happening, restart the application and attach the diagnostic report.',
};

export const READER_PORT_ERRORS = {
  CardNotResponding: {
    message: {
      fr: 'La carte ne répond plus (délai dépassé).',
      en: 'The card stopped responding (timeout).',
    },
    remedy: RETRY_OR_REINSERT,
  },
  ConnectionBroken: {
    message: {
      fr: 'La connexion à la carte est interrompue après une absence de réponse ; une remise à zéro est en cours.',
      en: 'The card connection is broken after the card stopped responding; a reset is in progress.',
    },
    remedy: RETRY_OR_REINSERT,
  },
  CardRemoved: {
    message: { fr: 'La carte a été retirée du lecteur.', en: 'The card was removed from the reader.' },
    remedy: { fr: 'Réinsérez la carte et réessayez.', en: 'Insert the card again and retry.' },
  },
  NoCard: {
    message: { fr: 'Aucune carte dans le lecteur.', en: 'There is no card in the reader.' },
    remedy: {
      fr: 'Insérez la carte, puce vers le haut et en avant, jusqu’au bout.',
      en: 'Insert the card fully, chip up and first.',
    },
  },
  SharingViolation: {
    message: {
      fr: 'La carte est utilisée par une autre application (logiciel de pharmacie, GALSS, module CPS…).',
      en: 'The card is being used by another application (pharmacy software, GALSS, CPS middleware…).',
    },
    remedy: {
      fr: 'Fermez ou mettez en pause l’autre application (logiciel de pharmacie, GALSS), attendez quelques secondes, puis réessayez.',
      en: 'Close or pause the other application (pharmacy software, GALSS), wait a few seconds, then retry.',
    },
  },
  ProtocolMismatch: {
    message: {
      fr: 'Le protocole demandé (T=0 ou T=1) n’est pas pris en charge par cette carte.',
      en: 'The requested protocol (T=0 or T=1) is not supported by this card.',
    },
    remedy: {
      fr: 'Laissez le lecteur choisir le protocole (option « automatique »).',
      en: 'Let the reader choose the protocol (the "any" option).',
    },
  },
  UnsupportedFeature: {
    message: {
      fr: 'Ce lecteur ne prend pas en charge cette fonction.',
      en: 'This reader does not support this feature.',
    },
  },
  CardReset: {
    message: {
      fr: 'La carte a été réinitialisée par une autre application ; l’opération doit être refaite.',
      en: 'The card was reset by another application; the operation must be done again.',
    },
    remedy: {
      fr: 'Réessayez. Si cela se répète, fermez les autres logiciels qui utilisent la carte.',
      en: 'Retry. If it happens again, close other software using the card.',
    },
  },
  ReaderUnavailable: {
    message: {
      fr: 'Le lecteur de carte n’est pas disponible.',
      en: 'The card reader is not available.',
    },
    remedy: CHECK_READER,
  },
  ConnectionClosed: {
    message: {
      fr: 'La connexion à la carte est fermée.',
      en: 'The card connection is closed.',
    },
    remedy: { fr: 'Reconnectez-vous à la carte.', en: 'Connect to the card again.' },
  },
  InvalidApdu: {
    message: {
      fr: 'Commande carte invalide (APDU de moins de 4 octets).',
      en: 'Invalid card command (APDU shorter than 4 bytes).',
    },
  },
  InternalError: {
    message: {
      fr: 'Erreur interne du module Carte à puce.',
      en: 'Internal error in the smart card module.',
    },
    remedy: INTERNAL,
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ReaderPortErrorCode = keyof typeof READER_PORT_ERRORS;
