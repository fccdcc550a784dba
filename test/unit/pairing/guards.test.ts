import { describe, expect, it } from 'vitest';
import { checkUpgrade, hostFor } from '../../../src-main/pairing/upgrade-guard';
import { parseRelayJoin, relayJoinUrl } from '../../../src-main/pairing/relay';
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

describe('relay join', () => {
  it('parses what relayJoinUrl writes and nothing else', () => {
    const session = 'A'.repeat(22);
    const url = new URL(relayJoinUrl('ws://h:1/relay', session, 'phone'));
    expect(parseRelayJoin(url.pathname + url.search)).toEqual({ session, role: 'phone' });
    expect(parseRelayJoin(`/relay?session=${session}&role=admin`)).toBeUndefined();
    expect(parseRelayJoin('/relay?session=short&role=phone')).toBeUndefined();
    expect(parseRelayJoin(`/other?session=${session}&role=phone`)).toBeUndefined();
  });
});
