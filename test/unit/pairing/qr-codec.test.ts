import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeQrPayload,
  encodeQrPayload,
  fromBase64Url,
  QR_PREFIX,
  toBase64Url,
  type QrPayload,
} from '../../../src-shared/pairing-protocol';
import { isEcpsError } from '../../../src-shared/errors';

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const port = fc.integer({ min: 1, max: 65535 });
const b64 = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map(toBase64Url);

const payload: fc.Arbitrary<QrPayload> = fc
  .record(
    {
      direct: fc.tuple(ipv4, port).map(([ip, p]) => `ws://${ip}:${p}/pair`),
      relay: fc.record({
        url: fc.constantFrom('wss://relay.sandbox.example/relay', 'ws://127.0.0.1:4000/relay', 'wss://a.b/'),
        session: b64(16, 48),
      }),
      token: fc.uint8Array({ minLength: 16, maxLength: 64 }),
      desktopKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      expiresAt: fc.integer({ min: 1, max: 2 ** 45 }),
    },
    { requiredKeys: ['token', 'desktopKey', 'expiresAt'] },
  )
  .filter((p) => p.direct !== undefined || p.relay !== undefined);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isEcpsError(e) ? e.code : 'not-an-EcpsError';
  }
  return undefined;
}

describe('base64url', () => {
  it('round-trips any bytes and refuses non-canonical text', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }));
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(fromBase64Url('-_9')).toBeUndefined(); // trailing bits set: a second spelling of the same bytes
    expect(fromBase64Url('AAA=')).toBeUndefined();
    expect(fromBase64Url('A')).toBeUndefined();
    expect(fromBase64Url('AA+/')).toBeUndefined();
  });
});

describe('QR payload codec', () => {
  it('decode(encode(x)) = x, and the text fits in a QR code', () => {
    fc.assert(fc.property(payload, (p) => {
      const text = encodeQrPayload(p);
      expect(text.startsWith(QR_PREFIX)).toBe(true);
      expect(text.length).toBeLessThanOrEqual(1024);
      expect(decodeQrPayload(text)).toEqual(p);
    }));
  });

  it('garbage is a typed QrMalformed error, never a crash', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      expect(['QrMalformed', 'QrUnsupportedVersion']).toContain(code(() => decodeQrPayload(s)));
    }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(code(() => decodeQrPayload(QR_PREFIX + toBase64Url(bytes)))).toBe('QrMalformed');
    }));
  });

  it('an unknown version is QrUnsupportedVersion', () => {
    const valid = encodeQrPayload({ direct: 'ws://10.0.0.2:5000/pair', token: new Uint8Array(32), desktopKey: new Uint8Array(32), expiresAt: 1 });
    expect(code(() => decodeQrPayload(valid.replace('ecps1:', 'ecps2:')))).toBe('QrUnsupportedVersion');
    expect(code(() => decodeQrPayload(valid.replace('ecps1:', 'xcps1:')))).toBe('QrMalformed');
  });

  const json = (o: unknown) => QR_PREFIX + toBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  const good = { d: 'ws://10.0.0.2:5000/pair', t: toBase64Url(new Uint8Array(16)), k: toBase64Url(new Uint8Array(32)), x: 5 };
  it.each([
    ['a token under 128 bits', { ...good, t: toBase64Url(new Uint8Array(15)) }],
    ['a key of the wrong size', { ...good, k: toBase64Url(new Uint8Array(31)) }],
    ['no endpoint', { t: good.t, k: good.k, x: 5 }],
    ['a host name in the direct URL (no DNS on the LAN path)', { ...good, d: 'ws://evil.example:5000/pair' }],
    ['a direct URL with another path', { ...good, d: 'ws://10.0.0.2:5000/other' }],
    ['an unknown field', { ...good, z: 1 }],
    ['a string expiry', { ...good, x: '5' }],
  ])('refuses %s', (_name, obj) => {
    expect(code(() => decodeQrPayload(json(obj)))).toBe('QrMalformed');
  });
});
