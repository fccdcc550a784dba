/**
 * Hostile inputs for the redaction pass: whatever a caller puts in a log line, no PIN, PUK,
 * password, token or QR payload may reach the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretKey, redact, redactText } from '../../../src-main/logging/redact';
import { createLogger } from '../../../src-main/logging/logger';

const TOKEN = 'a3f1'.repeat(16); // 64 hex: the web shell token's shape
const text = (v: unknown) => JSON.stringify(redact(v));

describe('redaction by key', () => {
  it.each(['pin', 'PIN', 'newPin', 'pin_code', 'puk', 'password', 'ecpsPassword', 'first_password', 'motDePasse', 'mot_de_passe', 'token', 'accessToken', 'x-auth-token', 'qrPayload', 'payload', 'secret', 'clientSecret', 'authorization', 'Cookie', 'smsCode', 'codePorteur', 'otp'])(
    '%s is emptied whatever its value',
    (key) => {
      expect(isSecretKey(key)).toBe(true);
      const out = redact({ [key]: '1234', nested: { [key]: { deep: 'abc' } }, list: [{ [key]: 42 }] }) as Record<string, unknown>;
      expect(JSON.stringify(out)).not.toMatch(/1234|abc|42/);
      expect(out[key]).toBe(REDACTED);
    },
  );

  it.each(['version', 'demo', 'shell', 'reader', 'code', 'spinning', 'mapping', 'opinion', 'triesLeft', 'authority'])('%s stays readable', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it('an error code stays, a digit code is cut', () => {
    expect(redact({ code: 'SettingsWriteFailed' })).toEqual({ code: 'SettingsWriteFailed' });
    expect(redact({ code: '482913' })).toEqual({ code: REDACTED });
    expect(redact({ smsCode: 482913 })).toEqual({ smsCode: REDACTED });
  });
});

describe('redaction by value (messages, URLs, stacks)', () => {
  it.each([
    [`open http://127.0.0.1:4321/#token=${TOKEN}`, TOKEN],
    [`GET /ipc?token=${TOKEN}&x=1`, TOKEN],
    ['url: https://x.example/cb?code=998877&state=1', '998877'],
    ['QR ecps1:eyJ2IjoxLCJrIjoiQUJDREVGIn0.c2ln shown', 'eyJ2IjoxLCJrIjoiQUJDREVGIn0'],
    ['payload "ECPS1:AAAA-BBBB"', 'AAAA-BBBB'],
    ['pin: 1234', '1234'],
    ['PIN=0000 refused', '0000'],
    ['wrong pin 4321 entered', '4321'],
    ['{"pin":"5678"}', '5678'],
    ["password '2468' too simple", '2468'],
    ['mot de passe : 1357', '1357'],
    ['code porteur 9753', '9753'],
    ['PUK 12345678 used', '12345678'],
    ['code de déblocage: 87654321', '87654321'],
    ['Authorization: Bearer eyJhbGciOi.payload.sig', 'eyJhbGciOi'],
    ['APDU 00 20 00 01 08 31 32 33 34 FF FF FF FF', '31 32 33 34'],
    ['APDU 0020000108313233344646464646', '3132333446'],
    ['RESET RETRY COUNTER 00 2C 00 01 10 31 32 33 34 35 36 37 38 31 32 33 34 FF FF FF FF', '35 36 37 38'],
    [`session key ${'0f'.repeat(32)}`, '0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f'],
  ])('%s', (input, secret) => {
    const out = redactText(input);
    expect(out).not.toContain(secret);
    expect(text({ message: input })).not.toContain(secret);
    expect(text(new Error(input))).not.toContain(secret);
  });

  it('leaves the useful facts: error codes, reader names, ATRs, status words, versions', () => {
    const facts = 'PinLastTryNeedsConfirmation on "Lecteur virtuel 00", ATR 3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00, SW 63 C2, v0.1.0, 3 tries';
    expect(redactText(facts)).toBe(facts);
  });

  it('errors: message, stack and cause are scrubbed; bytes are never dumped', () => {
    const inner = new Error(`bind failed #token=${TOKEN}`);
    const outer = new Error('pin 1234 refused', { cause: inner });
    const out = text({ error: outer, pinBlock: new Uint8Array([0x31, 0x32, 0x33, 0x34]), buffer: Buffer.from('1234') });
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('1234');
    expect(out).toContain('[4 bytes]');
  });

  it('cycles and depth do not break it', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    let deep: Record<string, unknown> = { pin: '1234' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(() => text({ a, deep })).not.toThrow();
    expect(text({ a, deep })).not.toContain('1234');
  });

  it('property: a 4-digit PIN after any of its labels never survives', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pin', 'PIN', 'Pin', 'code', 'password', 'mot de passe', 'puk', 'PUK'),
        fc.constantFrom(': ', '=', ' ', ' = ', '":"', ": '"),
        fc.stringMatching(/^[0-9]{4}$/),
        fc.string({ maxLength: 20 }).filter((s) => !/[0-9]/.test(s)),
        (label, sep, pin, around) => {
          expect(redactText(`${around}${label}${sep}${pin}${around}`)).not.toContain(pin);
        },
      ),
    );
  });
});

describe('the log file', () => {
  it('holds none of the secrets a careless caller hands in', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecps-redact-'));
    try {
      const logger = createLogger({ dir });
      logger.info('pin.verify', { pin: '1234', reader: 'Lecteur virtuel 00' });
      logger.warn('pairing', { url: `http://127.0.0.1:1/#token=${TOKEN}`, qr: 'ecps1:SECRETQR', note: 'password: 8642' });
      logger.error('internal-error', new Error(`choosePassword first=2468 second=2468 token=${TOKEN}`), { request: { first: '2468', second: '2468' } });
      const written = readFileSync(path.join(dir, 'compagnon-ecps.log'), 'utf8');
      for (const secret of ['1234', TOKEN, 'SECRETQR', '8642']) expect(written).not.toContain(secret);
      expect(written).toContain('Lecteur virtuel 00');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('issue 13 #10: what the probe got through', () => {
  const qrToken = 'dYw0JbNKQLgNG8i_eKjoFRW6FlwNf4FhUs8c6bHjzFE'; // 256-bit base64url, the QR's `t`
  const desktopKey = 'f8QmWeoTb3FZf9J9xtGjXeTIdVAHkHmH-68fFXHqwD0';
  it.each([
    ['a pairing token under key t', { t: qrToken }, [qrToken]],
    ['a decoded QR object', { qr: undefined, decoded: { d: 'ws://192.168.1.20:4000/pair', t: qrToken, k: desktopKey, r: { u: 'wss://relay', s: 'Zk3J9xQ2mB7pLw4cVn8Rtg' }, x: 1796396369876 } }, [qrToken, desktopKey, 'Zk3J9xQ2mB7pLw4cVn8Rtg']],
    ['a token in free text', `hello refused for ${qrToken}`, [qrToken]],
    ['"Code porteur refusé (1238)"', 'Code porteur refusé (1238)', ['1238']],
    ['mot_de_passe=4829', 'mot_de_passe=4829', ['4829']],
    ['motDePasse=4829 in a query', '/x?motDePasse=4829&a=1', ['4829']],
    ['"PIN: 12 39"', 'PIN: 12 39', ['12 39']],
    ['"PIN 12.39"', 'PIN 12.39', ['12.39']],
    ['a 6-digit code in free text', 'Le téléphone affiche 482913, saisissez-le', ['482913']],
    ['a 6-digit code written 482 913', 'code affiché : 482 913', ['482 913']],
    ['{ line: "1242" }', { line: '1242' }, ['1242']],
    ['an argv array with a PIN', ['node', 'ecps', 'pin', 'verify', '1234'], ['1234']],
    ['an argv array with flags', ['ecps', 'simulate', 'cps3', '--pin', 'abcd', '--puk=87654321', '--token', 'xyz'], ['abcd', '87654321', 'xyz']],
    ['an argv array with a QR payload', ['ecps', 'phone', 'ecps1:eyJkIjoid3M6Ly8'], ['eyJkIjoid3M6Ly8']],
  ] as [string, unknown, string[]][])('%s', (_name, input, secrets) => {
    const out = typeof input === 'string' ? redactText(input) : text(input);
    for (const secret of secrets) expect(out).not.toContain(secret);
  });

  it('still leaves the facts a technician needs', () => {
    const facts = [
      'PIN vérifié sur "Virtual PCD 00 00", SW 63 C2, 3 essais',
      'reader Virtual PCD 00 01 at 127.0.0.1:51234',
      'session 3f1c2b4e-9a0d-4c6e-8f21-5b7d9e0a1c33 started',
      'activation-without-card-national-identifier-step refused',
      'ATR 3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A',
      'answer SW 9000 after 0.8 s',
    ];
    for (const fact of facts) expect(redactText(fact)).toBe(fact);
  });
});
