/**
 * A CPS card (CPS3 or CPS4) at the level of what a pharmacist or a technician asks: who is
 * this card for, how many PIN tries are left, check/change/unblock the PIN, prove the card
 * holds its keys. Built over a CardChannel once identification (identify.ts) said "CPS".
 *
 * - Identity comes from the authentication certificate found through PKCS#15 (pkcs15.ts),
 *   never from hard-coded paths; the card serial from EF.SN.ICC (already read by identify).
 * - Every PIN command goes through pin-safety.ts.
 * - Card operations run one at a time (SerialQueue): a SELECT/READ or MSE/PSO pair must not
 *   interleave with another operation on the same card.
 */
import { isEcpsError } from '../../../src-shared/errors';
import { formatStatusWord, type CommandApdu, type ResponseApdu } from '../apdu';
import type { CardChannel } from '../channel';
import { CPX_AID_CONTACT, CPX_AID_CONTACTLESS, serialFromEfSnIcc, type CardIdentification } from '../identify';
import { identityFromCertificate, type HolderIdentity } from './certificate';
import {
  CPS_MAX_TRIES,
  CPS_PIN_REFERENCES,
  changeCommand,
  cps3CounterQuery,
  cps4CounterQuery,
  parseCps3Counter,
  parseCps4Counter,
  unblockCommand,
  verifyCommand,
  type CpsGeneration,
} from './cps-commands';
import { authenticateWithCard, signWithCard, type CardSignature } from './cps-crypto';
import { cpsError, type SecretKind } from './errors';
import { CPS_PIN_FORMATS, checkPinFormat, pinFormatFromAodf, runPinOperation, type PinFormat, type PinInput, type PinStatus } from './pin-safety';
import { Pkcs15Reader } from './pkcs15';
import { findCertificateOf, findKey, type PinObject, type PrivateKeyObject } from './pkcs15-objects';
import { SerialQueue } from '../../../src-shared/serial-queue';

export interface CpsIdentity extends HolderIdentity {
  generation: CpsGeneration;
  /** Card serial number (EF.SN.ICC without the ANS issuer prefix). */
  serialNumber?: string;
}

export interface PinCallOptions {
  /** Required when one try is left: the user confirmed this last attempt. */
  confirmLastTry?: boolean;
}

export interface CpsCardOptions {
  /** Clock for validity statuses (tests). */
  now?: () => Date;
}

const EF_SN_ICC = [0x3f00, 0xd003];
/** CPS4 ChipDoc application, selected on logical channel 1 (Cryptolib card-cps4.c). */
export const CHIPDOC_AID = Uint8Array.of(0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x01, 0x00);

export class CpsCard {
  readonly kind = 'cps' as const;
  readonly generation: CpsGeneration;
  readonly pkcs15: Pkcs15Reader;
  private readonly queue = new SerialQueue();
  private serial: string | undefined;
  private pinObjects: Promise<{ pin?: PinObject; puk?: PinObject }> | undefined;
  private knownFormats: Record<SecretKind, PinFormat> | undefined;
  /** Where PIN and key commands go: the basic channel on a CPS3, ChipDoc's channel on a CPS4. */
  private readonly securityChannel: CardChannel;
  private chipDocSelected = false;
  /** CPS3: our last SELECT left the MF current, so GET DATA needs no SELECT first. */
  private masterFileCurrent = false;

  constructor(
    readonly channel: CardChannel,
    readonly identification: CardIdentification,
    private readonly options: CpsCardOptions = {},
  ) {
    if (identification.type !== 'cps3' && identification.type !== 'cps3-contactless' && identification.type !== 'cps4') {
      throw cpsError('NotACps', { details: { type: identification.type } });
    }
    this.generation = identification.type === 'cps4' ? 'cps4' : 'cps3';
    this.serial = identification.serialNumber;
    const aid = identification.type === 'cps3-contactless' ? CPX_AID_CONTACTLESS : CPX_AID_CONTACT;
    this.pkcs15 = new Pkcs15Reader(channel, {
      aid,
      applicationConfirmed: identification.confirmed,
      onSelect: () => (this.masterFileCurrent = false),
    });
    // CPS4: PIN and keys live in the ChipDoc application, on logical channel 1 (Cryptolib card-cps4.c).
    this.securityChannel = this.generation === 'cps4' ? channel.withCla(0x01) : channel;
  }

  /** Holder, national id, profession, validity — from the authentication certificate. */
  readIdentity(): Promise<CpsIdentity> {
    return this.queue.run(async () => {
      const certificate = await this.certificateOf('authentication');
      const identity = identityFromCertificate(certificate.der, this.now());
      const serialNumber = await this.serialNumber();
      return { ...identity, generation: this.generation, ...(serialNumber !== undefined ? { serialNumber } : {}) };
    });
  }

  readAuthenticationCertificate(): Promise<Uint8Array> {
    return this.queue.run(async () => (await this.certificateOf('authentication')).der);
  }

  readSignatureCertificate(): Promise<Uint8Array> {
    return this.queue.run(async () => (await this.certificateOf('signature')).der);
  }

  /** PIN tries left, without spending one. */
  pinStatus(): Promise<PinStatus> {
    return this.queue.run(() => this.readCounter('pin'));
  }

  /** PUK tries (and uses) left, without spending one. */
  pukStatus(): Promise<PinStatus> {
    return this.queue.run(() => this.readCounter('puk'));
  }

  verifyPin(pin: PinInput, options: PinCallOptions = {}): Promise<PinStatus> {
    return this.pinCall([{ kind: 'pin', input: pin }], async (formats) => {
      const reference = await this.reference('pin');
      const result = await runPinOperation(this.pinCard(), {
        name: 'verify',
        checked: 'pin',
        secrets: [{ kind: 'pin', input: pin, format: formats.pin }],
        command: ([block]) => verifyCommand(reference, block!, this.securityChannel.cla),
        ...options,
      });
      return result.status;
    });
  }

  changePin(oldPin: PinInput, newPin: PinInput, options: PinCallOptions = {}): Promise<PinStatus> {
    const secrets = [{ kind: 'pin', input: oldPin }, { kind: 'pin', input: newPin }] as const;
    return this.pinCall(secrets, async (formats) => {
      const reference = await this.reference('pin');
      const result = await runPinOperation(this.pinCard(), {
        name: 'change',
        checked: 'pin',
        secrets: [
          { kind: 'pin', input: oldPin, format: formats.pin },
          { kind: 'pin', input: newPin, format: formats.pin },
        ],
        command: ([before, after]) => changeCommand(reference, before!, after!, this.securityChannel.cla),
        ...options,
      });
      return result.status;
    });
  }

  /** PUK + new PIN in one RESET RETRY COUNTER; answers the PIN's counter afterwards. */
  unblockPin(puk: PinInput, newPin: PinInput, options: PinCallOptions = {}): Promise<PinStatus> {
    const secrets = [{ kind: 'puk', input: puk }, { kind: 'pin', input: newPin }] as const;
    return this.pinCall(secrets, async (formats) => {
      const pinReference = await this.reference('pin');
      await runPinOperation(this.pinCard(), {
        name: 'unblock',
        checked: 'puk',
        secrets: [
          { kind: 'puk', input: puk, format: formats.puk },
          { kind: 'pin', input: newPin, format: formats.pin },
        ],
        command: ([pukBlock, pinBlock]) => unblockCommand(pinReference, pukBlock!, pinBlock!, this.securityChannel.cla),
        ...options,
      });
      // The unblock succeeded: a failure to read the new counter must not look like a failed
      // unblock. RESET RETRY COUNTER sets the PIN counter to its maximum (ISO 7816-4 §11.5.10).
      return this.readCounter('pin').catch(() => ({ triesLeft: CPS_MAX_TRIES.pin, maxTries: CPS_MAX_TRIES.pin, blocked: false }));
    });
  }

  /** Signs SHA-256(challenge) with the authentication key (see cps-crypto.ts). */
  authenticate(challenge: Uint8Array): Promise<CardSignature> {
    return this.queue.run(async () => {
      const { key, der } = await this.certificateOf('authentication');
      await this.prepareKeyCommands();
      return authenticateWithCard(this.securityChannel, this.generation, key, der, challenge);
    });
  }

  /** Signs `data` with the non-repudiation key; the PIN must have been verified. */
  sign(data: Uint8Array): Promise<CardSignature> {
    return this.queue.run(async () => {
      const { key, der } = await this.certificateOf('signature');
      await this.prepareKeyCommands();
      return signWithCard(this.securityChannel, this.generation, key, der, data);
    });
  }

  // ---- internals -------------------------------------------------------------------------

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async certificateOf(role: 'authentication' | 'signature'): Promise<{ key: PrivateKeyObject; der: Uint8Array }> {
    const key = findKey(await this.pkcs15.privateKeys(), role);
    if (!key) throw cpsError('CpsObjectMissing', { params: { what: `${role} key` }, details: { what: `${role} key` } });
    const certificate = findCertificateOf(await this.pkcs15.certificates(), key);
    if (!certificate) throw cpsError('CpsObjectMissing', { params: { what: `${role} certificate` }, details: { what: `${role} certificate` } });
    return { key, der: await this.pkcs15.readCertificate(certificate.path) };
  }

  private async serialNumber(): Promise<string | undefined> {
    if (this.serial !== undefined) return this.serial;
    const selected = await this.channel.selectByPath(EF_SN_ICC);
    this.pkcs15.forgetSelection();
    this.masterFileCurrent = selected.sw === 0x9000; // EF.SN.ICC's DF is the MF
    if (selected.sw !== 0x9000) return undefined;
    this.serial = serialFromEfSnIcc(await this.channel.readBinary(0, 12));
    return this.serial;
  }

  /** PIN and PUK objects of the AODF (cached); none when the card has no readable AODF. */
  private pins(): Promise<{ pin?: PinObject; puk?: PinObject }> {
    this.pinObjects ??= this.pkcs15.pins().then(
      (all) => {
        const puk = all.find((p) => p.flags.includes('unblockingPin')) ?? all.find((p) => p.pinReference === CPS_PIN_REFERENCES.puk);
        const pin = all.find((p) => p !== puk && !p.flags.includes('soPin') && !p.flags.includes('unblockingPin'));
        return { ...(pin ? { pin } : {}), ...(puk ? { puk } : {}) };
      },
      (error: unknown) => {
        // The card's own answer (no AODF, unreadable, malformed) is final: the profile applies.
        // A transport failure is not: the next call reads again.
        if (isEcpsError(error) && ['CpsFileUnreadable', 'CpsDataMalformed', 'CpsApplicationMissing'].includes(error.code)) return {};
        this.pinObjects = undefined;
        throw error;
      },
    );
    return this.pinObjects;
  }

  /**
   * The code's reference: the AODF's when read (every PIN command reads it first), else the
   * CPS profile's (PIN 1, PUK 2, domain.md §3) — so `pinStatus()` costs no AODF read.
   */
  private async reference(kind: SecretKind, from: 'aodf' | 'known' = 'aodf'): Promise<number> {
    if (from === 'known' && !this.pinObjects) return CPS_PIN_REFERENCES[kind];
    return (await this.pins())[kind]?.pinReference ?? CPS_PIN_REFERENCES[kind];
  }

  private async formats(): Promise<Record<SecretKind, PinFormat>> {
    const { pin, puk } = await this.pins();
    return { pin: pinFormatFromAodf(pin, CPS_PIN_FORMATS.pin), puk: pinFormatFromAodf(puk, CPS_PIN_FORMATS.puk) };
  }

  /**
   * The frame of every PIN call: each code is checked before any APDU — even the AODF read —
   * against the formats known so far (the AODF's once read, the CPS profile before: PIN 4
   * digits, PUK 8), then against the card's own (AODF) in runPinOperation. Uint8Array
   * inputs are zeroed whatever happens.
   */
  private pinCall(
    secrets: ReadonlyArray<{ kind: SecretKind; input: PinInput }>,
    body: (formats: Record<SecretKind, PinFormat>) => Promise<PinStatus>,
  ): Promise<PinStatus> {
    return this.queue.run(async () => {
      try {
        for (const s of secrets) checkPinFormat(s.kind, s.input, (this.knownFormats ?? CPS_PIN_FORMATS)[s.kind]);
        this.knownFormats = await this.formats();
        return await body(this.knownFormats);
      } finally {
        for (const s of secrets) if (s.input instanceof Uint8Array) s.input.fill(0);
      }
    });
  }

  private async readCounter(kind: SecretKind): Promise<PinStatus> {
    const reference = await this.reference(kind, 'known');
    if (this.generation === 'cps4') {
      await this.selectChipDoc();
      const query = cps4CounterQuery(reference, this.securityChannel.cla);
      let r = await this.securityChannel.transmit(query);
      if (r.sw === 0x6985) {
        // ChipDoc lost (another application selected it away): re-select, as the Cryptolib
        // does (release note 1722). An empty VERIFY spends no try, so asking again is safe.
        await this.selectChipDoc(true);
        r = await this.securityChannel.transmit(query);
      }
      return parseCps4Counter(r, CPS_MAX_TRIES[kind]);
    }
    // CPS3: the CHV objects are read with the MF current (OpenSC commit fcd2e665f); elsewhere
    // the card answers 6A88. GET DATA is read-only, so after a 6A88 it is safe to select and ask again.
    const query = cps3CounterQuery(reference, this.channel.cla);
    if (this.masterFileCurrent) {
      const r = await this.channel.transmit(query);
      if (r.sw !== 0x6a88) return parseCps3Counter(r, CPS_MAX_TRIES[kind]);
    }
    this.masterFileCurrent = false;
    const mf = await this.channel.selectByFid(0x3f00);
    this.pkcs15.forgetSelection();
    if (mf.sw !== 0x9000) throw cpsError('PinCommandRefused', { params: { sw: formatStatusWord(mf.sw) }, details: { operation: 'select MF', sw: formatStatusWord(mf.sw) } });
    this.masterFileCurrent = true;
    return parseCps3Counter(await this.channel.transmit(query), CPS_MAX_TRIES[kind]);
  }

  /** CPS3: key SDOs live in the application DF; CPS4: keys are ChipDoc's. */
  private async prepareKeyCommands(): Promise<void> {
    if (this.generation === 'cps4') await this.selectChipDoc();
    else await this.pkcs15.selectApplication();
  }

  private async selectChipDoc(force = false): Promise<void> {
    if (this.chipDocSelected && !force) return;
    const r = await this.securityChannel.selectByAid(CHIPDOC_AID);
    if (r.sw !== 0x9000) throw cpsError('CpsApplicationMissing', { details: { application: 'ChipDoc', sw: formatStatusWord(r.sw) } });
    this.chipDocSelected = true;
  }

  private pinCard() {
    return {
      readCounter: (kind: SecretKind) => this.readCounter(kind),
      transmit: (command: CommandApdu): Promise<ResponseApdu> => this.securityChannel.transmit(command),
    };
  }
}
