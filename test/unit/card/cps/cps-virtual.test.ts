import { beforeAll, describe, expect, it } from 'vitest';
import { isEcpsError, type EcpsError } from '../../../../src-shared/errors';
import { CpsCard } from '../../../../src-main/card/cps/cps-card';
import { verifyCertificateChain } from '../../../../src-main/card/cps/certificate';
import { verifyAuthentication, verifyCardSignature } from '../../../../src-main/card/cps/cps-crypto';
import { loadSandboxPki, sandboxTrustAnchors, TEST_HOLDERS } from '../../../../simulators/pki/index';
import { openVirtual } from './virtual-cps';

async function failure(promise: Promise<unknown>): Promise<EcpsError> {
  try {
    await promise;
  } catch (error) {
    if (isEcpsError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

async function openCps(kind: 'cps3' | 'cps4', options: Parameters<typeof openVirtual>[1] = {}) {
  const opened = await openVirtual(kind, options);
  if (!(opened.application instanceof CpsCard)) throw new Error(`not a CPS: ${opened.identification.type}`);
  return { ...opened, cps: opened.application };
}

let intermediates: Uint8Array[] = [];
beforeAll(async () => {
  const pki = await loadSandboxPki();
  intermediates = [pki.sandbox.certificateDer];
});

describe.each(['cps3', 'cps4'] as const)('%s through the in-process reader', (kind) => {
  it('readIdentity shows the configured holder, from the authentication certificate', async () => {
    const { cps, exchanges } = await openCps(kind);
    const before = exchanges();
    const identity = await cps.readIdentity();
    const used = exchanges() - before;
    const holder = TEST_HOLDERS.pharmacist;
    expect(identity).toMatchObject({
      kind: 'cps',
      surname: holder.surname,
      givenName: holder.givenName,
      idNat: `8${holder.rpps}`,
      rpps: holder.rpps,
      profession: 'Pharmacien',
      generation: kind,
      serialNumber: '00012345',
      status: 'valid',
    });
    expect(identity.adeli).toBeUndefined();
    expect(identity.issuer).toContain('CN=AC IGC-SANTE TEST FORT PERSONNES');
    expect(identity.expiresInDays).toBeGreaterThan(1000);
    // SELECT AID; ODF, PrKDF, CDF: SELECT + 1 READ each; certificate: SELECT + 5 READs of ≤ 231
    // bytes for its 1 005 bytes (its length is in the CDF path). The serial came with identification.
    expect(used).toBe(13);
    // Cached for the card session: a second read costs nothing.
    const again = exchanges();
    await cps.readIdentity();
    expect(exchanges()).toBe(again);
  });

  it('pinStatus in the fewest APDUs: CPS3 SELECT MF + GET DATA + GET RESPONSE, CPS4 one empty VERIFY', async () => {
    const { cps, exchanges } = await openCps(kind);
    let mark = exchanges();
    expect(await cps.pinStatus()).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    expect(exchanges() - mark).toBe(kind === 'cps3' ? 3 : 2); // CPS4: + SELECT ChipDoc on channel 1, once
    mark = exchanges();
    await cps.pinStatus();
    expect(exchanges() - mark).toBe(kind === 'cps3' ? 2 : 1); // the MF (ChipDoc) is still current
  });

  it('PIN: 3/3, wrong → 2 left in French, 1 left needs confirmation (nothing sent), right → 3/3', async () => {
    const { cps, trace } = await openCps(kind);
    expect(await cps.pinStatus()).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    const wrong = await failure(cps.verifyPin('0000'));
    expect(wrong.code).toBe('PinIncorrect');
    expect(wrong.text('fr')).toBe('Code porteur incorrect : il reste 2 essais.');
    await failure(cps.verifyPin('1111'));
    expect(await cps.pinStatus()).toMatchObject({ triesLeft: 1 });
    const verifies = () => trace.list().filter((e: { command: string }) => /^0[01] 20 00 0[12] 08/.test(e.command)).length;
    const sent = verifies();
    expect((await failure(cps.verifyPin('1234'))).code).toBe('PinLastTryNeedsConfirmation');
    expect(verifies()).toBe(sent);
    expect(await cps.verifyPin('1234', { confirmLastTry: true })).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    expect(await cps.pinStatus()).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
  });

  it('a blocked PIN is unblocked with the PUK, then the new PIN works; change PIN too', async () => {
    const { cps } = await openCps(kind, { variant: 'blocked' });
    expect(await cps.pinStatus()).toMatchObject({ triesLeft: 0, blocked: true });
    expect((await failure(cps.verifyPin('1234'))).code).toBe('PinBlocked');
    const wrongPuk = await failure(cps.unblockPin('87654321', '2468'));
    expect(wrongPuk.text('fr')).toBe('Code de déblocage incorrect : il reste 9 essais.');
    expect(await cps.unblockPin('12345678', '2468')).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    await cps.verifyPin('2468');
    await cps.changePin('2468', '1357');
    expect((await failure(cps.verifyPin('2468'))).code).toBe('PinIncorrect');
    await cps.verifyPin('1357');
  });

  it('PUK with one try left needs confirmation', async () => {
    const { cps } = await openCps(kind, { variant: 'puk-1-left' });
    if (kind === 'cps3') expect(await cps.pukStatus()).toMatchObject({ triesLeft: 1, maxTries: 10, usesLeft: 100 });
    expect((await failure(cps.unblockPin('12345678', '2468'))).code).toBe('PinLastTryNeedsConfirmation');
    expect(await cps.unblockPin('12345678', '2468', { confirmLastTry: true })).toMatchObject({ triesLeft: 3 });
  });

  it('authenticate: the signature verifies with the authentication certificate (after the PIN)', async () => {
    const { cps } = await openCps(kind);
    const challenge = new TextEncoder().encode(`challenge ${kind} ${Date.now()}`);
    expect((await failure(cps.authenticate(challenge))).code).toBe('SecurityStatusNotSatisfied');
    await cps.verifyPin('1234');
    const result = await cps.authenticate(challenge);
    expect(result.signature).toHaveLength(256);
    expect(verifyAuthentication(challenge, result)).toBe(true);
    expect(verifyAuthentication(new TextEncoder().encode('another challenge'), result)).toBe(false);
    expect(result.certificateDer).toEqual(await cps.readAuthenticationCertificate());
  });

  it('sign needs the PIN (typed error), then verifies with the signature certificate', async () => {
    const { cps } = await openCps(kind);
    const data = new TextEncoder().encode('ordonnance n° 42');
    const refused = await failure(cps.sign(data));
    expect(refused.code).toBe('SecurityStatusNotSatisfied');
    expect(refused.text('fr')).toBe('La carte exige le code porteur avant cette opération.');
    await cps.verifyPin('1234');
    const result = await cps.sign(data);
    expect(result.algorithm).toBe(kind === 'cps3' ? 'RSASSA-PKCS1-v1_5-SHA256' : 'RSASSA-PSS-SHA256');
    expect(verifyCardSignature(data, result)).toBe(true);
    expect(result.certificateDer).toEqual(await cps.readSignatureCertificate());
  });

  it('the certificate chains to the sandbox anchors through the issuing CA', async () => {
    const { cps } = await openCps(kind);
    const der = await cps.readAuthenticationCertificate();
    const verdict = verifyCertificateChain(der, { trustAnchors: sandboxTrustAnchors(), intermediates });
    expect(verdict.status).toBe('valid');
    expect(verdict.chain).toHaveLength(3);
    expect(verifyCertificateChain(der, { trustAnchors: sandboxTrustAnchors() }).status).toBe('untrusted');
    expect(verifyCertificateChain(der, { trustAnchors: [], intermediates }).status).toBe('untrusted');
  });
});

describe('validity variants and CPE', () => {
  it('an expired card says expired, in identity and chain', async () => {
    const { cps } = await openCps('cps3', { variant: 'expired' });
    const identity = await cps.readIdentity();
    expect(identity.status).toBe('expired');
    expect(identity.expiresInDays).toBeLessThan(0);
    const verdict = verifyCertificateChain(await cps.readAuthenticationCertificate(), { trustAnchors: sandboxTrustAnchors(), intermediates });
    expect(verdict.status).toBe('expired');
    expect(verdict.reason.fr).toContain('expiré');
  });

  it('a card not yet valid says so', async () => {
    const { cps } = await openCps('cps3', { variant: 'not-yet-valid' });
    expect((await cps.readIdentity()).status).toBe('not-yet-valid');
  });

  it('a CPE card gives the FINESS and the employee id', async () => {
    const { cps } = await openCps('cps3', { variant: 'cpe' });
    const identity = await cps.readIdentity();
    const employee = TEST_HOLDERS.employee;
    expect(identity).toMatchObject({ kind: 'cpe', idNat: `3${employee.finess}`, finess: employee.finess, employeeId: employee.employeeId });
    expect(identity.rpps).toBeUndefined();
  });
});
