import { describe, expect, it } from 'vitest';
import { SandboxAuthority, SMS_SEND_LIMIT } from '../../../simulators/authority/index';
import { qrValidity } from '../../../simulators/authority/sandbox-authority';
import { TEST_HOLDERS } from '../../../simulators/pki/index';
import { card, cardSignature, codeOf, describeAuthorityContract, PHARMACIST } from './authority-contract';

describeAuthorityContract('in-process sandbox', async () => {
  const authority = new SandboxAuthority();
  return { authority, outbox: async () => authority.outbox(), close: async () => undefined };
});

describe('the in-process sandbox authority', () => {
  it('says it runs in-process', async () => {
    expect(await new SandboxAuthority().describe()).toMatchObject({ transport: 'in-process', url: 'in-process:sandbox' });
  });

  it('refuses a card proof after the challenge has expired', async () => {
    let now = new Date();
    const a = new SandboxAuthority({ now: () => now });
    const c = await card();
    const started = await a.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '1' });
    now = new Date(now.getTime() + 3 * 60_000);
    const proof = a.proveCard({ activationId: started.activationId, signature: cardSignature(c, started.challenge), algorithm: 'RSASSA-PKCS1-v1_5-SHA256' });
    expect(await codeOf(proof)).toBe('ActivationExpired');
  });

  it('refuses a card that expired between the challenge and the proof', async () => {
    let now = new Date();
    const a = new SandboxAuthority({ now: () => now });
    const soon = new Date(now.getTime() + 60_000);
    const c = await card(TEST_HOLDERS.pharmacist, { notBefore: new Date(now.getTime() - 86_400_000), notAfter: soon });
    const started = await a.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '1' });
    now = new Date(soon.getTime() + 5_000);
    const proof = a.proveCard({ activationId: started.activationId, signature: cardSignature(c, started.challenge), algorithm: 'RSASSA-PKCS1-v1_5-SHA256' });
    expect(await codeOf(proof)).toBe('CertificateExpired');
  });

  it('refuses an SMS code once it has expired, and everything once the activation has', async () => {
    let now = new Date();
    const a = new SandboxAuthority({ now: () => now });
    const request = await a.requestWithoutCard({ idNat: PHARMACIST });
    await a.sendSmsCode(request.activationId);
    const code = a.outbox().at(-1)!.code!;
    now = new Date(now.getTime() + 11 * 60_000);
    expect(await codeOf(a.verifySmsCode(request.activationId, code))).toBe('ActivationExpired');
    now = new Date(now.getTime() + 25 * 3_600_000);
    expect(await codeOf(a.sendSmsCode(request.activationId))).toBe('ActivationExpired');
  });

  it(`sends at most ${SMS_SEND_LIMIT} SMS per activation (each renews the code and the attempts)`, async () => {
    const a = new SandboxAuthority();
    const request = await a.requestWithoutCard({ idNat: PHARMACIST });
    for (let i = 0; i < SMS_SEND_LIMIT; i++) await a.sendSmsCode(request.activationId);
    expect(await codeOf(a.sendSmsCode(request.activationId))).toBe('SmsSendLimit');
    const codes = a.outbox().filter((m) => m.channel === 'sms').map((m) => m.code);
    expect(codes).toHaveLength(SMS_SEND_LIMIT);
    // Only the last code counts.
    expect(await a.verifySmsCode(request.activationId, codes.at(-1)!)).toMatchObject({ verified: true });
  });

  it('accepts only the configured CGU versions when told to', async () => {
    const a = new SandboxAuthority({ acceptedCguVersions: ['2025-01'] });
    const c = await card();
    expect(await codeOf(a.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '2019-01' }))).toBe('CguVersionUnsupported');
    await expect(a.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '2025-01' })).resolves.toHaveProperty('activationId');
  });

  it('keeps the SMS code and the password verifier out of every record', async () => {
    const a = new SandboxAuthority();
    const request = await a.requestWithoutCard({ idNat: PHARMACIST });
    await a.sendSmsCode(request.activationId);
    const code = a.outbox().at(-1)!.code!;
    const record = JSON.stringify(await a.listActivations());
    expect(record).not.toContain(code);
    expect(record).not.toMatch(/smsCodeHash|passwordVerifier|challenge/);
  });
});

describe('the e-mailed QR validity', () => {
  // The companion's screen says the same clause (test/unit/renderer/activation-views.test.ts).
  it('gives the hour the same day, and the day with it past midnight', () => {
    const at = (h: number, m: number, day = 4) => new Date(2026, 11, day, h, m);
    expect(qrValidity(at(15, 42), at(15, 12))).toBe('Ce QR code est valable 30 minutes, jusqu’à 15:42.');
    expect(qrValidity(at(0, 1, 5), at(23, 31))).toBe('Ce QR code est valable 30 minutes, jusqu’au 5 décembre à 00:01.');
    expect(qrValidity(at(23, 32), at(23, 31))).toBe('Ce QR code est valable 1 minute, jusqu’à 23:32.');
    expect(qrValidity(new Date(2027, 0, 1, 0, 10), new Date(2026, 11, 31, 23, 40))).toBe('Ce QR code est valable 30 minutes, jusqu’au 1er janvier à 00:10.');
  });
});
