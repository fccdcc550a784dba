/**
 * The virtual cards on offer, by kind, with their descriptions for `ecps simulate` and the
 * demo reader: a CPS3 in the CPS slot and a Vitale 2 in the other, as on a pharmacy's
 * dual-slot reader.
 */
import type { LocalizedText } from '../../src-shared/errors';
import { toHex } from '../../src-shared/hex';
import { BANK_CARD_ATR, createBankCard } from './bank-card';
import { createCpsCard, withSandboxCredentials, type CpsCardOptions } from './cps-catalog';
import { CPS3_ATR, DEFAULT_CPS3_SERIAL } from './cps3';
import { CPS4_ATR } from './cps4';
import { applyFaults, type FaultSpec } from './faults';
import { createForeignCard, FOREIGN_CARD_ATR } from './foreign-card';
import { InProcessReader, type InProcessReaderOptions } from './in-process-reader';
import { simulatorErrors } from './simulator-errors';
import type { VirtualCard } from './virtual-card';
import { createVitale2, VITALE2_ATR } from './vitale2';

export const VIRTUAL_CARD_KINDS = ['cps3', 'cps4', 'vitale2', 'bank', 'foreign'] as const;
export type VirtualCardKind = (typeof VIRTUAL_CARD_KINDS)[number];

export interface VirtualCardOptions extends Omit<CpsCardOptions, 'label' | 'serialNumber'> {
  /** Overrides the card's label. */
  label?: string;
  /** CPS3/CPS4 only: the 8-digit serial number (default 00012345). */
  serialNumber?: string;
  /** Faults to wrap the card in (parsed with parseFaultSpec when given as text). */
  faults?: ReadonlyArray<FaultSpec | string>;
}

export interface VirtualCardDescription {
  label: LocalizedText;
  description: LocalizedText;
  /** The ATR in hex, for listings. */
  atr: string;
}

export const VIRTUAL_CARD_DESCRIPTIONS: Readonly<Record<VirtualCardKind, VirtualCardDescription>> = {
  cps3: {
    label: { fr: 'CPS3 (contact)', en: 'CPS3 (contact)' },
    description: {
      fr: `Carte de professionnel de santé CPS3, application CPX IAS, protocole T=0 ; n° de série ${DEFAULT_CPS3_SERIAL} par défaut.`,
      en: `CPS3 health professional card, CPX IAS application, T=0 protocol; serial ${DEFAULT_CPS3_SERIAL} by default.`,
    },
    atr: toHex(CPS3_ATR),
  },
  cps4: {
    label: { fr: 'CPS4 (contact)', en: 'CPS4 (contact)' },
    description: {
      fr: 'Carte de professionnel de santé CPS4 (puce NXP, application ChipDoc sur le canal logique 1), protocoles T=0 et T=1.',
      en: 'CPS4 health professional card (NXP chip, ChipDoc application on logical channel 1), T=0 and T=1 protocols.',
    },
    atr: toHex(CPS4_ATR),
  },
  vitale2: {
    label: { fr: 'Carte Vitale 2', en: 'Vitale 2 card' },
    description: {
      fr: 'Carte d’assuré social Vitale 2 : la « mauvaise carte » typique dans la fente CPS.',
      en: 'Vitale 2 health insurance card: the typical "wrong card" in the CPS slot.',
    },
    atr: toHex(VITALE2_ATR),
  },
  bank: {
    label: { fr: 'Carte bancaire CB', en: 'French bank card (CB)' },
    description: {
      fr: 'Carte bancaire française (convention inverse, EMV minimal).',
      en: 'French bank card (inverse convention, minimal EMV).',
    },
    atr: toHex(BANK_CARD_ATR),
  },
  foreign: {
    label: { fr: 'Carte étrangère', en: 'Foreign card' },
    description: {
      fr: 'Carte de santé allemande (eGK), protocole T=1 : inconnue des applications françaises.',
      en: 'German health card (eGK), T=1 protocol: unknown to French applications.',
    },
    atr: toHex(FOREIGN_CARD_ATR),
  },
};

export function isVirtualCardKind(text: string): text is VirtualCardKind {
  return (VIRTUAL_CARD_KINDS as readonly string[]).includes(text);
}

/** Parses a kind as typed on the command line (case-insensitive). */
export function parseVirtualCardKind(text: string): VirtualCardKind {
  const kind = text.trim().toLowerCase();
  if (isVirtualCardKind(kind)) return kind;
  throw simulatorErrors.create('UnknownCardKind', { details: { kind: text, known: VIRTUAL_CARD_KINDS.join(', ') } });
}

export function createVirtualCard(kind: VirtualCardKind, options: VirtualCardOptions = {}): VirtualCard {
  const label = options.label === undefined ? {} : { label: options.label };
  let card: VirtualCard;
  switch (kind) {
    case 'cps3':
    case 'cps4': {
      const { faults: _faults, ...cpsOptions } = options;
      card = createCpsCard(kind, cpsOptions);
      break;
    }
    case 'vitale2':
      card = createVitale2(label);
      break;
    case 'bank':
      card = createBankCard(label);
      break;
    case 'foreign':
      card = createForeignCard(label);
      break;
    default:
      throw simulatorErrors.create('UnknownCardKind', { details: { kind: String(kind) } });
  }
  return options.faults && options.faults.length > 0 ? applyFaults(card, options.faults) : card;
}

/**
 * As createVirtualCard, but a CPS without `credentials` gets certificates from the sandbox PKI
 * (holder, validity per `variant`): the card a reader can fully use (identity, authentication,
 * signature). Asynchronous because the PKI signs the certificates.
 */
export async function createVirtualCardWithCredentials(
  kind: VirtualCardKind,
  options: VirtualCardOptions = {},
): Promise<VirtualCard> {
  if (kind !== 'cps3' && kind !== 'cps4') return createVirtualCard(kind, options);
  return createVirtualCard(kind, { ...options, ...(await withSandboxCredentials(options)) });
}

export interface DemoReaderOptions extends InProcessReaderOptions {
  /** What goes in slot 0 (CPS) and slot 1 (Vitale); `null` leaves a slot empty. */
  cps?: VirtualCard | null;
  vitale?: VirtualCard | null;
}

/** The demo reader: CPS3 in "… 00 00", Vitale 2 in "… 00 01", unless told otherwise. */
export function createDemoReader(options: DemoReaderOptions = {}): InProcessReader {
  const { cps, vitale, ...readerOptions } = options;
  const reader = new InProcessReader(readerOptions);
  const first = cps === undefined ? createVirtualCard('cps3') : cps;
  const second = vitale === undefined ? createVirtualCard('vitale2') : vitale;
  if (first) reader.insert(0, first);
  if (second && reader.slotNames.length > 1) reader.insert(1, second);
  return reader;
}
