/**
 * What every ActivationAuthority must do, run against the in-process sandbox (unit) and the
 * HTTP client talking to the standalone sandbox server (integration): the same calls give
 * the same answers and the same error codes, whichever transport the companion uses.
 */
import { constants, sign } from 'node:crypto';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { ActivationAuthority } from '../../../src-shared/activation-authority';
import { isEcpsError } from '../../../src-shared/errors';
import type { OutboxMessage } from '../../../simulators/authority/state';
import { issueCardCredentials, makeTestRpps, TEST_HOLDERS, type CardCredentials, type CardHolder, type IssueOptions } from '../../../simulators/pki/index';

export interface AuthorityUnderTest {
  authority: ActivationAuthority;
  outbox(): Promise<OutboxMessage[]>;
  close(): Promise<void>;
}

export const PHARMACIST = TEST_HOLDERS.pharmacist.rpps; // contact on file
export const NO_CONTACT = makeTestRpps(3);
export const EMAIL_ONLY = makeTestRpps(4);
export const NURSE_ADELI = TEST_HOLDERS.nurse.adeli;

/** What CpsCard.authenticate returns on a CPS3: RSASSA-PKCS1-v1_5 / SHA-256 over the challenge. */
export function cardSignature(card: CardCredentials, challenge: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha256', challenge, { key: card.authentication.privateKey, padding: constants.RSA_PKCS1_PADDING }));
}

export async function card(holder: CardHolder = TEST_HOLDERS.pharmacist, options: IssueOptions = {}): Promise<CardCredentials> {
  return issueCardCredentials(holder, options);
}

/** Resolves to the error code the promise rejects with (fails the test if it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isEcpsError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

export async function lastSms(u: AuthorityUnderTest, activationId: string): Promise<string> {
  const sms = (await u.outbox()).filter((m) => m.channel === 'sms' && m.activationId === activationId).at(-1);
  if (!sms?.code) throw new Error('no SMS in the outbox');
  return sms.code;
}

const PHONE = { phonePublicKey: new Uint8Array(32).fill(7), passwordVerifier: new Uint8Array(32).fill(9) };

export function describeAuthorityContract(name: string, open: () => Promise<AuthorityUnderTest>): void {
  describe(`ActivationAuthority contract: ${name}`, () => {
    let u: AuthorityUnderTest;
    let a: ActivationAuthority;
    beforeAll(async () => {
      u = await open();
      a = u.authority;
    });
    afterAll(() => u.close());

    it('says which authority it is, in French and English, and gives its time', async () => {
      const d = await a.describe();
      expect(d.kind).toBe('sandbox');
      expect(d.label.fr).toMatch(/test/i);
      expect(d.label.en).toMatch(/sandbox/i);
      const t = await a.serverTime();
      expect(Math.abs(Date.parse(t.serverTime) - Date.now())).toBeLessThan(5_000);
      expect(Math.abs(t.skewMs)).toBeLessThan(5_000);
    });

    it('looks a pharmacist up with masked contact details only', async () => {
      const found = await a.lookupProfessional(PHARMACIST);
      expect(found).toEqual({ idNat: `8${PHARMACIST}`, kind: 'rpps', contactOnFile: true, maskedEmail: 'ma•••@exemple.test', maskedPhone: '06 •• •• •• 13', cardRequired: false });
      expect(await a.lookupProfessional(`8${PHARMACIST}`)).toEqual(found);
      expect((await a.lookupProfessional(NO_CONTACT)).contactOnFile).toBe(false);
      expect((await a.lookupProfessional(EMAIL_ONLY)).contactOnFile).toBe(false);
    });

    it('refuses an RPPS with a wrong Luhn key, and an unknown professional', async () => {
      const wrongKey = PHARMACIST.slice(0, 10) + String((Number(PHARMACIST.at(-1)) + 1) % 10);
      expect(await codeOf(a.lookupProfessional(wrongKey))).toBe('NationalIdInvalid');
      expect(await codeOf(a.lookupProfessional('12345'))).toBe('NationalIdInvalid');
      expect(await codeOf(a.lookupProfessional(makeTestRpps(999)))).toBe('ProfessionalUnknown');
    });

    it('tells an ADELI professional that the card is needed', async () => {
      expect(await a.lookupProfessional(NURSE_ADELI)).toMatchObject({ kind: 'adeli', cardRequired: true, idNat: `0${NURSE_ADELI}` });
      expect(await codeOf(a.requestWithoutCard({ idNat: NURSE_ADELI }))).toBe('CardRequired');
      expect(await codeOf(a.requestWithoutCard({ idNat: NO_CONTACT }))).toBe('ContactDetailsMissing');
    });

    it('activates with the card: challenge, card signature, phone registered', async () => {
      const c = await card();
      const started = await a.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '2024-06' });
      expect(started.challenge.length).toBe(32);
      const holder = await a.proveCard({ activationId: started.activationId, signature: cardSignature(c, started.challenge), algorithm: 'RSASSA-PKCS1-v1_5-SHA256' });
      expect(holder).toMatchObject({ idNat: `8${PHARMACIST}`, kind: 'rpps', surname: 'DUPONT', givenName: 'Marie', profession: 'Pharmacien' });
      const record = await a.registerPhone({ activationId: started.activationId, ...PHONE });
      expect(record).toMatchObject({ status: 'completed', mode: 'with-card', cguVersion: '2024-06', holder: { surname: 'DUPONT' } });
      expect(record.phoneKeySha256).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(record)).not.toContain('passwordVerifier');
      expect(await a.getActivation(started.activationId)).toEqual(record);
      expect((await a.listActivations()).map((r) => r.activationId)).toContain(started.activationId);
      expect(await codeOf(a.registerPhone({ activationId: started.activationId, ...PHONE }))).toBe('ActivationWrongStep');
    });

    it('refuses expired, not-yet-valid, impostor and establishment cards', async () => {
      const start = async (c: CardCredentials) => codeOf(a.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '2024-06' }));
      expect(await start(await card(TEST_HOLDERS.pharmacist, { variant: 'expired' }))).toBe('CertificateExpired');
      expect(await start(await card(TEST_HOLDERS.pharmacist, { variant: 'not-yet-valid' }))).toBe('CertificateNotYetValid');
      expect(await start(await card(TEST_HOLDERS.pharmacist, { issuer: 'impostor' }))).toBe('CertificateUntrusted');
      expect(await start(await card(TEST_HOLDERS.employee))).toBe('CardNotEligible');
      expect(await codeOf(a.startWithCard({ certificateDer: new Uint8Array([0x30, 0x03, 1, 2, 3]), cguVersion: '2024-06' }))).toBe('CertificateMalformed');
    });

    it('refuses a signature over another challenge, and the challenge is then spent', async () => {
      const c = await card();
      const started = await a.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '2024-06' });
      const other = new Uint8Array(started.challenge).map((b) => b ^ 0xff);
      const prove = (challenge: Uint8Array) =>
        a.proveCard({ activationId: started.activationId, signature: cardSignature(c, challenge), algorithm: 'RSASSA-PKCS1-v1_5-SHA256' });
      expect(await codeOf(prove(other))).toBe('SignatureInvalid');
      expect(await codeOf(prove(started.challenge))).toBe('ActivationWrongStep');
      expect((await a.getActivation(started.activationId)).status).toBe('locked');
    });

    it('does not register a phone before the card is proved', async () => {
      const c = await card();
      const started = await a.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '2024-06' });
      expect(await codeOf(a.registerPhone({ activationId: started.activationId, ...PHONE }))).toBe('ActivationWrongStep');
      expect(await codeOf(a.getActivation('A'.repeat(22)))).toBe('ActivationUnknown');
    });

    it('activates without the card: QR by e-mail, SMS code, phone registered', async () => {
      const request = await a.requestWithoutCard({ idNat: PHARMACIST, qrPayload: 'ECPS1:test-payload' });
      expect(request.sentTo).toBe('ma•••@exemple.test');
      const mail = (await u.outbox()).find((m) => m.activationId === request.activationId && m.channel === 'email');
      expect(mail).toMatchObject({ to: 'marie.dupont@exemple.test', qrPayload: 'ECPS1:test-payload' });
      const sms = await a.sendSmsCode(request.activationId);
      expect(sms).toMatchObject({ sentTo: '06 •• •• •• 13', attemptsLeft: 3 });
      const code = await lastSms(u, request.activationId);
      const wrong = code === '000000' ? '000001' : '000000';
      expect(await codeOf(a.verifySmsCode(request.activationId, wrong))).toBe('SmsCodeIncorrect');
      expect(await a.verifySmsCode(request.activationId, code)).toEqual({ activationId: request.activationId, verified: true });
      expect(await a.registerPhone({ activationId: request.activationId, ...PHONE })).toMatchObject({ status: 'completed', mode: 'without-card' });
    });

    it('mails a placeholder QR when the caller gives none', async () => {
      const request = await a.requestWithoutCard({ idNat: PHARMACIST });
      const mail = (await u.outbox()).find((m) => m.activationId === request.activationId);
      expect(mail?.qrPayload).toMatch(/^ecps-sandbox-placeholder:/);
    });

    it('locks the activation after 3 wrong SMS codes, counting down', async () => {
      const request = await a.requestWithoutCard({ idNat: PHARMACIST });
      await a.sendSmsCode(request.activationId);
      const code = await lastSms(u, request.activationId);
      const wrong = code === '111111' ? '222222' : '111111';
      const attempt = () => a.verifySmsCode(request.activationId, wrong).catch((e: unknown) => e as { code: string; details: Record<string, unknown> });
      expect(await attempt()).toMatchObject({ code: 'SmsCodeIncorrect', details: { attemptsLeft: 2 } });
      expect(await attempt()).toMatchObject({ code: 'SmsCodeIncorrect', details: { attemptsLeft: 1 } });
      expect(await attempt()).toMatchObject({ code: 'SmsAttemptsExhausted' });
      expect(await codeOf(a.verifySmsCode(request.activationId, code))).toBe('ActivationWrongStep');
      expect((await a.getActivation(request.activationId)).status).toBe('locked');
    });
  });
}
