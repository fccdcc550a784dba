import { beforeAll, describe, expect, it } from 'vitest';
import { formatName, identityFromCertificate, parseCertificate, verifyCertificateChain } from '../../../../src-main/card/cps/certificate';
import { issueCardCredentials, loadSandboxPki, sandboxTrustAnchors, TEST_HOLDERS } from '../../../../simulators/pki/index';

let issuingCa: Uint8Array;
beforeAll(async () => {
  issuingCa = (await loadSandboxPki()).sandbox.certificateDer;
});

describe('identity from a CPS certificate (domain.md §4)', () => {
  it('RPPS holder with accents: names, idNat, profession, issuer, validity', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const { authentication } = await issueCardCredentials(TEST_HOLDERS.doctor, { now });
    const identity = identityFromCertificate(authentication.certificateDer, now);
    expect(identity).toMatchObject({
      kind: 'cps',
      surname: 'LEFÈVRE',
      givenName: 'Hélène',
      idNat: `8${TEST_HOLDERS.doctor.rpps}`,
      rpps: TEST_HOLDERS.doctor.rpps,
      profession: 'Médecin',
      issuerCommonName: 'AC IGC-SANTE TEST FORT PERSONNES',
      status: 'valid',
    });
    expect(identity.issuer).toBe('CN=AC IGC-SANTE TEST FORT PERSONNES, OU=IGC-SANTE, OU=0002 187512751, O=ASIP-SANTE, C=FR');
    expect(identity.expiresInDays).toBe(Math.floor((identity.notAfter.getTime() - now.getTime()) / 86_400_000));
    const subject = formatName(parseCertificate(authentication.certificateDer).subject);
    expect(subject).toBe(`CN=8${TEST_HOLDERS.doctor.rpps}+SN=LEFÈVRE+GN=Hélène, title=Médecin, C=FR`);
  });

  it('ADELI holder: idNat 0<ADELI>, no RPPS', async () => {
    const { authentication } = await issueCardCredentials(TEST_HOLDERS.nurse);
    const identity = identityFromCertificate(authentication.certificateDer);
    expect(identity).toMatchObject({ idNat: `0${TEST_HOLDERS.nurse.adeli}`, adeli: TEST_HOLDERS.nurse.adeli, profession: 'Infirmier' });
    expect(identity.rpps).toBeUndefined();
  });

  it('CPE: 3<FINESS>/<id>, organisation', async () => {
    const { authentication } = await issueCardCredentials(TEST_HOLDERS.employee);
    const identity = identityFromCertificate(authentication.certificateDer);
    expect(identity).toMatchObject({
      kind: 'cpe',
      idNat: `3${TEST_HOLDERS.employee.finess}`,
      finess: TEST_HOLDERS.employee.finess,
      employeeId: TEST_HOLDERS.employee.employeeId,
      organization: TEST_HOLDERS.employee.organization,
    });
  });

  it('expired and not-yet-valid, with days until expiry', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const expired = await issueCardCredentials(TEST_HOLDERS.pharmacist, { now, variant: 'expired' });
    expect(identityFromCertificate(expired.authentication.certificateDer, now)).toMatchObject({ status: 'expired', expiresInDays: -1 });
    const early = await issueCardCredentials(TEST_HOLDERS.pharmacist, { now, variant: 'not-yet-valid' });
    expect(identityFromCertificate(early.authentication.certificateDer, now).status).toBe('not-yet-valid');
  });
});

describe('certificate chain', () => {
  it('valid through the issuing CA to the sandbox root; untrusted without the CA or under an impostor', async () => {
    const { authentication } = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    const anchors = sandboxTrustAnchors();
    const good = verifyCertificateChain(authentication.certificateDer, { trustAnchors: anchors, intermediates: [issuingCa] });
    expect(good.status).toBe('valid');
    expect(good.chain[2]).toContain('AC RACINE IGC-SANTE TEST FORT');
    const impostor = await issueCardCredentials(TEST_HOLDERS.pharmacist, { issuer: 'impostor' });
    const bad = verifyCertificateChain(impostor.authentication.certificateDer, { trustAnchors: anchors, intermediates: [issuingCa] });
    expect(bad.status).toBe('untrusted');
    expect(bad.reason.fr).toContain('non reconnue');
  });

  it('dates are checked at `now`, for every certificate of the chain', async () => {
    const { authentication } = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    const options = { trustAnchors: sandboxTrustAnchors(), intermediates: [issuingCa] };
    expect(verifyCertificateChain(authentication.certificateDer, { ...options, now: new Date('2100-01-01') }).status).toBe('expired');
    expect(verifyCertificateChain(authentication.certificateDer, { ...options, now: new Date('2000-01-01') }).status).toBe('not-yet-valid');
  });

  it('garbage is CpsDataMalformed', () => {
    expect(() => verifyCertificateChain(Uint8Array.of(1, 2, 3), { trustAnchors: [] })).toThrow(expect.objectContaining({ code: 'CpsDataMalformed' }));
    expect(() => parseCertificate(Uint8Array.of(0x30, 0x00))).toThrow(expect.objectContaining({ code: 'CpsDataMalformed' }));
  });
});
