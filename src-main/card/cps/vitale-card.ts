/**
 * The other cards a pharmacist may put in the CPS slot. A Vitale card (the patient's health
 * insurance card) is the classic mistake on a dual-slot reader: it is recognised from its ATR
 * (domain.md §2) and answered with "insert your CPS in the other slot". Reading Vitale data
 * is out of scope (issue 3 §2).
 */
import type { EcpsError, LocalizedText } from '../../../src-shared/errors';
import type { CardChannel } from '../channel';
import type { CardIdentification } from '../identify';
import { CpsCard, type CpsCardOptions } from './cps-card';
import { cpsError } from './errors';

export class VitaleCard {
  readonly kind = 'vitale' as const;
  readonly generation: 'vitale1' | 'vitale2';

  constructor(readonly identification: CardIdentification) {
    this.generation = identification.type === 'vitale1' ? 'vitale1' : 'vitale2';
  }

  get label(): LocalizedText {
    return this.identification.label;
  }

  /** What to tell the user: `VitaleInCpsSlot` (fr/en message and remedy). */
  outcome(): EcpsError {
    return cpsError('VitaleInCpsSlot', { details: { type: this.identification.type } });
  }
}

/** Anything else: a bank card, a foreign card, an unknown ATR, a CPS that did not confirm. */
export class UnknownCard {
  readonly kind = 'unknown' as const;

  constructor(readonly identification: CardIdentification) {}

  get label(): LocalizedText {
    return this.identification.label;
  }

  outcome(): EcpsError {
    return cpsError('NotACps', { details: { type: this.identification.type, confirmed: this.identification.confirmed } });
  }
}

export type CardApplication = CpsCard | VitaleCard | UnknownCard;

/**
 * The application object for an identified card. A CPS is opened only when the card itself
 * confirmed it (CPx AID and ANS serial in EF.SN.ICC); an ATR alone is not enough to send a PIN.
 */
export function openCardApplication(identification: CardIdentification, channel: CardChannel, options: CpsCardOptions = {}): CardApplication {
  switch (identification.type) {
    case 'cps3':
    case 'cps3-contactless':
    case 'cps4':
      return identification.confirmed ? new CpsCard(channel, identification, options) : new UnknownCard(identification);
    case 'vitale1':
    case 'vitale2':
      return new VitaleCard(identification);
    default:
      return new UnknownCard(identification);
  }
}
