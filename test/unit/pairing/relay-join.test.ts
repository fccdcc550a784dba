/**
 * The one relay join form (src-shared/pairing-protocol.ts): what the desktop and the phone
 * write with `relayJoinUrl`, and what both relays (the test hub in src-main/pairing/relay.ts
 * and the sandbox authority's) read with `parseRelayJoin` — one table, one function.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRelayJoin, relayJoinUrl, toBase64Url } from '../../../src-shared/pairing-protocol';

const s16 = toBase64Url(new Uint8Array(16).fill(7)); // 22 chars, the desktop's size
const s48 = toBase64Url(new Uint8Array(48).fill(200)); // 64 chars, the largest a QR may carry
const s15 = toBase64Url(new Uint8Array(15).fill(1)); // 20 chars: < 128 bits
const s49 = toBase64Url(new Uint8Array(49).fill(1)); // 66 chars
const nonCanonical = s16.slice(0, 21) + 'B'; // 22 chars whose trailing bits are not zero

describe('relay join URLs', () => {
  it.each([
    ['the hub path', `/relay?session=${s16}&role=desktop`, { session: s16, role: 'desktop' }],
    ['the authority path (trailing slash)', `/relay/?session=${s16}&role=phone`, { session: s16, role: 'phone' }],
    ['parameters in the other order', `/relay?role=phone&session=${s48}`, { session: s48, role: 'phone' }],
    ['a full ws URL', `ws://192.168.1.20:8443/relay/?session=${s16}&role=desktop`, { session: s16, role: 'desktop' }],
    ['a wss URL', `wss://relay.example/relay?session=${s48}&role=phone`, { session: s48, role: 'phone' }],
  ])('accepts %s', (_name, url, join) => {
    expect(parseRelayJoin(url)).toEqual(join);
  });

  it.each([
    ['nothing', undefined],
    ['an empty target', ''],
    ['another path', `/other?session=${s16}&role=phone`],
    ['a longer path', `/relay/x?session=${s16}&role=phone`],
    ['the old path form', `/relay/${s16}`],
    ['the path as a prefix', `/relayed?session=${s16}&role=phone`],
    ['no session', '/relay?role=phone'],
    ['no role', `/relay?session=${s16}`],
    ['an unknown role', `/relay?session=${s16}&role=admin`],
    ['a role in capitals', `/relay?session=${s16}&role=Phone`],
    ['a short session', '/relay?session=short&role=phone'],
    ['a session under 16 bytes', `/relay?session=${s15}&role=phone`],
    ['a session over 48 bytes', `/relay?session=${s49}&role=phone`],
    ['a 65-character session', `/relay?session=${'A'.repeat(65)}&role=phone`],
    ['a session with base64 (not url) characters', `/relay?session=${s16.slice(0, 20)}%2B%2F&role=phone`],
    ['padding', `/relay?session=${s16}%3D%3D&role=phone`],
    ['non-canonical base64url', `/relay?session=${nonCanonical}&role=phone`],
    ['two sessions', `/relay?session=${s16}&session=${s48}&role=phone`],
    ['two roles', `/relay?session=${s16}&role=phone&role=desktop`],
    ['a huge target', `/relay?session=${s16}&role=phone&pad=${'x'.repeat(600)}`],
  ])('refuses %s', (_name, url) => {
    expect(parseRelayJoin(url)).toBeUndefined();
  });

  it('reads back exactly what relayJoinUrl writes, for both relay URL forms and both roles', () => {
    const session = fc.uint8Array({ minLength: 16, maxLength: 48 }).map(toBase64Url);
    fc.assert(
      fc.property(session, fc.constantFrom('desktop' as const, 'phone' as const), fc.constantFrom('ws://h:1/relay', 'ws://h:1/relay/', 'wss://relay.example:443/relay/'), (s, role, base) => {
        const url = new URL(relayJoinUrl(base, s, role));
        expect(url.pathname.replace(/\/$/, '')).toBe('/relay');
        expect(parseRelayJoin(url.pathname + url.search)).toEqual({ session: s, role });
        expect(parseRelayJoin(url.toString())).toEqual({ session: s, role });
      }),
    );
  });

  it('honours another mount path when asked', () => {
    expect(parseRelayJoin(`/pairing-relay/?session=${s16}&role=phone`, '/pairing-relay')).toEqual({ session: s16, role: 'phone' });
    expect(parseRelayJoin(`/relay?session=${s16}&role=phone`, '/pairing-relay')).toBeUndefined();
  });
});
