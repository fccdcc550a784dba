/** Main-process values → the contract's plain views (no Uint8Array, no Date, no secrets). */
import { toHex } from '../../src-shared/hex';
import type { ReaderSnapshot } from '../../src-shared/reader-port';
import type { CardSummary, IdentitySummary, PinCounter, ReaderView } from '../../src-shared/ipc-contract';
import type { CardIdentification } from '../card/identify';
import type { CpsIdentity } from '../card/cps/index';
import type { PinStatus } from '../card/cps/pin-safety';
import { parseSlotName } from '../diagnostics/reader-facts';

const CPS_TYPES = new Set(['cps3', 'cps3-contactless', 'cps4']);
const VITALE_TYPES = new Set(['vitale1', 'vitale2']);

export function cardSummary(identification: Pick<CardIdentification, 'type' | 'label'> & { confirmed?: boolean }): CardSummary {
  return {
    type: identification.type,
    label: { fr: identification.label.fr, en: identification.label.en },
    confirmed: identification.confirmed ?? false,
    isCps: CPS_TYPES.has(identification.type),
    isVitale: VITALE_TYPES.has(identification.type),
  };
}

/**
 * Slot role by position: on a dual-slot (bi-fente) reader slot 0 takes the CPS, slot 1 the
 * Vitale card (domain.md). A single-slot reader is a CPS slot.
 */
export function slotRoleOf(name: string, all: readonly string[]): ReaderView['slotRole'] {
  const slot = parseSlotName(name);
  const siblings = all.filter((n) => parseSlotName(n).base === slot.base);
  if (siblings.length <= 1) return 'cps';
  if (slot.slotIndex === 0) return 'cps';
  if (slot.slotIndex === 1) return 'vitale';
  return 'unknown';
}

export function readerView(snapshot: ReaderSnapshot, all: readonly string[], card: CardSummary | undefined): ReaderView {
  const slotRole = slotRoleOf(snapshot.name, all);
  return {
    name: snapshot.name,
    slotRole,
    cardPresent: snapshot.cardPresent,
    inUse: snapshot.inUse === true,
    mute: snapshot.mute === true,
    ...(snapshot.atr ? { atr: toHex(snapshot.atr) } : {}),
    ...(card && snapshot.cardPresent ? { card } : {}),
    isVitaleInCpsSlot: snapshot.cardPresent && slotRole === 'cps' && card?.isVitale === true,
  };
}

export function pinCounter(status: PinStatus): PinCounter {
  return { triesLeft: status.triesLeft, maxTries: status.maxTries, blocked: status.blocked };
}

export function identitySummary(identity: CpsIdentity): IdentitySummary {
  return {
    surname: identity.surname ?? '',
    givenName: identity.givenName ?? '',
    profession: identity.profession ?? '',
    idNat: identity.idNat,
    ...(identity.rpps ? { rpps: identity.rpps } : {}),
    generation: String(identity.generation),
    ...(identity.serialNumber ? { serialNumber: identity.serialNumber } : {}),
    notAfter: identity.notAfter.toISOString(),
    status: String(identity.status),
    ...(typeof identity.expiresInDays === 'number' ? { expiresInDays: identity.expiresInDays } : {}),
  };
}
