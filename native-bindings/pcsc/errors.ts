/**
 * The PC/SC error catalogue and the mapping from pcsc-mini error codes to it.
 *
 * pcsc-mini errors are plain `Error`s whose only useful property is `code`, a string such as
 * `RemovedCard` (the pcsc-lite name in CamelCase), a pcsc-mini code (`CardIsBusy`,
 * `NoCardConnection`…) or a Node-API code; the message is a generic "Async task error".
 * There is no numeric SCARD code. So the string code is the key we map on, and the native code
 * always travels on in `details.nativeCode` for technicians.
 */
import { EcpsError, defineErrorCatalog, isEcpsError } from '../../src-shared/errors';
import { NATIVE_CODE_MAP } from './native-codes';

export { NATIVE_CODE_MAP };

const RETRY_OR_REINSERT = {
  fr: 'Retirez la carte, réinsérez-la, puis réessayez.',
  en: 'Remove the card, insert it again, then retry.',
};
const RESTART_SERVICE = {
  fr: 'Vérifiez que le service « Carte à puce » (pcscd) est démarré, puis réessayez. Au besoin, redémarrez l’ordinateur.',
  en: 'Check that the smart card service (pcscd) is running, then retry. If needed, restart the computer.',
};
const CHECK_READER = {
  fr: 'Vérifiez que le lecteur est bien branché (débranchez-le et rebranchez-le si besoin).',
  en: 'Check that the reader is plugged in (unplug and plug it back in if needed).',
};
const INTERNAL = {
  fr: 'Réessayez. Si le problème persiste, redémarrez l’application et joignez le rapport de diagnostic.',
  en: 'Retry. If it keeps happening, restart the application and attach the diagnostic report.',
};

export const pcscErrors = defineErrorCatalog({
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
  ServiceUnavailable: {
    message: {
      fr: 'Le service Carte à puce (PC/SC) ne répond pas.',
      en: 'The smart card service (PC/SC) is not answering.',
    },
    remedy: RESTART_SERVICE,
  },
  CommError: {
    message: {
      fr: 'La communication avec le service Carte à puce a été interrompue.',
      en: 'Communication with the smart card service was interrupted.',
    },
    remedy: RESTART_SERVICE,
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
  InsufficientBuffer: {
    message: {
      fr: 'La réponse de la carte est plus grande que prévu.',
      en: 'The card response is larger than expected.',
    },
    remedy: INTERNAL,
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
  CardUnpowered: {
    message: { fr: 'La carte n’est pas alimentée.', en: 'The card is not powered.' },
    remedy: RETRY_OR_REINSERT,
  },
  CardMute: {
    message: {
      fr: 'La carte ne répond pas à la mise sous tension (carte muette).',
      en: 'The card does not answer to reset (mute card).',
    },
    remedy: {
      fr: 'Vérifiez le sens de la carte et nettoyez la puce, puis réinsérez-la. Si cela persiste, la carte est peut-être défectueuse.',
      en: 'Check the card orientation and clean the chip, then insert it again. If it persists, the card may be faulty.',
    },
  },
  UnsupportedCard: {
    message: {
      fr: 'Cette carte n’est pas prise en charge par le lecteur.',
      en: 'This card is not supported by the reader.',
    },
    remedy: {
      fr: 'Vérifiez qu’il s’agit bien d’une carte CPS ou Vitale insérée dans le bon sens.',
      en: 'Check that this is a CPS or Vitale card inserted the right way.',
    },
  },
  NoReaders: {
    message: { fr: 'Aucun lecteur de carte n’est connecté.', en: 'No card reader is connected.' },
    remedy: CHECK_READER,
  },
  ReaderUnavailable: {
    message: {
      fr: 'Le lecteur de carte n’est pas disponible.',
      en: 'The card reader is not available.',
    },
    remedy: CHECK_READER,
  },
  Timeout: {
    message: {
      fr: 'Le service Carte à puce n’a pas répondu à temps.',
      en: 'The smart card service did not answer in time.',
    },
    remedy: RESTART_SERVICE,
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
  InvalidParameter: {
    message: {
      fr: 'Paramètre refusé par le service Carte à puce.',
      en: 'A parameter was refused by the smart card service.',
    },
    remedy: INTERNAL,
  },
  Cancelled: {
    message: { fr: 'L’opération sur la carte a été annulée.', en: 'The card operation was cancelled.' },
  },
  TransactionError: {
    message: {
      fr: 'Erreur de transaction avec la carte (verrou déjà pris ou absent).',
      en: 'Card transaction error (lock already held or missing).',
    },
    remedy: INTERNAL,
  },
  CardSecurity: {
    message: {
      fr: 'La carte a refusé l’accès (condition de sécurité non remplie).',
      en: 'The card refused access (security condition not satisfied).',
    },
  },
  ServiceBusy: {
    message: {
      fr: 'Le service Carte à puce est surchargé.',
      en: 'The smart card service is overloaded.',
    },
    remedy: RESTART_SERVICE,
  },
  InternalError: {
    message: {
      fr: 'Erreur interne du module Carte à puce.',
      en: 'Internal error in the smart card module.',
    },
    remedy: INTERNAL,
  },
  PcscError: {
    message: {
      fr: 'Erreur inattendue du service Carte à puce.',
      en: 'Unexpected error from the smart card service.',
    },
    remedy: INTERNAL,
  },
});

export type PcscErrorCode = (typeof pcscErrors.codes)[number];

export type ErrorDetails = Record<string, string | number | boolean>;

/** The native code of a pcsc-mini error, if the value looks like one. */
export function nativeCodeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || isEcpsError(err)) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns anything a pcsc-mini call threw or rejected with into an EcpsError.
 * An EcpsError passes through unchanged (our own checks already produced it).
 */
export function fromNativeError(err: unknown, details: ErrorDetails = {}): EcpsError {
  if (err instanceof EcpsError) return err;
  const nativeCode = nativeCodeOf(err);
  const code: PcscErrorCode = (nativeCode !== undefined && NATIVE_CODE_MAP[nativeCode]) || 'PcscError';
  const all: ErrorDetails = { ...details };
  if (nativeCode !== undefined) all.nativeCode = nativeCode;
  else if (err instanceof Error) all.nativeMessage = err.message;
  return pcscErrors.create(code, { details: all, cause: err });
}
