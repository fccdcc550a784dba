/**
 * A virtual ISO/IEC 7816-4 card: parses command APDUs, checks the class byte (logical
 * channel, secure messaging, command chaining), runs the command on its file tree and hands
 * the answer back the way its transmission protocol requires (see response-delivery.ts).
 *
 * Cards are profiles of this engine (cps3.ts, vitale2.ts…). A profile adds instructions by
 * INS code (`commands`), which is how VERIFY, GET DATA, MSE and PSO will join the CPS3
 * without touching this file; the security state holds which PINs are verified.
 */
import { SW, parseCommandApdu, responseBytes, type CommandApdu } from './apdu';
import { type ElementaryFile, followPath, type AccessRule, type CardFile, type DedicatedFile } from './file-system';
import { builtinCommands } from './iso-commands';
import { deliverResponse, getResponse, type CardResponse, type CardTransport, type PendingResponse } from './response-delivery';
import type { CardReply, VirtualCard } from './virtual-card';

export type { CardResponse, CardTransport } from './response-delivery';

export interface SelectBehaviour {
  /** What SELECT with P2 = 00 returns: an FCI template (6F) or the FCP (62). */
  fciTemplate: 'fci' | 'fcp';
  /** SELECT by DF name with P2 = 04 answers the FCP; `false` refuses it with 6A86. */
  fcpOnSelectByName: boolean;
  /**
   * SELECT with P2 = 00 (FCI wanted) refused with 6A86, as IAS-ECC CPx cards do [C OpenSC
   * commits 1a3666364 (by AID) and 20f359ea0 (by FID), traces of a real CPx]; the DF names
   * listed are selected anyway and answer 9000 without data (a CPx's MF name, [C] OpenSC
   * issue #2223 trace). Absent: P2 = 00 answers per `fciTemplate`.
   */
  refuseFci?: { silentFor: readonly Uint8Array[] };
  /** FCPs carry the IAS-ECC compact security attributes (8C) [C card-iasecc.c `iasecc_process_fci`]. */
  securityAttributes?: boolean;
}

export interface IsoCardProfile {
  label: string;
  atr: Uint8Array;
  /** How response data comes back (fixed per card: our cards offer one protocol in their ATR). */
  transport: CardTransport;
  root: DedicatedFile;
  select?: Partial<SelectBehaviour>;
  /** Number of logical channels, basic channel included (ISO 7816-4 §5.1.1.2). Default 1. */
  logicalChannels?: number;
  /** Accepts extended-length APDUs; otherwise they get 6700. Default false. */
  extendedLength?: boolean;
  /** Accepts command chaining (CLA b5); otherwise 6884. Default false. */
  commandChaining?: boolean;
  /** Proprietary CLA bytes accepted as the basic channel (e.g. the CPS2ter volet's A0). */
  proprietaryClasses?: readonly number[];
  /** Extra or replacement instructions, by INS. */
  commands?: Readonly<Record<number, CommandHandler>>;
}

/** What one logical channel remembers. */
export interface ChannelState {
  currentDf: DedicatedFile;
  currentEf: ElementaryFile | undefined;
  pending: PendingResponse | undefined;
  chain: { ins: number; p1: number; p2: number; parts: Uint8Array[] } | undefined;
}

/** Which PINs are verified; reset by power-off/reset. The PIN commands (next issue) set it. */
export class SecurityState {
  private readonly verified = new Set<number>();

  markVerified(pinReference: number): void {
    this.verified.add(pinReference);
  }

  forget(pinReference?: number): void {
    if (pinReference === undefined) this.verified.clear();
    else this.verified.delete(pinReference);
  }

  isVerified(pinReference: number): boolean {
    return this.verified.has(pinReference);
  }

  /** The status word refusing an access, or undefined when access is granted. */
  check(rule: AccessRule): number | undefined {
    if (rule === 'always') return undefined;
    if (rule === 'never') return SW.COMMAND_NOT_ALLOWED;
    return this.isVerified(rule.pin) ? undefined : SW.SECURITY_NOT_SATISFIED;
  }
}

export interface CommandContext {
  readonly card: IsoCard;
  readonly channel: ChannelState;
  readonly channelNumber: number;
}

export type CommandHandler = (command: CommandApdu, context: CommandContext) => CardResponse;

const INS_GET_RESPONSE = 0xc0;

/** The class byte decoded (ISO 7816-4 §5.4.1); undefined for classes the card refuses. */
function decodeClass(cla: number, proprietary: readonly number[]) {
  if (cla === 0xff) return undefined;
  if (cla <= 0x1f) return { channel: cla & 0x03, secureMessaging: (cla & 0x0c) !== 0, chaining: (cla & 0x10) !== 0 };
  if (cla >= 0x40 && cla <= 0x7f) {
    return { channel: 4 + (cla & 0x0f), secureMessaging: (cla & 0x20) !== 0, chaining: (cla & 0x10) !== 0 };
  }
  if (proprietary.includes(cla)) return { channel: 0, secureMessaging: false, chaining: false };
  return undefined;
}

export class IsoCard implements VirtualCard {
  readonly label: string;
  readonly root: DedicatedFile;
  readonly transport: CardTransport;
  readonly security = new SecurityState();
  readonly selectBehaviour: SelectBehaviour;
  private readonly channels = new Map<number, ChannelState>();
  private readonly commands: Readonly<Record<number, CommandHandler>>;

  constructor(private readonly profile: IsoCardProfile) {
    this.label = profile.label;
    this.root = profile.root;
    this.transport = profile.transport;
    this.selectBehaviour = { fciTemplate: 'fci', fcpOnSelectByName: true, ...profile.select };
    this.commands = { ...builtinCommands, ...profile.commands };
    this.resetState();
  }

  atr(): Uint8Array {
    return this.profile.atr.slice();
  }

  // Power is not modelled beyond its effect: every power event resets volatile state, as a
  // real card's RAM is lost. A command before power-on is answered (vpcd and the in-process
  // reader both power the card on before the first APDU anyway).
  powerOn(): void {
    this.resetState();
  }

  powerOff(): void {
    this.resetState();
  }

  reset(): void {
    this.resetState();
  }

  get logicalChannels(): number {
    return this.profile.logicalChannels ?? 1;
  }

  /** Opens a logical channel (MANAGE CHANNEL or an implicit SELECT); the MF is current. */
  openChannel(channel?: number): number | undefined {
    const wanted = channel ?? [...Array(this.logicalChannels).keys()].find((n) => !this.channels.has(n));
    if (wanted === undefined || wanted >= this.logicalChannels) return undefined;
    if (!this.channels.has(wanted)) this.channels.set(wanted, this.freshChannel());
    return wanted;
  }

  closeChannel(channel: number): boolean {
    if (channel === 0 || !this.channels.has(channel)) return false;
    this.channels.delete(channel);
    return true;
  }

  isChannelOpen(channel: number): boolean {
    return this.channels.has(channel);
  }

  /** A file by its path from the MF, `3F00/0001/D003` (for tests and personalisation). */
  file(path: string): CardFile | undefined {
    const hex = path.replace(/\//g, '').replace(/^3F00/i, '');
    if (hex === '') return this.root;
    const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
    return followPath(this.root, bytes);
  }

  transmit(bytes: Uint8Array): CardReply {
    const command = parseCommandApdu(bytes);
    if (!command) return responseBytes(undefined, SW.WRONG_LENGTH);
    const cls = decodeClass(command.cla, this.profile.proprietaryClasses ?? []);
    if (!cls) return responseBytes(undefined, SW.CLA_NOT_SUPPORTED);
    if (cls.channel >= this.logicalChannels) return responseBytes(undefined, SW.CHANNEL_NOT_SUPPORTED);
    if (cls.secureMessaging) return responseBytes(undefined, SW.SM_NOT_SUPPORTED);
    if (command.extended && !this.profile.extendedLength) return responseBytes(undefined, SW.WRONG_LENGTH);

    let channel = this.channels.get(cls.channel);
    if (!channel) {
      // ISO 7816-4 §5.1.1.2: a SELECT on a closed channel opens it; anything else is refused.
      if (command.ins !== 0xa4) return responseBytes(undefined, SW.CHANNEL_NOT_SUPPORTED);
      this.openChannel(cls.channel);
      channel = this.channels.get(cls.channel)!;
    }

    if (command.ins === INS_GET_RESPONSE && !cls.chaining) return getResponse(channel, command, this.transport);
    // Any other command ends a pending response (T=0: the data is lost, as on a real card).
    channel.pending = undefined;

    const full = this.chain(channel, command, cls.chaining);
    if (full instanceof Uint8Array) return full;
    const handler = this.commands[command.ins];
    const result = handler
      ? handler(full, { card: this, channel, channelNumber: cls.channel })
      : { sw: SW.INS_NOT_SUPPORTED };
    return deliverResponse(channel, full, result, this.transport);
  }

  /** Command chaining (ISO 7816-4 §5.1.1.1): collects the parts; returns the whole command at the end. */
  private chain(channel: ChannelState, command: CommandApdu, chaining: boolean): CommandApdu | Uint8Array {
    const open = channel.chain;
    if (chaining) {
      if (!this.profile.commandChaining) return responseBytes(undefined, SW.CHAINING_NOT_SUPPORTED);
      if (open && open.ins !== command.ins) {
        channel.chain = undefined;
        return responseBytes(undefined, SW.LAST_OF_CHAIN_EXPECTED);
      }
      if (open) open.parts.push(command.data);
      else channel.chain = { ins: command.ins, p1: command.p1, p2: command.p2, parts: [command.data] };
      return responseBytes(undefined, SW.OK);
    }
    if (!open) return command;
    channel.chain = undefined;
    if (open.ins !== command.ins) return responseBytes(undefined, SW.LAST_OF_CHAIN_EXPECTED);
    const parts = [...open.parts, command.data];
    const length = parts.reduce((n, p) => n + p.length, 0);
    const data = new Uint8Array(length);
    let offset = 0;
    for (const p of parts) {
      data.set(p, offset);
      offset += p.length;
    }
    return { ...command, data, case: command.ne > 0 ? 4 : 3 };
  }

  private freshChannel(): ChannelState {
    return { currentDf: this.root, currentEf: undefined, pending: undefined, chain: undefined };
  }

  private resetState(): void {
    this.channels.clear();
    this.channels.set(0, this.freshChannel());
    this.security.forget();
  }
}
