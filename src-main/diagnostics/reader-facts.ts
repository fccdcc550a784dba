/**
 * What the readers and the cards in them say, gathered once so every check reads the same
 * facts (and the card is questioned once): snapshot, connection (protocol), identification
 * (ATR then the card's own answers), and for a CPS its identity, authentication certificate,
 * chain and PIN/PUK counters — read WITHOUT spending a try (CPS3 GET DATA, CPS4 VERIFY with
 * no data: domain.md §3). Every APDU goes to the trace, which redacts PIN-carrying commands.
 */
import { isEcpsError } from '../../src-shared/errors';
import { toHex } from '../../src-shared/hex';
import type { CardConnection, ReaderPort, ReaderSnapshot, TransportProtocol } from '../../src-shared/reader-port';
import { CardChannel, type CardChannelOptions } from '../card/channel';
import { identifyCard, type CardIdentification } from '../card/identify';
import { openCardApplication, verifyCertificateChain, type ChainVerdict, type CpsIdentity, type PinStatus } from '../card/cps/index';
import type { ApduTrace } from '../reader/apdu-trace';
import { openWithFallback, type FallbackAttempt } from '../reader/fallback-ladder';
import type { ProbeFailure, ReaderStrategy } from '../reader/fallback-strategy';
import { ReaderMemory, type ReaderMemoryEntry } from '../reader/reader-memory';
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
  /** What the fallback ladder did on this slot (when asked: GatherOptions.fallback). */
  fallback?: SlotFallback;
}

/** The fallback ladder's outcome on one slot (src-main/reader/fallback-ladder.ts). */
export interface SlotFallback {
  ok: boolean;
  attempts: FallbackAttempt[];
  /** The strategy that worked (ok), or the last one tried. */
  strategy: ReaderStrategy;
  /** The first attempt used the strategy remembered from a previous run. */
  fromMemory: boolean;
  /** This run stored a (new) strategy for the reader. */
  remembered: boolean;
  rungs: string[];
  failure?: ProbeFailure;
  /** The card checks that followed used the ladder's connection (its strategy). */
  usedForChecks: boolean;
  /** The memory file could not be read or written (the ladder ran without it). */
  memoryError?: string;
}

export interface FallbackGatherOptions {
  /** Per-reader memory of what worked; absent: nothing remembered, nothing stored. */
  memory?: ReaderMemory;
  /** The user agreed to lock other applications out of the reader (`--allow-exclusive`). */
  allowExclusive?: boolean;
  timeoutsMs?: readonly number[];
  maxAttempts?: number;
  backoffMs?: number;
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
  /** Run the fallback ladder (read-only probe) on each slot with a card before the card checks. */
  fallback?: FallbackGatherOptions;
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
    if (r.cardPresent && wanted) {
      const opened = options.fallback ? await climbLadder(port, fact, options.fallback, options.trace) : undefined;
      await questionCard(port, fact, options, opened);
    }
    facts.push(fact);
  }
  return facts;
}

/**
 * A ReaderMemory that never stops a diagnosis: a memory file that cannot be read counts as
 * empty, one that cannot be written is reported (SlotFallback.memoryError), the ladder goes on.
 */
class TolerantMemory extends ReaderMemory {
  error: string | undefined;
  constructor(private readonly inner: ReaderMemory) {
    super({ directory: '.' });
  }
  override async get(reader: string): Promise<ReaderMemoryEntry | undefined> {
    try {
      return await this.inner.get(reader);
    } catch (error) {
      this.error = `read ${this.inner.file}: ${String(error)}`;
      return undefined;
    }
  }
  override async remember(reader: string, strategy: ReaderStrategy, info: { rungs?: string[]; atr?: string } = {}): Promise<ReaderMemoryEntry> {
    try {
      return await this.inner.remember(reader, strategy, info);
    } catch (error) {
      this.error = `write ${this.inner.file}: ${String(error)}`;
      return { strategy, rememberedAt: new Date().toISOString(), rungs: info.rungs ?? [] };
    }
  }
  override list(): ReturnType<ReaderMemory['list']> {
    return this.inner.list();
  }
  override forget(reader?: string): Promise<boolean> {
    return this.inner.forget(reader);
  }
}

type Opened = { connection: CardConnection; channelOptions: CardChannelOptions };

/** The fallback ladder on one slot; its open connection (when it succeeded) serves the card checks. */
async function climbLadder(port: ReaderPort, fact: SlotFacts, options: FallbackGatherOptions, trace: ApduTrace | undefined): Promise<Opened | undefined> {
  const memory = options.memory ? new TolerantMemory(options.memory) : undefined;
  const result = await openWithFallback(port, fact.reader, {
    ...(memory ? { memory } : {}),
    allowExclusive: options.allowExclusive === true,
    ...(options.timeoutsMs ? { timeoutsMs: options.timeoutsMs } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    ...(trace ? { onExchange: trace.record } : {}),
  });
  fact.fallback = result.ok
    ? { ok: true, attempts: result.attempts, strategy: result.strategy, fromMemory: result.fromMemory, remembered: result.remembered, rungs: result.rungs, usedForChecks: true }
    : { ok: false, attempts: result.attempts, strategy: result.strategy, fromMemory: result.attempts[0]?.rung === 'remembered', remembered: false, rungs: result.rungs, failure: result.failure, usedForChecks: false };
  if (memory?.error) fact.fallback.memoryError = memory.error;
  return result.ok ? { connection: result.connection, channelOptions: result.channelOptions } : undefined;
}

async function questionCard(port: ReaderPort, fact: SlotFacts, options: GatherOptions, opened?: Opened): Promise<void> {
  let connection: CardConnection;
  if (opened) {
    connection = opened.connection;
  } else {
    try {
      connection = await port.connect(fact.reader, { share: 'shared', ...(options.connectTimeoutMs ? { timeoutMs: options.connectTimeoutMs } : {}) });
    } catch (error) {
      fact.connectError = errorFact(error);
      return;
    }
  }
  try {
    fact.connected = { protocol: connection.protocol, atr: toHex(connection.atr, '') };
    const channelOptions: CardChannelOptions = { ...(opened?.channelOptions ?? {}), ...(options.trace ? { onExchange: options.trace.record } : {}) };
    const channel = new CardChannel(connection, channelOptions);
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

