/**
 * Errors of the virtual cards and the in-process reader.
 *
 * Reader and connection codes are the PC/SC port's (native-bindings/pcsc/errors.ts), with the
 * same meaning, so the layers above (CLI exit codes, UI, diagnostics) never care which port
 * they run on; test/contract/reader-port-contract.ts checks both ports give the same code in
 * the same situation. Only the last three codes (SlotOccupied, UnknownCardKind,
 * FaultSpecInvalid) are the simulator's own: they concern inserting virtual cards, which a
 * real reader does not do.
 */
import { defineErrorCatalog } from '../../src-shared/errors';
import { READER_PORT_ERRORS } from '../../src-shared/reader-port-errors';

export const simulatorErrors = defineErrorCatalog({
  // The ReaderPort contract's codes and texts, shared with the PC/SC port.
  ...READER_PORT_ERRORS,
  // Overrides the shared text: here the fault is the virtual card's.
  InternalError: {
    message: {
      fr: 'Erreur interne de la carte virtuelle.',
      en: 'Internal error in the virtual card.',
    },
    remedy: {
      fr: 'Réessayez. Si le problème persiste, redémarrez l’application et joignez le rapport de diagnostic.',
      en: 'Retry. If it keeps happening, restart the application and attach the diagnostic report.',
    },
  },
  // ---- the simulator's own (inserting virtual cards) ----------------------------------------
  SlotOccupied: {
    message: { fr: 'Il y a déjà une carte dans ce lecteur.', en: 'There is already a card in this reader.' },
    remedy: { fr: 'Retirez d’abord la carte présente.', en: 'Remove the card that is there first.' },
  },
  UnknownCardKind: {
    message: { fr: 'Type de carte virtuelle inconnu.', en: 'Unknown virtual card kind.' },
    remedy: { fr: 'Tapez « ecps simulate --help » pour la liste des cartes virtuelles.', en: 'Type "ecps simulate --help" for the list of virtual cards.' },
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

/** The codes the simulator shares with the PC/SC port (everything but the last three). */
export const SIMULATOR_ONLY_CODES: readonly SimulatorErrorCode[] = ['SlotOccupied', 'UnknownCardKind', 'FaultSpecInvalid'];
