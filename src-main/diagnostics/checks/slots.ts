/**
 * Per slot: what card is there, whether it is the one the slot expects on a dual-slot reader
 * (CPS slot / Vitale slot, configurable convention from the knowledge base), whether it
 * answers (ATR, SELECT, protocol), and whether another application holds it.
 */
import { READER_PORT_ERRORS } from '../../../src-shared/reader-port-errors';
import { isCps, isVitale, type SlotFacts } from '../reader-facts';
import { check, joinText, tx, type CheckResult } from '../types';
import { enCount, frCount } from '../plural';

const CARD = tx('Carte dans la fente', 'Card in the slot');
const ROLE = tx('Bonne carte dans la bonne fente', 'Right card in the right slot');
const RESPONSIVE = tx('La carte répond', 'The card answers');
const IN_USE = tx('Lecteur libre (pas d’autre application)', 'Reader free (no other application)');

const ROLE_LABEL = { cps: tx('CPS', 'CPS'), vitale: tx('Vitale', 'Vitale') };

export function heldElsewhere(f: SlotFacts): boolean {
  return f.snapshot.inUse || f.connectError?.code === 'SharingViolation';
}

export function checkSlotCard(f: SlotFacts): CheckResult {
  const evidence = { cardPresent: f.snapshot.cardPresent, atr: f.snapshot.atr ?? null, type: f.identification?.type ?? null, slotRole: f.expectedRole ?? null };
  const subject = f.reader;
  if (!f.snapshot.cardPresent) return check('slot.card', 'ok', CARD, tx('Fente vide.', 'Empty slot.'), evidence, { subject });
  const id = f.identification;
  if (!id) return check('slot.card', 'ok', CARD, tx('Une carte est présente (type non déterminé, voir ci-dessous).', 'A card is present (type not determined, see below).'), evidence, { subject });
  if (id.type === 'unknown' || id.type === 'bank') {
    return check('slot.card', 'warn', CARD, tx(`Carte présente : ${id.label.fr} — ni CPS ni Vitale.`, `Card present: ${id.label.en} — neither CPS nor Vitale.`), evidence, {
      subject,
      remedy: tx('Insérez la carte CPS du professionnel (carte verte « Carte de Professionnel de Santé »).', 'Insert the professional’s CPS card (the green "Carte de Professionnel de Santé").'),
    });
  }
  return check('slot.card', 'ok', CARD, tx(`Carte présente : ${id.label.fr}.`, `Card present: ${id.label.en}.`), evidence, { subject });
}

/** Only for slots of a dual-slot reader holding an identified card. */
export function checkSlotRole(f: SlotFacts, all: readonly SlotFacts[]): CheckResult | undefined {
  if (!f.expectedRole || !f.identification) return undefined;
  const subject = f.reader;
  const evidence = { expected: f.expectedRole, found: f.identification.type, slotIndex: f.slot.slotIndex, convention: f.model?.slotRoles ? `model:${f.model.id}` : 'knowledge-base' };
  const sibling = (role: 'cps' | 'vitale') => all.find((o) => o !== f && o.slot.base === f.slot.base && o.slot.readerIndex === f.slot.readerIndex && o.expectedRole === role);
  const expected = ROLE_LABEL[f.expectedRole];
  if (f.expectedRole === 'cps' && isVitale(f)) {
    const other = sibling('vitale');
    const swapped = other !== undefined && isCps(other);
    return check(
      'slot.card-role',
      'fail',
      ROLE,
      swapped
        ? tx('Cartes inversées : la carte Vitale est dans la fente CPS et la CPS dans la fente Vitale.', 'Cards swapped: the Vitale card is in the CPS slot and the CPS in the Vitale slot.')
        : tx('Une carte Vitale est dans la fente CPS.', 'A Vitale card is in the CPS slot.'),
      { ...evidence, swapped },
      { subject, remedy: tx('Mettez la carte CPS dans la fente CPS et la carte Vitale dans l’autre fente.', 'Put the CPS card in the CPS slot and the Vitale card in the other slot.') },
    );
  }
  if (f.expectedRole === 'vitale' && isCps(f)) {
    const other = sibling('cps');
    const swapped = other !== undefined && isVitale(other);
    return check(
      'slot.card-role',
      swapped ? 'fail' : 'warn',
      ROLE,
      swapped
        ? tx('Cartes inversées : la CPS est dans la fente Vitale et la carte Vitale dans la fente CPS.', 'Cards swapped: the CPS is in the Vitale slot and the Vitale card in the CPS slot.')
        : tx(
            'La CPS est dans la fente Vitale. Le Compagnon la lit quand même, mais le logiciel de pharmacie et le GALSS l’attendent dans la fente CPS.',
            'The CPS is in the Vitale slot. The companion still reads it, but the pharmacy software and GALSS expect it in the CPS slot.',
          ),
      { ...evidence, swapped },
      { subject, remedy: tx('Mettez la carte CPS dans la fente CPS (la première fente du lecteur).', 'Put the CPS card in the CPS slot (the reader’s first slot).') },
    );
  }
  const matches = (f.expectedRole === 'cps' && isCps(f)) || (f.expectedRole === 'vitale' && isVitale(f));
  if (matches) return check('slot.card-role', 'ok', ROLE, tx(`Fente ${expected.fr} : la bonne carte.`, `${expected.en} slot: the right card.`), evidence, { subject });
  return check('slot.card-role', 'warn', ROLE, tx(`La fente ${expected.fr} contient une autre carte (${f.identification.label.fr}).`, `The ${expected.en} slot holds another card (${f.identification.label.en}).`), evidence, {
    subject,
    remedy: tx(`Insérez la carte ${expected.fr} dans cette fente.`, `Insert the ${expected.en} card in this slot.`),
  });
}

export function checkSlotResponsive(f: SlotFacts): CheckResult | undefined {
  if (!f.snapshot.cardPresent) return undefined;
  const subject = f.reader;
  const evidence = {
    atr: f.connected?.atr ?? f.snapshot.atr ?? null,
    protocol: f.connected?.protocol ?? null,
    mute: f.snapshot.mute,
    connectError: f.connectError?.code ?? null,
    identifyError: f.identifyError?.code ?? null,
    confirmedByCard: f.identification?.confirmed ?? null,
    steps: f.identification?.evidence ?? [],
  };
  if (heldElsewhere(f) && !f.connected) {
    return check('slot.responsive', 'skipped', RESPONSIVE, tx('Carte tenue par une autre application : elle n’a pas pu être interrogée.', 'Card held by another application: it could not be questioned.'), evidence, { subject });
  }
  if (f.snapshot.mute) {
    return check('slot.responsive', 'fail', RESPONSIVE, tx('La carte ne répond pas à la remise à zéro (pas d’ATR) : carte muette, sale, abîmée ou insérée à l’envers.', 'The card does not answer to reset (no ATR): mute, dirty, damaged or inserted upside down.'), evidence, {
      subject,
      remedy: tx('Retirez la carte, vérifiez le sens (puce vers le haut, en avant), nettoyez la puce et réinsérez-la ; essayez une autre carte pour mettre hors de cause le lecteur.', 'Remove the card, check its orientation (chip up, first), clean the chip and reinsert it; try another card to rule out the reader.'),
    });
  }
  const error = f.connectError ?? f.identifyError;
  if (error) {
    return check('slot.responsive', 'fail', RESPONSIVE, joinText(tx('La carte n’a pas répondu correctement :', 'The card did not answer properly:'), error.message), evidence, { subject, remedy: error.remedy });
  }
  if (isCps(f) && f.identification && !f.identification.confirmed) {
    return check('slot.responsive', 'warn', RESPONSIVE, tx('L’ATR est celle d’une CPS mais la carte n’a pas confirmé (SELECT de l’application CPx ou EF.SN.ICC refusé).', 'The ATR is a CPS one but the card did not confirm (SELECT of the CPx application or EF.SN.ICC refused).'), evidence, {
      subject,
      remedy: tx('Réinsérez la carte ; si cela persiste, joignez ce rapport (trace APDU) à votre demande de support.', 'Reinsert the card; if it persists, attach this report (APDU trace) to your support request.'),
    });
  }
  const protocol = f.connected ? f.connected.protocol.replace('T', 'T=') : '?';
  return check('slot.responsive', 'ok', RESPONSIVE, tx(`La carte répond (ATR reçue, protocole ${protocol}${isCps(f) ? ', application CPS sélectionnée' : ''}).`, `The card answers (ATR received, protocol ${protocol}${isCps(f) ? ', CPS application selected' : ''}).`), evidence, { subject });
}

export function checkSlotInUse(f: SlotFacts, galssInstalled: boolean): CheckResult | undefined {
  if (!f.snapshot.cardPresent) return undefined;
  const subject = f.reader;
  const evidence = { inUseFlag: f.snapshot.inUse, connectError: f.connectError?.code ?? null };
  if (!heldElsewhere(f)) return check('slot.in-use', 'ok', IN_USE, tx('Aucune autre application ne bloque la carte.', 'No other application blocks the card.'), evidence, { subject });
  const galss = galssInstalled
    ? tx('Le GALSS est installé sur ce poste : il peut garder les lecteurs ouverts.', 'GALSS is installed on this computer: it may keep the readers open.')
    : undefined;
  return check('slot.in-use', 'fail', IN_USE, joinText(READER_PORT_ERRORS.SharingViolation.message, galss), evidence, { subject, remedy: READER_PORT_ERRORS.SharingViolation.remedy });
}

const STRATEGY = tx('Stratégie de lecture (lecteurs anciens)', 'Reading strategy (legacy readers)');

/** Readable form of the rungs the ladder climbed: `protocol:T0 → timeout:45000`. */
function rungText(rungs: readonly string[]): string {
  return rungs.length === 0 ? 'default' : rungs.join(' → ');
}

/** The fallback ladder's outcome on a slot (only when it ran: `ecps diagnose`). */
export function checkSlotStrategy(f: SlotFacts): CheckResult | undefined {
  const fb = f.fallback;
  if (!fb) return undefined;
  const subject = f.reader;
  const evidence = {
    ok: fb.ok,
    fromMemory: fb.fromMemory,
    remembered: fb.remembered,
    rungs: fb.rungs,
    attempts: fb.attempts.map((a) => `${a.rung}:${a.outcome}${a.error ? `:${a.error.code}` : ''}`),
    failure: fb.failure?.code ?? null,
    memoryError: fb.memoryError ?? null,
  };
  const consent = fb.attempts.some((a) => a.outcome === 'skipped' && a.error?.code === 'ConsentRequired');
  if (!fb.ok) {
    return check('slot.strategy', 'warn', STRATEGY, tx(
      `Aucune stratégie de repli n’a permis de lire la carte correctement (${frCount(fb.attempts.length, 'essai', 'essais')}, dernier échec : ${fb.failure?.code ?? '?'}).`,
      `No fallback strategy read the card properly (${enCount(fb.attempts.length, 'attempt', 'attempts')}, last failure: ${fb.failure?.code ?? '?'}).`,
    ), evidence, {
      subject,
      remedy: consent
        ? tx('Fermez le logiciel de pharmacie et relancez le diagnostic avec --allow-exclusive (accès exclusif au lecteur) ; sinon joignez ce rapport à votre demande de support.', 'Close the pharmacy software and run the diagnostics again with --allow-exclusive (exclusive access to the reader); otherwise attach this report to your support request.')
        : tx('Réinsérez la carte, débranchez et rebranchez le lecteur ; si cela persiste, joignez ce rapport à votre demande de support.', 'Reinsert the card, unplug and plug the reader back; if it persists, attach this report to your support request.'),
    });
  }
  const memoryNote = fb.memoryError
    ? tx(' La stratégie n’a pas pu être mémorisée (dossier de configuration illisible ou protégé).', ' The strategy could not be remembered (configuration folder unreadable or protected).')
    : undefined;
  if (fb.fromMemory) {
    return check('slot.strategy', 'ok', STRATEGY, joinText(tx(
      `Stratégie mémorisée lors d’une exécution précédente (${rungText(fb.rungs)}) : carte lue du premier coup.`,
      `Strategy remembered from a previous run (${rungText(fb.rungs)}): card read first time.`,
    ), memoryNote), evidence, { subject });
  }
  if (fb.rungs.length === 0) {
    return check('slot.strategy', 'ok', STRATEGY, tx('La stratégie par défaut fonctionne.', 'The default strategy works.'), evidence, { subject });
  }
  return check('slot.strategy', 'ok', STRATEGY, joinText(tx(
    `La stratégie par défaut a échoué ; carte lue avec la stratégie de repli ${rungText(fb.rungs)}${fb.remembered ? ', mémorisée pour la prochaine fois' : ''}.`,
    `The default strategy failed; card read with the fallback strategy ${rungText(fb.rungs)}${fb.remembered ? ', remembered for next time' : ''}.`,
  ), memoryNote), evidence, { subject });
}
