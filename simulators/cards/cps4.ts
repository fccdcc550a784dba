/**
 * A virtual CPS4 contact card (NXP chip, ChipDoc applet), as the ANS Cryptolib 5.2 sees it.
 *
 * Facts [C] (domain.md §2–3, research §1–2, Cryptolib `card-cps.c`, `card-cps4.c`,
 * `pkcs15-sec.c`, `cards.h`, `internal.h`):
 * - ATRs: `3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44` (TD1 = 80: T=0, TD2 = 01: T=1),
 *   the release-candidate `…64 80 00 04 01 00 90 44`, and the T=0-only `3B DC 18 FF 00 00 12 25
 *   00 64 80 00 04 01 00 90 00`. Response data comes back T=0 style (`61 xx`, SW1 0x61 as on the
 *   CPS3: `CPS4_SW1_BYTES_AVAILABLE`), whichever protocol is negotiated [I].
 * - Applications: ChipDoc `80 25 00 00 01 FF 01 00`, which the Cryptolib selects on logical
 *   channel 1 (CLA 01) and uses for everything; the CPS2ter volet `80 25 00 00 01 FF 00 02`
 *   (CLA 00, not simulated beyond its selection); the GlobalPlatform ISD `A0 00 00 01 51 00 00`.
 *   PIN and crypto commands on a channel where ChipDoc is not selected answer 69 85, to which
 *   the Cryptolib reacts by re-selecting ISD, CPS2ter, ChipDoc (release note 1722) [I].
 * - The PKCS#15 application keeps the CPx AID `E8 28 BD 08 0F … FF 00 10` (`cps4_get_aid_pkcs15`).
 * - PIN: no GET DATA counters; VERIFY with no data answers `63 Cx` / `69 83` (max 3 assumed).
 *   CHANGE = VERIFY old, then `00 24 01 <ref>` + new block. Unblock = VERIFY PUK, then
 *   `00 2C 03 <ref|80>` (no data), then `00 24 01 <ref>` + new block. P2 may carry b8 set.
 * - No INTERNAL AUTHENTICATE (6D00). Authentication = MSE `00 22 41 B8 03 83 01 20` (key 0x20,
 *   `CPS4_AUTH_PRIV_KEY_ID`) then `00 2A 80 86` with a caller-formatted block: raw RSA.
 * - Signature: MSE `00 22 81 B6 04 91 02 <algo> <key|80>` (algo 0A / 28 = SHA-1 / SHA-256
 *   PKCS#1 v1.5, 15 / 2C = SHA-1 / SHA-256 PSS), then PSO CDS `00 2A 9E 9A Lc <hash> 00`.
 *   The authentication key signs too, with PSS (`sc_is_cps4_auth_operation`).
 * [?] The signature key's reference (0x21 here), the file layout (same as our CPS3: PKCS#15 DF
 * 3F00/0001) and EF.DIR's content are not public.
 */
import { concatBytes } from '../../src-shared/hex';
import { SW } from './apdu';
import { cryptoCommands } from './cps-crypto';
import { cardKeys, cardPins, pkcs15Application, type CpsPersonalisation } from './cps-personalisation';
import { pinCommands } from './cps-security';
import { ANS_ISSUER, CPX_AID, DEFAULT_CPS3_SERIAL, encodeEfSnIcc } from './cps3';
import { df, ef, mf, type DedicatedFile } from './file-system';
import { IsoCard, type ChannelState, type CommandContext, type CommandHandler } from './iso-card';
import { builtinCommands } from './iso-commands';
import { pkcs15Files } from './pkcs15-files';
import type { CardTransport } from './response-delivery';
import { ascii, tlv } from './tlv';

export const CPS4_ATRS = {
  default: Uint8Array.of(0x3b, 0x9b, 0x18, 0x80, 0x01, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x04, 0x01, 0x00, 0x00, 0x90, 0x44),
  'release-candidate': Uint8Array.of(0x3b, 0x9b, 0x18, 0x80, 0x01, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x04, 0x01, 0x00, 0x90, 0x44),
  't0-only': Uint8Array.of(0x3b, 0xdc, 0x18, 0xff, 0x00, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x04, 0x01, 0x00, 0x90, 0x00),
} as const;
export const CPS4_ATR = CPS4_ATRS.default;

export const CHIPDOC_AID = Uint8Array.of(0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x01, 0x00);
export const CPS2TER_AID = Uint8Array.of(0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x00, 0x02);
export const GP_ISD_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00);

/** CPS_PRIV_AUT = 0x20 [C] (`CPS4_AUTH_PRIV_KEY_ID`); CPS_PRIV_SIG [?]. */
export const CPS4_KEY_REFERENCES = { authentication: 0x20, signature: 0x21 } as const;

export interface Cps4Options extends CpsPersonalisation {
  /** The 8-digit serial in EF.SN.ICC (same encoding as the CPS3 [?]). */
  serialNumber?: string;
  label?: string;
  atr?: keyof typeof CPS4_ATRS;
  /** How response data comes back (default T0, see above). */
  transport?: CardTransport;
  /** Extra or replacement instructions, by INS. */
  commands?: Readonly<Record<number, CommandHandler>>;
}

/** [?] EF.DIR: the PKCS#15 application only. */
function efDirContent(): Uint8Array {
  return tlv(0x61, tlv(0x4f, CPX_AID), tlv(0x50, ascii('CPX IAS')));
}

function tokenSerial(serialNumber: string): Uint8Array {
  return concatBytes(ANS_ISSUER, Uint8Array.from(serialNumber.match(/../g)!, (pair) => parseInt(pair, 16)));
}

export function createCps4(options: Cps4Options = {}): IsoCard {
  const serialNumber = options.serialNumber ?? DEFAULT_CPS3_SERIAL;
  const application = pkcs15Application(options, {
    dfPath: Uint8Array.of(0x3f, 0x00, 0x00, 0x01),
    serialNumber: tokenSerial(serialNumber),
    manufacturer: 'ANS (carte virtuelle)',
    refs: CPS4_KEY_REFERENCES,
  });
  const chipDoc = df({ name: CHIPDOC_AID });
  const otherApplications = [df({ name: CPS2TER_AID }), df({ name: GP_ISD_AID })];
  const root = mf(
    ef(0x2f00, efDirContent()),
    ef(0xd003, encodeEfSnIcc(serialNumber)),
    df({ fid: 0x0001, name: CPX_AID }, ...pkcs15Files(application)),
    chipDoc,
    ...otherApplications,
  );

  // Which channels have ChipDoc selected. Channel states are recreated at reset and when a
  // channel is opened, so a WeakMap forgets with them.
  const chipDocSelected = new WeakMap<ChannelState, boolean>();
  const select: CommandHandler = (cmd, ctx) => {
    const result = builtinCommands[0xa4]!(cmd, ctx);
    if (result.sw === SW.OK && cmd.p1 === 0x04) {
      const here: DedicatedFile = ctx.channel.currentDf;
      if (here === chipDoc) chipDocSelected.set(ctx.channel, true);
      else if (otherApplications.includes(here)) chipDocSelected.delete(ctx.channel);
    }
    return result;
  };
  const guard = (ctx: CommandContext) => (chipDocSelected.get(ctx.channel) ? undefined : SW.CONDITIONS_NOT_SATISFIED);

  const pins = cardPins(options);
  const commands: Record<number, CommandHandler> = {
    0xa4: select,
    ...pinCommands({ pins, reference: (p2) => p2 & 0x7f, guard }),
    ...cryptoCommands({
      keys: cardKeys(options.credentials, CPS4_KEY_REFERENCES, ['CT', 'DST']),
      signatureAlgorithms: {
        0x0a: { padding: 'pkcs1', hash: 'sha1' },
        0x28: { padding: 'pkcs1', hash: 'sha256' },
        0x15: { padding: 'pss', hash: 'sha1' },
        0x2c: { padding: 'pss', hash: 'sha256' },
      },
      hashAlgorithms: { 0x10: 'sha1', 0x40: 'sha256' },
      otherAlgorithms: [0x1a],
      decipher: 'raw',
      internalAuthenticate: false,
      guard,
    }),
  };

  return new IsoCard({
    label: options.label ?? 'CPS4 (virtuelle)',
    atr: CPS4_ATRS[options.atr ?? 'default'],
    transport: options.transport ?? 'T0',
    root,
    // The CPS3's 6A86 on SELECT with P2 = 00 is an IAS-ECC quirk; ChipDoc's is unknown [?].
    select: { fciTemplate: 'fci' },
    // [I] ChipDoc works on channel 1; four channels is the usual Java Card minimum.
    logicalChannels: 4,
    extendedLength: true,
    commandChaining: true,
    commands: { ...commands, ...options.commands },
  });
}
