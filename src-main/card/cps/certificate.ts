/**
 * What a CPS certificate says about its holder, and whether it chains to a trusted root.
 *
 * The authentication certificate is the dependable public source of identity (domain.md §3):
 * subject `CN=<idNat>+SN=<surname>+GN=<given name>, title=<profession>, C=FR` (one multi-valued
 * RDN), or for an employee card (CPE) `CN=3<FINESS>/<id>` with O, OU, title and pseudonym
 * (domain.md §4, research §3). idNat prefixes: 8 RPPS, 0 ADELI, 3 FINESS-based.
 * Fields are read from the DER (RFC 5280 §4.1) by der.ts; signatures and chains are checked
 * by Node's `X509Certificate` (OpenSSL).
 */
import { X509Certificate } from 'node:crypto';
import type { LocalizedText } from '../../../src-shared/errors';
import { children, integerHex, oid, readTlv, text, time, type Tlv } from './der';
import { cpsError } from './errors';

const OID = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.6': 'C', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.12': 'title', '2.5.4.42': 'GN', '2.5.4.65': 'pseudonym', '2.5.4.5': 'serialNumber',
} as const satisfies Record<string, string>;

export type NameAttribute = { type: string; value: string };
/** A distinguished name as RDNs in encoding order; each RDN may hold several attributes. */
export type DistinguishedName = NameAttribute[][];

export interface CertificateFields {
  serialNumber: string;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
}

export type ValidityStatus = 'valid' | 'expired' | 'not-yet-valid';

export interface HolderIdentity {
  kind: 'cps' | 'cpe';
  surname?: string;
  givenName?: string;
  /** National identifier, the CN up to any `/`: `8<RPPS>`, `0<ADELI>`, `3<FINESS>`. */
  idNat: string;
  rpps?: string;
  adeli?: string;
  finess?: string;
  /** CPE: the employee's id after the `/` of the CN. */
  employeeId?: string;
  profession?: string;
  organization?: string;
  /** Issuer, most specific first (RFC 4514 order): `CN=AC IGC-SANTE FORT PERSONNES, OU=…`. */
  issuer: string;
  issuerCommonName?: string;
  certificateSerial: string;
  notBefore: Date;
  notAfter: Date;
  status: ValidityStatus;
  /** Whole days until notAfter (negative once expired). */
  expiresInDays: number;
}

const DAY_MS = 86_400_000;

export function parseCertificate(der: Uint8Array): CertificateFields {
  const cert = readTlv(der);
  const tbs = cert && cert.tag === 0x30 ? children(cert)[0] : undefined;
  if (!tbs || tbs.tag !== 0x30) throw cpsError('CpsDataMalformed', { details: { reason: 'not an X.509 certificate' } });
  const items = children(tbs);
  const at = items[0]?.tag === 0xa0 ? 1 : 0; // [0] version (v3)
  const [serial, , issuer, validity, subject] = items.slice(at);
  if (!serial || !issuer || !validity || !subject) throw cpsError('CpsDataMalformed', { details: { reason: 'TBSCertificate incomplete' } });
  const [notBefore, notAfter] = children(validity);
  if (!notBefore || !notAfter) throw cpsError('CpsDataMalformed', { details: { reason: 'validity incomplete' } });
  return { serialNumber: integerHex(serial), issuer: parseName(issuer), subject: parseName(subject), notBefore: time(notBefore), notAfter: time(notAfter) };
}

function parseName(name: Tlv): DistinguishedName {
  return children(name).map((set) =>
    children(set).map((pair) => {
      const [type, value] = children(pair);
      if (!type || !value) throw cpsError('CpsDataMalformed', { details: { reason: 'name attribute' } });
      const dotted = oid(type);
      return { type: (OID as Record<string, string>)[dotted] ?? dotted, value: text(value) };
    }),
  );
}

/** RFC 4514 order (last RDN first), `+` inside a multi-valued RDN. */
export function formatName(name: DistinguishedName): string {
  return [...name].reverse().map((rdn) => rdn.map((a) => `${a.type}=${a.value}`).join('+')).join(', ');
}

function attribute(name: DistinguishedName, type: string): string | undefined {
  for (const rdn of name) for (const a of rdn) if (a.type === type) return a.value;
  return undefined;
}

export function validityAt(fields: { notBefore: Date; notAfter: Date }, now: Date): ValidityStatus {
  if (now.getTime() < fields.notBefore.getTime()) return 'not-yet-valid';
  if (now.getTime() > fields.notAfter.getTime()) return 'expired';
  return 'valid';
}

/** The holder as the certificate names them (module comment). */
export function identityFromCertificate(der: Uint8Array, now = new Date()): HolderIdentity {
  const f = parseCertificate(der);
  const cn = attribute(f.subject, 'CN');
  if (!cn) throw cpsError('CpsObjectMissing', { params: { what: 'CN' }, details: { what: 'subject CN' } });
  const [idNat, employeeId] = cn.split('/', 2) as [string, string | undefined];
  const prefix = idNat.charAt(0);
  const rest = idNat.slice(1);
  const surname = attribute(f.subject, 'SN');
  const givenName = attribute(f.subject, 'GN');
  const profession = attribute(f.subject, 'title');
  const organization = attribute(f.subject, 'O');
  const issuerCommonName = attribute(f.issuer, 'CN');
  return {
    kind: prefix === '3' ? 'cpe' : 'cps',
    ...(surname !== undefined ? { surname } : {}),
    ...(givenName !== undefined ? { givenName } : {}),
    idNat,
    ...(prefix === '8' ? { rpps: rest } : {}),
    ...(prefix === '0' ? { adeli: rest } : {}),
    ...(prefix === '3' ? { finess: rest } : {}),
    ...(employeeId !== undefined ? { employeeId } : {}),
    ...(profession !== undefined ? { profession } : {}),
    ...(organization !== undefined ? { organization } : {}),
    issuer: formatName(f.issuer),
    ...(issuerCommonName !== undefined ? { issuerCommonName } : {}),
    certificateSerial: f.serialNumber,
    notBefore: f.notBefore,
    notAfter: f.notAfter,
    status: validityAt(f, now),
    expiresInDays: Math.floor((f.notAfter.getTime() - now.getTime()) / DAY_MS),
  };
}

export type ChainStatus = ValidityStatus | 'untrusted';

export interface ChainVerdict {
  status: ChainStatus;
  reason: LocalizedText;
  /** Subjects from the card certificate up to the anchor (RFC 4514 form). */
  chain: string[];
}

export interface ChainOptions {
  /** Root certificates (DER) the caller trusts: the sandbox roots by default, IGC-Santé by configuration. */
  trustAnchors: readonly Uint8Array[];
  /** CA certificates that may sit between (the card does not hold its issuing CA). */
  intermediates?: readonly Uint8Array[];
  now?: Date;
}

const MAX_CHAIN = 6;

/**
 * Builds the chain leaf → intermediates → anchor by issuer name AND signature (OpenSSL's
 * `checkIssued` and `verify`), then checks every certificate's dates. `untrusted` when no
 * anchor is reached; otherwise the worst date status of the chain.
 */
export function verifyCertificateChain(certificateDer: Uint8Array, options: ChainOptions): ChainVerdict {
  const now = options.now ?? new Date();
  const load = (der: Uint8Array) => new X509Certificate(der);
  let current: X509Certificate;
  try {
    current = load(certificateDer);
  } catch (error) {
    throw cpsError('CpsDataMalformed', { details: { reason: 'certificate not parsable by OpenSSL' }, cause: error });
  }
  const anchors = options.trustAnchors.map(load);
  const intermediates = (options.intermediates ?? []).map(load);
  const chain = [current];
  const issues = (issuer: X509Certificate, cert: X509Certificate) => issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

  let anchor: X509Certificate | undefined;
  while (!anchor && chain.length <= MAX_CHAIN) {
    anchor = anchors.find((a) => a.fingerprint256 === current.fingerprint256 || issues(a, current));
    if (anchor) break;
    const next = intermediates.find((i) => !chain.includes(i) && issues(i, current));
    if (!next) break;
    chain.push(next);
    current = next;
  }
  const subjects = chain.map((c) => c.subject.split('\n').reverse().join(', '));
  if (!anchor) {
    return {
      status: 'untrusted',
      reason: {
        fr: `Aucune autorité de confiance n’a émis « ${subjects.at(-1)} » : chaîne de certification non reconnue.`,
        en: `No trusted authority issued "${subjects.at(-1)}": certificate chain not recognised.`,
      },
      chain: subjects,
    };
  }
  if (!chain.includes(anchor)) chain.push(anchor);
  for (const c of chain) {
    const status = validityAt({ notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo) }, now);
    if (status !== 'valid') {
      const who = c.subject.split('\n').reverse().join(', ');
      return {
        status,
        reason:
          status === 'expired'
            ? { fr: `Certificat expiré le ${c.validTo} : ${who}.`, en: `Certificate expired on ${c.validTo}: ${who}.` }
            : { fr: `Certificat pas encore valide (à partir du ${c.validFrom}) : ${who}.`, en: `Certificate not valid before ${c.validFrom}: ${who}.` },
        chain: chain.map((x) => x.subject.split('\n').reverse().join(', ')),
      };
    }
  }
  return {
    status: 'valid',
    reason: { fr: 'Chaîne de certification valide jusqu’à une autorité de confiance.', en: 'Certificate chain valid up to a trusted authority.' },
    chain: chain.map((x) => x.subject.split('\n').reverse().join(', ')),
  };
}

/** Subject Public Key Info of a certificate, for node:crypto verification. */
export function certificatePublicKey(der: Uint8Array) {
  return new X509Certificate(der).publicKey;
}
