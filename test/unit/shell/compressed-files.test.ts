/** Accept-Encoding negotiation (RFC 9110 §12.5.3) of the web shell's compressed files. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chooseEncoding, isCompressible } from '../../../src-main/shell/compressed-files';

describe('chooseEncoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['gzip, br', 'br'],
    ['br;q=0.5, gzip;q=0.6', 'gzip'],
    ['br;q=0', 'identity'],
    ['*;q=0.2', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['gzip;q=1.000', 'gzip'],
    ['gzip;q=2', 'gzip'],
    ['br;q=abc', 'br'],
    ['deflate, compress', 'identity'],
  ])('%j → %s', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });

  it('only offers what is available', () => {
    expect(chooseEncoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(chooseEncoding('br', ['gzip'])).toBe('identity');
  });

  it('never throws and always answers one of the three codings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600 }), (header) => ['br', 'gzip', 'identity'].includes(chooseEncoding(header))));
  });

  it('compresses text formats of 1 KiB or more only', () => {
    expect(isCompressible('/a/app.js', 5000)).toBe(true);
    expect(isCompressible('/a/app.CSS', 5000)).toBe(true);
    expect(isCompressible('/a/app.js', 100)).toBe(false);
    expect(isCompressible('/a/logo.png', 5000)).toBe(false);
    expect(isCompressible('/a/font.woff2', 5000)).toBe(false);
  });
});
