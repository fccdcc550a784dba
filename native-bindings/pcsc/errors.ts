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
import { CHECK_READER, INTERNAL, READER_PORT_ERRORS, RETRY_OR_REINSERT } from '../../src-shared/reader-port-errors';
import { NATIVE_CODE_MAP } from './native-codes';

export { NATIVE_CODE_MAP };

const RESTART_SERVICE = {
  fr: 'Vérifiez que le service « Carte à puce » (pcscd) est démarré, puis réessayez. Au besoin, redémarrez l’ordinateur.',
  en: 'Check that the smart card service (pcscd) is running, then retry. If needed, restart the computer.',
};
export const pcscErrors = defineErrorCatalog({
  ...READER_PORT_ERRORS,
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
  InsufficientBuffer: {
    message: {
      fr: 'La réponse de la carte est plus grande que prévu.',
      en: 'The card response is larger than expected.',
    },
    remedy: INTERNAL,
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
  Timeout: {
    message: {
      fr: 'Le service Carte à puce n’a pas répondu à temps.',
      en: 'The smart card service did not answer in time.',
    },
    remedy: RESTART_SERVICE,
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
