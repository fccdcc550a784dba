/**
 * What the readers and the cards in them say, gathered once so every check reads the same
 * facts (and the card is questioned once): snapshot, connection (protocol), identification
 * (ATR then the card's own answers), and for a CPS its identity, authentication certificate,
 * chain and PIN/PUK counters — read WITHOUT spending a try (CPS3 GET DATA, CPS4 VERIFY with
 * no data: domain.md §3). Every APDU goes to the trace, which redacts PIN-carrying commands.
 */
import { isEcpsError } from '../../src-shared/errors';
import { toHex } from '../../src-shared/hex';
import type { ReaderPort, ReaderSnapshot, TransportProtocol } from '../../src-shared/reader-port';
import { CardChannel } from '../card/channel';
import { identifyCard, type CardIdentification } from '../card/identify';
import { openCardApplication, verifyCertificateChain, type ChainVerdict, type CpsIdentity, type PinStatus } from '../card/cps/index';
import type { ApduTrace } from '../reader/apdu-trace';
import type { ReaderKnowledge } from './knowledge';
import type { ReaderEntry, SlotRole } from './knowledge-schema';

export interface SlotName {
  /** `Virtual PCD` of `Virtual PCD 00 01`. */
  base: string;
  /** pcsc-lite reader index (`00`), when the name has one. */
  readerIndex?: number;
  slotIndex: number;
}

/** pcsc-lite names readers `<name> XX YY` (XX reader, YY slot); others may end with a bare number [I]. */
export function parseSlotName(name: string): SlotName {
  const pcscLite = /^(.*\S)\s+([0-9A-Fa-f]{2})\s+([0-9A-Fa-f]{2})$/.exec(name);
  if (pcscLite) return { base: pcscLite[1]!, readerIndex: parseInt(pcscLite[2]!, 16), slotIndex: parseInt(pcscLite[3]!, 16) };
  const trailing = /^(.*\S)\s+(\d)$/.exec(name);
  if (trailing) return { base: trailing[1]!, slotIndex: Number(trailing[2]) };
  return { base: name, slotIndex: 0 };
}

export interface ErrorFact {
  code: string;
  message: { fr: string; en: string };
  remedy?: { fr: string; en: string };
}

export function errorFact(error: unknown): ErrorFact {
  if (isEcpsError(error)) return { code: error.code, message: error.messages, ...(error.remedy ? { remedy: error.remedy } : {}) };
  const text = error instanceof Error ? error.message : String(error);
  return { code: 'UnexpectedError', message: { fr: text, en: text } };
}

export interface CpsFacts {
  identity?: CpsIdentity;
  identityError?: ErrorFact;
  chain?: ChainVerdict;
  chainError?: ErrorFact;
  pin?: PinStatus;
  puk?: PinStatus;
  pinError?: ErrorFact;
}

export interface SlotFacts {
  reader: string;
  slot: SlotName;
  /** Slots of the same physical reader (same base name and reader index). */
  siblings: number;
  model?: ReaderEntry;
  /** Expected card on a dual-slot reader (configurable convention). */
  expectedRole?: SlotRole;
  snapshot: { cardPresent: boolean; inUse: boolean; mute: boolean; atr?: string };
  connected?: { protocol: TransportProtocol; atr: string };
  connectError?: ErrorFact;
  identification?: CardIdentification;
  identifyError?: ErrorFact;
  cps?: CpsFacts;
}

export interface TrustSet {
  anchors: readonly Uint8Array[];
  intermediates: readonly Uint8Array[];
}

export interface GatherOptions {
  knowledge: ReaderKnowledge;
  /** Overrides the knowledge base's slot convention. */
  slotRoles?: readonly SlotRole[];
  /** Only question the cards of readers whose name contains this (case-insensitive). */
  reader?: string;
  trace?: ApduTrace;
  trust?: TrustSet;
  now?: () => Date;
  connectTimeoutMs?: number;
}

function snapshotOf(r: ReaderSnapshot): SlotFacts['snapshot'] {
  return { cardPresent: r.cardPresent, inUse: r.inUse === true, mute: r.mute === true, ...(r.atr && r.atr.length > 0 ? { atr: toHex(r.atr, '') } : {}) };
}

export async function gatherReaderFacts(port: ReaderPort, options: GatherOptions): Promise<SlotFacts[]> {
  const readers = port.readers();
  const names = readers.map((r) => ({ r, slot: parseSlotName(r.name) }));
  const groupKey = (s: SlotName) => `${s.base}\u0000${s.readerIndex ?? ''}`;
  const facts: SlotFacts[] = [];
  for (const { r, slot } of names) {
    const siblings = names.filter((n) => groupKey(n.slot) === groupKey(slot)).length;
    const model = options.knowledge.byName(r.name);
    const roles = options.slotRoles ?? options.knowledge.slotRoles(model);
    // A role is expected only when the reader really shows several slots.
    const expectedRole = siblings >= 2 ? roles[slot.slotIndex] : undefined;
    const fact: SlotFacts = {
      reader: r.name,
      slot,
      siblings,
      ...(model ? { model } : {}),
      ...(expectedRole ? { expectedRole } : {}),
      snapshot: snapshotOf(r),
    };
    const wanted = options.reader === undefined || r.name.toLowerCase().includes(options.reader.toLowerCase());
    if (r.cardPresent && wanted) await questionCard(port, fact, options);
    facts.push(fact);
  }
  return facts;
}

async function questionCard(port: ReaderPort, fact: SlotFacts, options: GatherOptions): Promise<void> {
  let connection;
  try {
    connection = await port.connect(fact.reader, { share: 'shared', ...(options.connectTimeoutMs ? { timeoutMs: options.connectTimeoutMs } : {}) });
  } catch (error) {
    fact.connectError = errorFact(error);
    return;
  }
  try {
    fact.connected = { protocol: connection.protocol, atr: toHex(connection.atr, '') };
    const channel = new CardChannel(connection, options.trace ? { onExchange: options.trace.record } : {});
    let identification: CardIdentification;
    try {
      identification = await identifyCard(connection.atr, channel);
    } catch (error) {
      fact.identifyError = errorFact(error);
      return;
    }
    fact.identification = identification;
    const now = options.now ?? (() => new Date());
    const app = openCardApplication(identification, channel, { now });
    if (app.kind !== 'cps') return;
    const cps: CpsFacts = {};
    fact.cps = cps;
    await app.readIdentity().then(
      (identity) => (cps.identity = identity),
      (error: unknown) => (cps.identityError = errorFact(error)),
    );
    if (cps.identity && options.trust) {
      try {
        const der = await app.readAuthenticationCertificate();
        cps.chain = verifyCertificateChain(der, { trustAnchors: options.trust.anchors, intermediates: options.trust.intermediates, now: now() });
      } catch (error) {
        cps.chainError = errorFact(error);
      }
    }
    try {
      cps.pin = await app.pinStatus();
      if (cps.pin.blocked) cps.puk = await app.pukStatus().catch(() => undefined);
    } catch (error) {
      cps.pinError = errorFact(error);
    }
  } finally {
    await connection.disconnect().catch(() => undefined);
  }
}

export function isCps(fact: SlotFacts): boolean {
  const type = fact.identification?.type;
  return type === 'cps3' || type === 'cps3-contactless' || type === 'cps4';
}

export function isVitale(fact: SlotFacts): boolean {
  const type = fact.identification?.type;
  return type === 'vitale1' || type === 'vitale2';
}

