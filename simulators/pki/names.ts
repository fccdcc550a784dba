/**
 * Distinguished names of the sandbox PKI: its two CAs and the card holders' subjects.
 *
 * Names are written as @peculiar/x509 JSON, one array item per RDN in encoding order (the
 * order `openssl x509 -nameopt oneline` and Node's `X509Certificate.subject` print), keyed
 * by OID (see NAME_OID). Values are written as explicit PrintableString / UTF8String objects
 * so the library does not unescape them or read a leading `#` as hex.
 */
import { pkiErrors } from './pki-errors';
import { isValidAdeli, isValidFiness, isValidRpps } from './identifiers';
import { NAME_OID, x509 } from './x509';

type JsonName = x509.JsonNameParams;
type Rdn = x509.JsonAttributeAndObjectValue;

/** Who the virtual card belongs to. */
export interface CardHolder {
  /** `cps`: a professional's own card; `cpe`: a pharmacy employee's card ("carte de personnel d'établissement"). */
  kind: 'cps' | 'cpe';
  /** CPS: 11 digits, Luhn-valid; the CN is then `8<RPPS>`. */
  rpps?: string;
  /** CPS without RPPS (professions still on ADELI): 9 digits; the CN is then `0<ADELI>`. */
  adeli?: string;
  surname: string;
  givenName: string;
  /** Profession label as the `title` attribute shows it, e.g. `Pharmacien`. */
  profession: string;
  /** CPE: the pharmacy's FINESS (9 characters). */
  finess?: string;
  /** CPE: the employee's internal id, after the `/` of the CN. */
  employeeId?: string;
  /** CPE: the pharmacy's name, in `O=`. */
  organization?: string;
}

/** `title` of CPE certificates (research/cards-readers-ecps.md §3). */
export const CPE_TITLE = 'Carte de service santé ou social';

/*
 * The SANDBOX CAs. These are NOT the real IGC-Santé CAs: they mirror the real names
 * (`C=FR, O=ASIP-SANTE, OU=0002 187512751, OU=IGC-SANTE, CN=AC RACINE IGC-SANTE FORT` and
 * `… CN=AC IGC-SANTE FORT PERSONNES`, research §3) with TEST in the CN, so a trace or a
 * screenshot can never be mistaken for a real card, and a real relying party never trusts them.
 */
export const SANDBOX_ROOT_CN = 'AC RACINE IGC-SANTE TEST FORT';
export const SANDBOX_ISSUING_CA_CN = 'AC IGC-SANTE TEST FORT PERSONNES';

function caName(commonName: string): JsonName {
  return [
    rdn(NAME_OID.countryName, 'FR'),
    rdn(NAME_OID.organizationName, 'ASIP-SANTE'),
    rdn(NAME_OID.organizationalUnitName, '0002 187512751'),
    rdn(NAME_OID.organizationalUnitName, 'IGC-SANTE'),
    rdn(NAME_OID.commonName, commonName),
  ];
}

export const sandboxRootName = (): x509.Name => new x509.Name(caName(SANDBOX_ROOT_CN));
export const sandboxIssuingCaName = (): x509.Name => new x509.Name(caName(SANDBOX_ISSUING_CA_CN));

/** The national identifier (idNat) the CN carries: `8<RPPS>`, `0<ADELI>` or `3<FINESS>/<id>`. */
export function nationalId(holder: CardHolder): string {
  checkHolder(holder);
  if (holder.kind === 'cpe') return `3${holder.finess}/${holder.employeeId}`;
  return holder.rpps !== undefined ? `8${holder.rpps}` : `0${holder.adeli}`;
}

/**
 * The subject of a card certificate (domain.md §4):
 * - CPS: `C=FR`, `title=<profession>`, then ONE multi-valued RDN `CN=<idNat>+SN=<surname>+GN=<given name>`
 *   (printed RFC 4514-style, most specific first: `CN=8…+SN=…+GN=…, title=Pharmacien, C=FR`).
 * - CPE: `O=<pharmacy>, OU=1<FINESS>, title=Carte de service santé ou social,
 *   pseudonym=EMPLOYE <id>, CN=3<FINESS>/<id>`, in the order of the research sample. The sample
 *   shows no `C=` and no names; the exact pseudonym text after `EMPLOYE` is a guess [I].
 */
export function cardSubjectName(holder: CardHolder): x509.Name {
  return new x509.Name(cardSubjectRdns(holder));
}

function cardSubjectRdns(holder: CardHolder): JsonName {
  const idNat = nationalId(holder);
  if (holder.kind === 'cpe') {
    return [
      rdn(NAME_OID.organizationName, holder.organization ?? `PHARMACIE TEST ${holder.finess}`),
      rdn(NAME_OID.organizationalUnitName, `1${holder.finess}`),
      rdn(NAME_OID.title, CPE_TITLE),
      rdn(NAME_OID.pseudonym, `EMPLOYE ${holder.employeeId}`),
      rdn(NAME_OID.commonName, idNat),
    ];
  }
  // One SET with three attributes, in CN, SN, GN order. Strict DER would sort a SET OF by
  // encoding; @peculiar/x509 keeps insertion order, so readers must not rely on the order.
  const holderRdn: Rdn = {
    [NAME_OID.commonName]: [text(idNat)],
    [NAME_OID.surname]: [text(holder.surname)],
    [NAME_OID.givenName]: [text(holder.givenName)],
  };
  return [rdn(NAME_OID.countryName, 'FR'), rdn(NAME_OID.title, holder.profession), holderRdn];
}

/** Throws `InvalidHolder` (with the offending field, never a secret) when a holder cannot be issued. */
export function checkHolder(holder: CardHolder): void {
  const fail = (field: string) => {
    throw pkiErrors.create('InvalidHolder', { details: { field } });
  };
  for (const field of ['surname', 'givenName', 'profession'] as const) {
    if (typeof holder[field] !== 'string' || holder[field].trim() === '') fail(field);
  }
  if (holder.kind === 'cps') {
    if (holder.rpps === undefined && holder.adeli === undefined) fail('rpps');
    if (holder.rpps !== undefined && !isValidRpps(holder.rpps)) fail('rpps');
    if (holder.adeli !== undefined && !isValidAdeli(holder.adeli)) fail('adeli');
  } else if (holder.kind === 'cpe') {
    if (holder.finess === undefined || !isValidFiness(holder.finess)) fail('finess');
    if (holder.employeeId === undefined || !/^[0-9A-Za-z-]{1,16}$/.test(holder.employeeId)) fail('employeeId');
  } else {
    fail('kind');
  }
}

function rdn(oid: string, value: string): Rdn {
  return { [oid]: [text(value)] };
}

function text(value: string): x509.JsonAttributeObject {
  // PrintableString where it fits (as the real CA names), UTF8String for accents (« Médecin »).
  return x509.Name.isPrintableString(value) ? { printableString: value } : { utf8String: value };
}
