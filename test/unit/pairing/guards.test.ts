import { describe, expect, it } from 'vitest';
import { firstFrameVerdict } from '../../../src-main/pairing/pairing-listener';
import { checkUpgrade, hostFor } from '../../../src-main/pairing/upgrade-guard';
import { PairingClose, parseFrame } from '../../../src-shared/pairing-protocol';

describe('upgrade guard', () => {
  const policy = { expectedHost: '192.168.1.20:51234', allowedOrigins: ['http://192.168.1.20:8080'] };
  const req = (url: string, headers: Record<string, string>) => ({ url, headers });
  it('accepts the native phone (no Origin) and our own page', () => {
    expect(checkUpgrade(req('/pair', { host: '192.168.1.20:51234' }), policy)).toEqual({ ok: true });
    expect(checkUpgrade(req('/pair', { host: '192.168.1.20:51234', origin: 'http://192.168.1.20:8080' }), policy)).toEqual({ ok: true });
  });
  it.each([
    ['another path', '/', { host: '192.168.1.20:51234' }, 404],
    ['a query string', '/pair?token=x', { host: '192.168.1.20:51234' }, 404],
    ['no Host', '/pair', {}, 403],
    ['a rebinding host name', '/pair', { host: 'attacker.example:51234' }, 403],
    ['the right IP on another port', '/pair', { host: '192.168.1.20:80' }, 403],
    ['a browser page', '/pair', { host: '192.168.1.20:51234', origin: 'https://evil.example' }, 403],
    ['an opaque origin', '/pair', { host: '192.168.1.20:51234', origin: 'null' }, 403],
  ])('refuses %s', (_n, url, headers, status) => {
    expect(checkUpgrade(req(url, headers), policy)).toMatchObject({ ok: false, status });
  });
  it('writes IPv6 hosts in brackets', () => {
    expect(hostFor('fe80::1', 4000)).toBe('[fe80::1]:4000');
  });
});

describe('frame parsing', () => {
  it('gives each kind of bad input its own close code', () => {
    expect(parseFrame('nope', ['hello'])).toMatchObject({ ok: false, close: PairingClose.InvalidJson });
    expect(parseFrame('[]', ['hello'])).toMatchObject({ ok: false, close: PairingClose.UnknownType });
    expect(parseFrame('{"type":"__proto__"}', ['hello'])).toMatchObject({ ok: false, close: PairingClose.UnknownType });
    expect(parseFrame('{"type":"bye","reason":"x"}', ['hello'])).toMatchObject({ ok: false, close: PairingClose.UnexpectedMessage });
    expect(parseFrame('{"type":"bye","reason":5}', ['bye'])).toMatchObject({ ok: false, close: PairingClose.InvalidMessage });
    expect(parseFrame('{"type":"bye","reason":"x","extra":1}', ['bye'])).toMatchObject({ ok: false, close: PairingClose.InvalidMessage });
    expect(parseFrame('{"type":"bye","reason":"x"}', ['bye'])).toEqual({ ok: true, message: { type: 'bye', reason: 'x' } });
  });
  it('refuses a password request weaker than 10 000 PBKDF2 rounds', () => {
    const salt = 'AAAAAAAAAAAAAAAAAAAAAA';
    expect(parseFrame(`{"type":"password-request","salt":"${salt}","iterations":1000}`, ['password-request'])).toMatchObject({ ok: false });
  });
});

describe('first frame header check (before ws reads a byte of it)', () => {
  // Client frames are masked (0x80 in byte 1); RFC 6455 §5.2 lengths: 7 bits, 16 bits (126), 64 bits (127).
  const frame = (len7: number, ext: number[] = []) => Buffer.from([0x81, 0x80 | len7, ...ext]);
  it.each([
    ['an empty chunk', Buffer.alloc(0), 'more'],
    ['one byte', Buffer.from([0x81]), 'more'],
    ['a 125-byte hello', frame(125), 'ok'],
    ['a 16-bit length within the limit', frame(126, [0x04, 0x00]), 'ok'],
    ['a 16-bit length one over', frame(126, [0x04, 0x01]), 'too-big'],
    ['a 16-bit length still incomplete', frame(126, [0x04]), 'more'],
    ['a 64-bit length', frame(127, [0, 0, 0, 0, 0, 0, 0, 1]), 'too-big'],
    ['a 64-bit length, header incomplete', frame(127), 'too-big'],
  ])('%s → %s', (_name, header, verdict) => {
    expect(firstFrameVerdict(header, 1024)).toBe(verdict);
  });
});
