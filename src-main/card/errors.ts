/**
 * Error catalogue of the card layer (APDU codec, T=0 channel, ATR parser, identification).
 * Codes are stable: the CLI, reports and the UI key on them. Details carry hex and
 * numbers only — never APDU data, which could hold a PIN.
 */
import { defineErrorCatalog } from '../../src-shared/errors';

export const cardErrors = defineErrorCatalog({
  ApduFieldOutOfRange: {
    message: {
      fr: 'Commande APDU invalide : un champ sort des valeurs permises (ISO 7816-4).',
      en: 'Invalid command APDU: a field is outside its allowed range (ISO 7816-4).',
    },
    remedy: { fr: 'Erreur de programmation : signalez-la avec la trace.', en: 'Programming error: report it with the trace.' },
  },
  ApduExtendedNotAllowed: {
    message: {
      fr: 'La commande demande des longueurs étendues, non autorisées ici.',
      en: 'The command needs extended lengths, which are not allowed here.',
    },
    remedy: {
      fr: 'Les lecteurs de cartes CPS (TPDU, 271 octets) ne gèrent pas les APDU étendues : découpez la commande.',
      en: 'CPS card readers (TPDU level, 271 bytes) do not handle extended APDUs: split the command.',
    },
  },
  ApduMalformed: {
    message: {
      fr: 'Commande APDU mal formée : ses longueurs (Lc/Le) ne correspondent à aucun cas ISO 7816-4.',
      en: 'Malformed command APDU: its lengths (Lc/Le) match no ISO 7816-4 case.',
    },
  },
  ResponseTooShort: {
    message: {
      fr: 'Réponse de la carte trop courte : les deux octets d’état (SW1 SW2) manquent.',
      en: 'Card response too short: the two status bytes (SW1 SW2) are missing.',
    },
    remedy: { fr: 'Retirez et réinsérez la carte, puis réessayez.', en: 'Remove and reinsert the card, then try again.' },
  },
  TooManyGetResponses: {
    message: {
      fr: 'La carte annonce sans fin des données supplémentaires (61xx) : échange interrompu.',
      en: 'The card keeps announcing more data (61xx): exchange stopped.',
    },
    remedy: { fr: 'Retirez et réinsérez la carte ; si cela se répète, la carte est peut-être défectueuse.', en: 'Remove and reinsert the card; if it happens again, the card may be faulty.' },
  },
  ResponseTooLarge: {
    message: {
      fr: 'La réponse de la carte dépasse la taille maximale attendue.',
      en: 'The card response exceeds the maximum expected size.',
    },
  },
  WrongLengthRepeated: {
    message: {
      fr: 'La carte refuse la longueur demandée même après correction (6Cxx répété).',
      en: 'The card rejects the expected length even after correction (repeated 6Cxx).',
    },
  },
  ReadOffsetOutOfRange: {
    message: {
      fr: 'Lecture impossible : la position dépasse 32 767 octets (limite de READ BINARY).',
      en: 'Cannot read: the offset exceeds 32,767 bytes (READ BINARY limit).',
    },
  },
  CardRefused: {
    message: {
      fr: 'La carte a refusé la commande.',
      en: 'The card refused the command.',
    },
    remedy: {
      fr: 'Vérifiez que la bonne carte est dans la bonne fente du lecteur.',
      en: 'Check that the right card is in the right slot of the reader.',
    },
  },
  AtrEmpty: {
    message: { fr: 'ATR vide : la carte n’a pas répondu à la mise sous tension.', en: 'Empty ATR: the card did not answer to reset.' },
    remedy: { fr: 'Vérifiez le sens d’insertion de la carte (puce vers le haut, vers l’avant).', en: 'Check the card orientation (chip up, inserted first).' },
  },
  AtrBadTs: {
    message: {
      fr: 'ATR invalide : le premier octet (TS) doit valoir 3B (convention directe) ou 3F (inverse).',
      en: 'Invalid ATR: the first byte (TS) must be 3B (direct convention) or 3F (inverse).',
    },
    remedy: { fr: 'Ce n’est sans doute pas une carte à microprocesseur, ou le lecteur l’a mal lue.', en: 'This is probably not a microprocessor card, or the reader misread it.' },
  },
  AtrTooShort: {
    message: { fr: 'ATR trop court : l’octet de format T0 manque.', en: 'ATR too short: the format byte T0 is missing.' },
  },
  AtrTruncated: {
    message: {
      fr: 'ATR tronqué : des octets d’interface, historiques ou TCK annoncés manquent.',
      en: 'Truncated ATR: announced interface, historical or TCK bytes are missing.',
    },
  },
  AtrTooLong: {
    message: {
      fr: 'ATR trop long : des octets suivent les octets historiques annoncés (et TCK).',
      en: 'ATR too long: bytes follow the announced historical bytes (and TCK).',
    },
  },
  AtrOverMaxLength: {
    message: { fr: 'ATR de plus de 33 octets : longueur interdite par ISO 7816-3.', en: 'ATR longer than 33 bytes: not allowed by ISO 7816-3.' },
  },
  CardIdentityUnreadable: {
    message: {
      fr: 'Le numéro de série de la carte (EF.SN.ICC) est illisible ou inattendu.',
      en: 'The card serial number (EF.SN.ICC) is unreadable or unexpected.',
    },
  },
});

export type CardErrorCode = (typeof cardErrors.codes)[number];
