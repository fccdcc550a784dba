/**
 * The card half of the readiness check, from the facts the diagnostics gather once per run
 * (src-main/diagnostics/reader-facts.ts: SHARED connection, identity from the authentication
 * certificate, PIN counter read WITHOUT spending a try — CPS3 GET DATA, CPS4 empty VERIFY —,
 * disconnect right after). Worded for the pharmacist about to use the portal: is my CPS in
 * the CPS slot, does it answer, is it free for the browser, how many PIN tries are left, is
 * its certificate valid for more than 30 days.
 */
import { parseHex } from '../../src-shared/hex';
import { identifyAtr } from '../card/identify';
import { checkCpsCertificate, checkCpsPin, EXPIRY_WARNING_DAYS } from '../diagnostics/checks/cps';
import { checkSlotResponsive } from '../diagnostics/checks/slots';
import { isCps, isVitale, type SlotFacts } from '../diagnostics/reader-facts';
import { check, skipped, tx, type CheckResult } from '../diagnostics/types';
import { inGroup, type CardContext, type ReadinessCheck } from './types';

const SLOT = tx('CPS dans la fente CPS', 'CPS in the CPS slot');
const RESPONSIVE = tx('La carte répond', 'The card answers');
const FREE = tx('Carte libre pour le navigateur', 'Card free for the browser');
const PIN = tx('Essais du code porteur', 'PIN tries left');
const CERT = tx('Certificat d’authentification de la CPS', 'CPS authentication certificate');

const CPS_TYPES = new Set(['cps3', 'cps3-contactless', 'cps4']);

/** The type a held card shows by its ATR alone (it cannot be questioned). */
function atrType(f: SlotFacts): string | undefined {
  if (f.identification) return f.identification.type;
  const atr = f.snapshot.atr ? parseHex(f.snapshot.atr) : undefined;
  return atr ? identifyAtr(atr).type : undefined;
}

/** The slot the portal will use: a CPS (answering or held), the CPS slot first. */
export function chooseCpsSlot(facts: readonly SlotFacts[]): SlotFacts | undefined {
  const candidates = facts.filter((f) => f.snapshot.cardPresent && (isCps(f) || CPS_TYPES.has(atrType(f) ?? '')));
  // A card another program held exclusively before we could read its ATR cannot be named (the
  // ATR of pcsc-mini's change event is not usable on Linux: pcsc-mini-on-linux.md): it may be
  // the CPS, and what the user must fix is the program holding it, not the card.
  const held = candidates.length === 0 ? facts.filter(heldUnnamed) : [];
  const pool = candidates.length > 0 ? candidates : held;
  return pool.find((f) => f.expectedRole === 'cps') ?? pool[0];
}

/** Held = our SHARED connection was refused. pcscd's "in use" flag alone is not enough: it also
 * shows shared users, and can lag behind a release. */
function isHeld(f: SlotFacts): boolean {
  return f.connectError?.code === 'SharingViolation' || (f.snapshot.inUse && !f.connected);
}

function heldUnnamed(f: SlotFacts): boolean {
  return f.snapshot.cardPresent && isHeld(f) && !isVitale(f) && !isCps(f) && (atrType(f) ?? 'unknown') === 'unknown';
}

export function cardChecks(facts: readonly SlotFacts[], serviceUp: boolean): ReadinessCheck[] {
  const card = (c: CheckResult) => inGroup('card', c);
  const ids = ['card.cps-slot', 'card.responsive', 'card.free', 'card.pin', 'card.certificate'];
  const titles = [SLOT, RESPONSIVE, FREE, PIN, CERT];
  if (!serviceUp || facts.length === 0) {
    const why = !serviceUp
      ? tx('Le service des cartes à puce ne répond pas : la carte n’a pas pu être vérifiée.', 'The smart-card service does not answer: the card could not be checked.')
      : tx('Aucun lecteur : la carte n’a pas pu être vérifiée.', 'No reader: the card could not be checked.');
    return ids.map((id, i) => card(skipped(id, titles[i]!, why)));
  }
  const out: ReadinessCheck[] = [];
  const slot = chooseCpsSlot(facts);
  out.push(card(slotCheck(facts, slot)));
  if (!slot) {
    const why = tx('Pas de CPS dans le lecteur.', 'No CPS in the reader.');
    for (let i = 1; i < ids.length; i++) out.push(card(skipped(ids[i]!, titles[i]!, why)));
    return out;
  }
  const subject = slot.reader;
  const held = isHeld(slot);
  // The card answers (ATR, SELECT of the CPx application, serial number).
  const responsive = checkSlotResponsive(slot);
  if (responsive) out.push(card({ ...responsive, id: 'card.responsive', title: RESPONSIVE }));
  // Free: the portal's browser needs the card too; an exclusive hold by another program blocks it.
  out.push(
    card(
      held
        ? check('card.free', 'fail', FREE, tx(
            'Un autre programme garde la carte pour lui seul (accès exclusif) : le navigateur ne pourra pas s’en servir pour le portail.',
            'Another program keeps the card to itself (exclusive access): the browser will not be able to use it for the portal.',
          ), { inUseFlag: slot.snapshot.inUse, connectError: slot.connectError?.code ?? null }, {
            subject,
            remedy: tx(
              'Fermez le logiciel de pharmacie ou l’outil qui utilise la carte (GALSS, CPS-Gestion…) ou mettez-le en pause, attendez quelques secondes, puis relancez la vérification ; sinon retirez et réinsérez la carte.',
              'Close the pharmacy software or the tool using the card (GALSS, CPS-Gestion…) or pause it, wait a few seconds, then run the check again; otherwise pull the card out and put it back.',
            ),
          })
        : check('card.free', 'ok', FREE, tx('Aucun autre programme ne bloque la carte ; le Compagnon la partage et la relâche après chaque lecture.', 'No other program blocks the card; the companion shares it and releases it after each read.'), { inUseFlag: slot.snapshot.inUse }, { subject }),
    ),
  );
  if (held || !isCps(slot) || !slot.cps) {
    const why = held
      ? tx('Carte tenue par un autre programme : non vérifié.', 'Card held by another program: not checked.')
      : tx('La carte n’a pas pu être lue.', 'The card could not be read.');
    out.push(card(skipped('card.pin', PIN, why, {}, subject)), card(skipped('card.certificate', CERT, why, {}, subject)));
    return out;
  }
  const pin = checkCpsPin(slot);
  out.push(card({ ...pin, id: 'card.pin', title: PIN }));
  const cert = checkCpsCertificate(slot);
  out.push(card({ ...cert, id: 'card.certificate', title: CERT, evidence: { ...cert.evidence, warnWithinDays: EXPIRY_WARNING_DAYS } }));
  return out;
}

function slotCheck(facts: readonly SlotFacts[], slot: SlotFacts | undefined): CheckResult {
  const vitaleInCps = facts.find((f) => f.expectedRole === 'cps' && isVitale(f));
  const evidence = { slots: facts.map((f) => ({ reader: f.reader, role: f.expectedRole ?? null, card: f.snapshot.cardPresent ? (atrType(f) ?? 'unknown') : null })) };
  if (vitaleInCps) {
    return check('card.cps-slot', 'fail', SLOT, slot
      ? tx('La carte Vitale est dans la fente CPS et la CPS dans l’autre fente : les cartes sont inversées.', 'The Vitale card is in the CPS slot and the CPS in the other slot: the cards are swapped.')
      : tx('Une carte Vitale est dans la fente CPS.', 'A Vitale card is in the CPS slot.'), evidence, {
      subject: vitaleInCps.reader,
      remedy: tx('Retirez la carte Vitale et insérez votre carte CPS (carte verte) dans la fente CPS, puce vers le haut.', 'Take the Vitale card out and insert your CPS card (the green one) in the CPS slot, chip up.'),
    });
  }
  if (!slot) {
    const other = facts.find((f) => f.snapshot.cardPresent && !isVitale(f));
    return check('card.cps-slot', 'fail', SLOT, other
      ? tx('La carte insérée n’est pas une CPS.', 'The card inserted is not a CPS.')
      : tx('Aucune carte CPS n’est insérée.', 'No CPS card is inserted.'), evidence, {
      remedy: tx('Insérez votre carte CPS dans la fente CPS du lecteur (la première fente d’un lecteur bi-fente), puce vers le haut.', 'Insert your CPS card in the reader’s CPS slot (the first slot of a dual-slot reader), chip up.'),
    });
  }
  if (slot.expectedRole === 'vitale') {
    return check('card.cps-slot', 'warn', SLOT, tx('La CPS est dans la fente Vitale : le portail peut la lire, mais votre logiciel de pharmacie l’attend dans la fente CPS.', 'The CPS is in the Vitale slot: the portal can read it, but your pharmacy software expects it in the CPS slot.'), evidence, {
      subject: slot.reader,
      remedy: tx('Mettez la CPS dans la fente CPS (la première fente du lecteur).', 'Put the CPS in the CPS slot (the reader’s first slot).'),
    });
  }
  if (heldUnnamed(slot)) {
    return check('card.cps-slot', 'warn', SLOT, tx(
      `Une carte est dans « ${slot.reader} », mais un autre programme la tient : impossible de vérifier que c’est votre CPS.`,
      `A card is in "${slot.reader}", but another program holds it: it cannot be checked that it is your CPS.`,
    ), evidence, {
      subject: slot.reader,
      remedy: tx('Libérez la carte (voir « Carte libre pour le navigateur »), puis cliquez sur « Vérifier à nouveau ».', 'Free the card (see "Card free for the browser"), then click "Check again".'),
    });
  }
  const label = slot.identification?.label.fr ?? 'CPS';
  return check('card.cps-slot', 'ok', SLOT, tx(`${label} insérée dans « ${slot.reader} ».`, `${slot.identification?.label.en ?? 'CPS'} inserted in "${slot.reader}".`), evidence, { subject: slot.reader });
}

/** What the browser probes may know of the card: type, reader, ATR, certificate serial (no name). */
export function cardContext(facts: readonly SlotFacts[], demo: boolean): CardContext {
  const slot = chooseCpsSlot(facts);
  const identity = slot?.cps?.identity;
  return {
    demo,
    present: !!slot && isCps(slot),
    ...(slot ? { reader: slot.reader, ...(atrType(slot) ? { type: atrType(slot) } : {}) } : {}),
    ...(slot?.snapshot.atr ? { atr: slot.snapshot.atr.toUpperCase() } : {}),
    ...(identity ? { certificateSerial: identity.certificateSerial } : {}),
  };
}
