/**
 * A virtual CPS3 contact card (IAS-ECC "CPx"), as the ANS Cryptolib and OpenSC see it.
 *
 * Facts used (domain.md §2–3, research/cards-readers-ecps.md §1–2):
 * - ATR `3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00`: TD1 = 40 announces T=0 only.
 * - MF 3F00; EF.DIR 2F00 lists "CPX IAS" and "CPX IAS CL"; EF.ATR 2F01 starts with a stray
 *   80 that OpenSC `ef-atr.c` skips; EF.SN.ICC D003; IAS DF 0001 named by the CPx AID.
 * - SELECT by DF name answers the FCP with P2 = 04 (what OpenSC and Cryptolib send) and
 *   nothing with 0C; P2 = 00 (FCI) is refused with 6A86, except for the MF's name (9000, no
 *   data) [C OpenSC commits 1a3666364, 20f359ea0, issue #2223 traces; Cryptolib
 *   `cps3_select_file`]. FID 3F00 selects the MF with any P1 (OpenSC's PIN policy read).
 * - FCPs carry IAS-ECC compact security attributes (8C), which OpenSC requires.
 * - T=0: `61 xx` then GET RESPONSE (Cryptolib `CPS3_SW1_BYTES_AVAILABLE` 0x61).
 * - OpenSC sets extended APDU support for CPx; the decipher command uses command chaining.
 * - GET CHALLENGE (84) gives 8 bytes, the only length IAS-ECC accepts [C OpenSC
 *   card-iasecc.c `iasecc_get_challenge`]; OpenSC's PKCS#11 C_GenerateRandom uses it.
 *
 * The CPx application 3F00/0001 holds the PKCS#15 directory (pkcs15-files.ts) and the card
 * answers the PIN commands (cps-security.ts, GET DATA in cps3-get-data.ts) and the crypto
 * commands (cps-crypto.ts): INTERNAL AUTHENTICATE with CPS_PRIV_AUT (0x82), PSO HASH + CDS with
 * CPS_PRIV_SIG (0x81), PSO DECIPHER (`81` padding indicator) with 0x82 [C] (research §2).
 * `iasFiles` and `commands` still add files under the IAS DF and instructions by INS.
 */
import { randomBytes } from 'node:crypto';
import { luhnCheckDigit } from '../../src-shared/luhn';
import { concatBytes } from '../../src-shared/hex';
import { SW } from './apdu';
import { cryptoCommands } from './cps-crypto';
import { cardKeys, cardPins, pkcs15Application, type CpsPersonalisation } from './cps-personalisation';
import { pinCommands } from './cps-security';
import { getDataCommand } from './cps3-get-data';
import { df, ef, type CardFile } from './file-system';
import { IsoCard, type CommandHandler } from './iso-card';
import { pkcs15Files, TOKEN_FLAGS, type Pkcs15Algorithm } from './pkcs15-files';
import { ascii, tlv } from './tlv';

export const CPS3_ATR = Uint8Array.of(0x3b, 0xac, 0x00, 0x40, 0x2a, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90, 0x00);
/** PKCS#15 application "CPX IAS" (OpenSC dir.c, Cryptolib card-cps3.c). */
export const CPX_AID = Uint8Array.of(0xe8, 0x28, 0xbd, 0x08, 0x0f, 0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x00, 0x10);
/** Contactless twin "CPX IAS CL". */
export const CPX_CL_AID = Uint8Array.of(0xe8, 0x28, 0xbd, 0x08, 0x0f, 0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x00, 0x20);
/** ANS issuer number, bytes 2–6 of EF.SN.ICC (Cryptolib card-cps.c `cps3_fsn`). */
export const ANS_ISSUER = Uint8Array.of(0x80, 0x25, 0x00, 0x00, 0x01);

export const CPS3_FILES = {
  efDir: 0x2f00,
  efAtr: 0x2f01,
  efSnIcc: 0xd003,
  iasDf: 0x0001,
  /** Contact-only file: Cryptolib reads one byte of it; failure means contactless (card-cps3.c). */
  contactOnly: 0x7001,
} as const;

/** Key references of CPS_PRIV_AUT and CPS_PRIV_SIG (OpenSC issue #2267) [C]. */
export const CPS3_KEY_REFERENCES = { authentication: 0x82, signature: 0x81 } as const;

export interface Cps3Options extends CpsPersonalisation {
  /** The 8-digit serial shown by Cryptolib (EF.SN.ICC without the 8025000001 prefix). */
  serialNumber?: string;
  label?: string;
  /** Logical channels supported, basic included [?]: IAS-ECC allows more; 1 until known. */
  logicalChannels?: number;
  /** Extra files under the IAS DF 3F00/0001 (PKCS#15 structure, activity files…). */
  iasFiles?: CardFile[];
  /** Extra or replacement instructions, by INS (they win over the built-in CPS3 ones). */
  commands?: Readonly<Record<number, CommandHandler>>;
}

export const DEFAULT_CPS3_SERIAL = '00012345';

export { luhnCheckDigit };

/**
 * EF.SN.ICC: `5A 0A` + a 10-byte BCD PAN = issuer `80 25 00 00 01`, the 8-digit serial, a
 * check digit and an `F` filler. Cryptolib decodes tag [APPLICATION 26] (0x5A), drops the
 * last byte ("la formule de Luhn et les bits de remplissage F") and strips the 8025000001
 * prefix (pkcs15.c `sc_pkcs15_parse_efsnicc`, card-cps.c). That the check digit is Luhn
 * over the preceding digits, as for any ISO 7812 PAN, is [I].
 */
export function encodeEfSnIcc(serialNumber: string): Uint8Array {
  if (!/^\d{8}$/.test(serialNumber)) throw new RangeError(`CPS3 serial number must be 8 digits, got "${serialNumber}"`);
  const digits = `8025000001${serialNumber}`;
  const nibbles = `${digits}${luhnCheckDigit(digits)}F`;
  const pan = Uint8Array.from(nibbles.match(/../g)!, (pair) => parseInt(pair, 16));
  return tlv(0x5a, pan);
}

/**
 * EF.DIR: one application template (61) per application: AID (4F) and label (50), no path.
 *
 * - No path (51) [C]: `pkcs15-tool -k` on a real CPx shows the keys' path as
 *   `e828bd080f8025000001ff0010::`, the AID alone (OpenSC commit 137286858's log), which
 *   OpenSC builds only when EF.DIR names the application by AID (dir.c `parse_dir_record`;
 *   with a path it would print that path instead).
 * - Contactless application first [I]: in that same log `pkcs15-tool` (no `--aid`) bound the
 *   contact application. OpenSC binds the first application of its list, after moving the
 *   known AIDs ahead with an index that only advances on a swap (dir.c `sc_enum_apps`): with
 *   "CPX IAS" first, "CPX IAS CL" would end up first and be bound instead. With both listed,
 *   only this order gives what the real card gave (the CL record could also be absent [?]).
 *   The contact application is what Cryptolib uses in contact mode [C card-cps3.c
 *   `cps3_get_aid_pkcs15`], and what the companion looks for (by AID, order-free).
 */
function efDirContent(): Uint8Array {
  return concatBytes(
    tlv(0x61, tlv(0x4f, CPX_CL_AID), tlv(0x50, ascii('CPX IAS CL'))),
    tlv(0x61, tlv(0x4f, CPX_AID), tlv(0x50, ascii('CPX IAS'))),
  );
}

/**
 * The MF's DF name, given by EF.ATR (tag 4F). OpenSC selects it by name with P2 = 04 when
 * it starts and before each SE/PIN lookup from the MF [C card-iasecc.c `iasecc_init`,
 * `iasecc_select_mf`]; the value is a real CPx's (below).
 */
export const CPX_MF_NAME = Uint8Array.of(0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x01, 0x00);

/**
 * EF.ATR/INFO of a real CPx card, byte for byte [C OpenSC commit fd83e885f "IASECC/CPX: parse
 * EF.ATR from ASN1 2F01 object", issue #2220]: the stray leading 80 (OpenSC `ef-atr.c` skips
 * it), card service data (43), pre-issuing data (46: IC manufacturer/type, OS and IAS-ECC
 * versions), card capabilities (47: 94 01 80), the MF name (4F), the IAS-ECC I/O buffer
 * sizes (E0: four DO 02 = send 0x104, send SM 0x104, receive 0x100, receive SM 0x100), the
 * allocation scheme OID (78) and the status word (82 = 9000). OpenSC's IAS-ECC driver
 * refuses the card without 46 (≥ 4 bytes) and E0 (≥ 16 bytes) [C card-iasecc.c
 * `iasecc_parse_ef_atr`].
 */
function efAtrContent(): Uint8Array {
  return concatBytes(
    Uint8Array.of(0x80),
    tlv(0x43, Uint8Array.of(0xb8)),
    tlv(0x46, Uint8Array.of(0x04, 0xb0, 0xec, 0xc1)),
    tlv(0x47, Uint8Array.of(0x94, 0x01, 0x80)),
    tlv(0x4f, CPX_MF_NAME),
    tlv(
      0xe0,
      tlv(0x02, Uint8Array.of(0x01, 0x04)),
      tlv(0x02, Uint8Array.of(0x01, 0x04)),
      tlv(0x02, Uint8Array.of(0x01, 0x00)),
      tlv(0x02, Uint8Array.of(0x01, 0x00)),
    ),
    tlv(0x78, tlv(0x06, Uint8Array.of(0x2b, 0x81, 0x22, 0xf8, 0x78, 0x02))),
    tlv(0x82, Uint8Array.of(0x90, 0x00)),
  );
}

/**
 * TokenInfo supportedAlgorithms of a real CPS3 [C `pkcs15-tool --list-info` of a test CPS3v3
 * in OpenSC issue #2267]: 1 SHA-1 hash (algRef 10), 2 SHA-256 hash (40), 3 SHA1-RSA-PKCS
 * signature (12), 4 SHA256-RSA-PKCS signature (42), 5 RSA-PKCS (the dump is cut there). That
 * 5 is a signature (by INTERNAL AUTHENTICATE, algRef 02) and 6 an RSA-PKCS decipherment
 * follows the maintainer's mapping in the same issue ("5 compute_signature, CKM_RSA_PKCS";
 * "6 decipher, CKM_RSA_PKCS"); their algRefs are Cryptolib's (02, 1A) [I]. OpenSC needs this
 * list: the CPx PrKDF has no algorithm references, and OpenSC rebuilds them from it
 * (pkcs15-iasecc.c `_iasecc_cpx_fixup_prkdf`, issues #2267/#2270).
 * The same dump's token flags are "Read-only, Login required" (no PRN generation).
 */
const CPS3_ALGORITHMS: Pkcs15Algorithm[] = [
  { reference: 1, mechanism: 0x220, operations: [6], oid: '1.3.14.3.2.26', algRef: 0x10 },
  { reference: 2, mechanism: 0x250, operations: [6], oid: '2.16.840.1.101.3.4.2.1', algRef: 0x40 },
  { reference: 3, mechanism: 0x06, operations: [1], oid: '1.2.840.113549.1.1.5', algRef: 0x12 },
  { reference: 4, mechanism: 0x40, operations: [1], oid: '1.2.840.113549.1.1.11', algRef: 0x42 },
  { reference: 5, mechanism: 0x01, operations: [1], oid: '1.2.840.113549.1.1.1', algRef: 0x02 },
  { reference: 6, mechanism: 0x01, operations: [5], oid: '1.2.840.113549.1.1.1', algRef: 0x1a },
];

/** [?] The TokenInfo serial: the EF.SN.ICC digits (issuer + serial) in BCD. */
function tokenSerial(serialNumber: string): Uint8Array {
  return Uint8Array.from(`8025000001${serialNumber}`.match(/../g)!, (pair) => parseInt(pair, 16));
}

/** GET CHALLENGE: 8 random bytes; IAS-ECC accepts no other length [C card-iasecc.c]. */
const getChallenge: CommandHandler = (cmd) => {
  if (cmd.p1 !== 0x00 || cmd.p2 !== 0x00) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.data.length > 0 || cmd.ne !== 8) return { sw: SW.WRONG_LENGTH };
  return { data: new Uint8Array(randomBytes(8)), sw: SW.OK };
};

/** The CPS3's own instructions: PIN (20, 24, 2C, CB), crypto (22, 88, 2A), challenge (84). */
function cps3Commands(options: Cps3Options): Record<number, CommandHandler> {
  const pins = cardPins(options);
  const keys = cardKeys(options.credentials, CPS3_KEY_REFERENCES, ['AT', 'CT']);
  return {
    ...pinCommands({ pins, reference: (p2) => p2 }),
    0xcb: getDataCommand(pins, keys),
    0x84: getChallenge,
    ...cryptoCommands({
      keys,
      // IAS-ECC algorithm references as Cryptolib `pkcs15-sec.c` sends them [C]: 12/42 =
      // SHA-1/SHA-256 + PKCS#1 signature, 10/40 = SHA-1/SHA-256, 02 = RSA PKCS#1 (internal
      // authentication), 1A = decipherment; 0A = OpenSC's decipher reference [C iasecc-sdo.h].
      signatureAlgorithms: { 0x12: { padding: 'pkcs1', hash: 'sha1' }, 0x42: { padding: 'pkcs1', hash: 'sha256' }, 0x02: { padding: 'pkcs1' } },
      hashAlgorithms: { 0x10: 'sha1', 0x40: 'sha256' },
      otherAlgorithms: [0x02, 0x0a, 0x1a],
      decipher: 'padding-indicator',
      internalAuthenticate: true,
    }),
  };
}

export function createCps3(options: Cps3Options = {}): IsoCard {
  const serialNumber = options.serialNumber ?? DEFAULT_CPS3_SERIAL;
  const application = {
    ...pkcs15Application(options, {
      dfPath: Uint8Array.of(0x3f, 0x00, 0x00, 0x01),
      serialNumber: tokenSerial(serialNumber),
      manufacturer: 'ANS (carte virtuelle)',
      refs: CPS3_KEY_REFERENCES,
    }),
    tokenFlags: [TOKEN_FLAGS.readOnly, TOKEN_FLAGS.loginRequired],
    algorithms: CPS3_ALGORITHMS,
    // `pkcs15-tool -k` on a real CPx prints each key's path as the application's AID alone
    // (`e828bd080f8025000001ff0010::`, OpenSC commit 137286858): no path of its own.
    keyPath: 'empty' as const,
  };
  // The MF carries the name EF.ATR gives it (CPX_MF_NAME).
  const root = df(
    { fid: 0x3f00, name: CPX_MF_NAME },
    ef(CPS3_FILES.efDir, efDirContent()),
    ef(CPS3_FILES.efAtr, efAtrContent()),
    // SFI 1C: OpenSC reads the serial with READ BINARY by SFI 1C from the MF [C card-iasecc.c
    // `iasecc_get_serialnr`, iasecc.h IASECC_SFI_EF_SN]; that it is EF.SN.ICC's SFI is [I].
    ef(CPS3_FILES.efSnIcc, encodeEfSnIcc(serialNumber), { sfi: 0x1c }),
    df(
      { fid: CPS3_FILES.iasDf, name: CPX_AID },
      // Content [?]: only its presence matters to Cryptolib's contact/contactless test.
      ef(CPS3_FILES.contactOnly, Uint8Array.of(0x00)),
      ...pkcs15Files(application),
      ...(options.iasFiles ?? []),
    ),
    // The contactless application is listed in EF.DIR; its FID and, in contact mode, its
    // content are unknown [?]: reachable by AID only, with no PKCS#15 directory, so OpenSC's
    // PKCS#11 module skips it (no ODF) and makes one token, the contact application's.
    df({ name: CPX_CL_AID }),
  );
  return new IsoCard({
    label: options.label ?? 'CPS3 (virtuelle)',
    atr: CPS3_ATR,
    transport: 'T0',
    root,
    select: { fciTemplate: 'fci', fcpOnSelectByName: true, refuseFci: { silentFor: [CPX_MF_NAME] }, securityAttributes: true },
    logicalChannels: options.logicalChannels ?? 1,
    extendedLength: true,
    commandChaining: true,
    commands: { ...cps3Commands(options), ...options.commands },
  });
}
