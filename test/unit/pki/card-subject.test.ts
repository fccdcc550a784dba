import fc from 'fast-check';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCardCredentials, makeTestRpps, NAME_OID, TEST_HOLDERS, type CardHolder } from '../../../simulators/pki/index';
import { checkHolder, nationalId } from '../../../simulators/pki/names';
import { isEcpsError } from '../../../src-shared/errors';
import { x509 } from '../../../simulators/pki/x509';

async function authCertificate(holder: CardHolder): Promise<Uint8Array> {
  return (await issueCardCredentials(holder)).authentication.certificateDer;
}

/** What CpsCard needs from the subject, read with @peculiar/x509 by OID (see the README). */
function readSubject(der: Uint8Array) {
  const name = new x509.X509Certificate(der).subjectName;
  const one = (oid: string) => name.getField(oid)[0];
  return {
    cn: one(NAME_OID.commonName),
    surname: one(NAME_OID.surname),
    givenName: one(NAME_OID.givenName),
    title: one(NAME_OID.title),
    country: one(NAME_OID.countryName),
  };
}

describe('card certificate subjects (domain.md §4)', () => {
  it('CPS: CN=8<RPPS>+SN+GN in ONE multi-valued RDN, then title and C=FR', async () => {
    const der = await authCertificate(TEST_HOLDERS.pharmacist);
    // Node prints one RDN per line, in encoding order, members of a multi-valued RDN joined by " + ".
    expect(new X509Certificate(der).subject).toBe('C=FR\ntitle=Pharmacien\nCN=899700000013 + SN=DUPONT + GN=Marie');
    // @peculiar/x509: three RDNs, the last one holding three attributes.
    const rdns = new x509.X509Certificate(der).subjectName.toJSON();
    expect(rdns).toEqual([{ C: ['FR'] }, { T: ['Pharmacien'] }, { CN: ['899700000013'], SN: ['DUPONT'], G: ['Marie'] }]);
    expect(readSubject(der)).toEqual({
      cn: '899700000013',
      surname: 'DUPONT',
      givenName: 'Marie',
      title: 'Pharmacien',
      country: 'FR',
    });
  });

  it("Node's legacy object flattens the subject into named fields too", async () => {
    const legacy = new X509Certificate(await authCertificate(TEST_HOLDERS.pharmacist)).toLegacyObject().subject;
    expect({ ...legacy }).toEqual({ C: 'FR', title: 'Pharmacien', CN: '899700000013', SN: 'DUPONT', GN: 'Marie' });
  });

  it('keeps accents (UTF8String) in names and professions', async () => {
    const der = await authCertificate(TEST_HOLDERS.doctor);
    expect(readSubject(der)).toMatchObject({ surname: 'LEFÈVRE', givenName: 'Hélène', title: 'Médecin' });
  });

  it('ADELI-only professional: CN=0<ADELI>', async () => {
    const der = await authCertificate(TEST_HOLDERS.nurse);
    expect(readSubject(der).cn).toBe(`0${TEST_HOLDERS.nurse.adeli}`);
  });

  it('CPE: O=pharmacy, OU=1<FINESS>, the CPE title, pseudonym, CN=3<FINESS>/<id>', async () => {
    const der = await authCertificate(TEST_HOLDERS.employee);
    expect(new X509Certificate(der).subject).toBe(
      'O=PHARMACIE DU CENTRE TEST\nOU=1990000017\ntitle=Carte de service santé ou social\n' +
        'pseudonym=EMPLOYE 0001\nCN=3990000017/0001',
    );
    expect(readSubject(der).cn).toBe('3990000017/0001');
  });

  it('round-trips any non-blank surname, given name and profession', async () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter((s) => s.trim() !== '');
    await fc.assert(
      fc.asyncProperty(text, text, text, fc.integer({ min: 0, max: 9_999_999 }), async (surname, givenName, profession, seed) => {
        const holder: CardHolder = { kind: 'cps', rpps: makeTestRpps(seed), surname, givenName, profession };
        expect(readSubject(await authCertificate(holder))).toEqual({
          cn: `8${holder.rpps}`,
          surname,
          givenName,
          title: profession,
          country: 'FR',
        });
      }),
      { numRuns: 15 },
    );
  });

  it('refuses holders it cannot issue, naming the field (never issuing a malformed card)', async () => {
    const cases: Array<[Partial<CardHolder>, string]> = [
      [{ rpps: '99700000014' }, 'rpps'], // Luhn fails
      [{ rpps: undefined }, 'rpps'], // neither RPPS nor ADELI
      [{ adeli: '123', rpps: undefined }, 'adeli'],
      [{ surname: '  ' }, 'surname'],
      [{ kind: 'cpe', finess: undefined }, 'finess'],
      [{ kind: 'cpe', finess: '990000017', employeeId: 'a/b' }, 'employeeId'],
    ];
    for (const [change, field] of cases) {
      const holder = { ...TEST_HOLDERS.pharmacist, ...change } as CardHolder;
      const error = await issueCardCredentials(holder).catch((e: unknown) => e);
      expect(isEcpsError(error, 'InvalidHolder'), field).toBe(true);
      expect((error as { details: Record<string, unknown> }).details.field).toBe(field);
      expect(() => checkHolder(holder)).toThrow();
    }
    expect(nationalId(TEST_HOLDERS.pharmacist)).toBe('899700000013');
  });
});
