/** The raw request-head check in front of the local servers (issue 13 #1, #2): bytes, not parsed values. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkRequestHead } from '../../../src-main/net/request-head-gate';

const HOST = '127.0.0.1:51234';
const head = (...lines: string[]) => Buffer.from(['GET / HTTP/1.1', ...lines].join('\r\n'), 'latin1');

describe('checkRequestHead', () => {
  it.each([
    [[`Host: ${HOST}`], true],
    [[`Host:${HOST}`], true],
    [[`host:  ${HOST}`, 'Origin: http://x'], true],
    [[`Host: ${HOST} `], 421],
    [[`Host: ${HOST}\t`], 421],
    [[`Host: ${HOST.toUpperCase()}x`], 421],
    [['Host: localhost:51234'], 421],
    [[], 400],
    [[`Host: ${HOST}`, `Host: ${HOST}`], 400],
    [[`Host: ${HOST}`, 'host: evil.example'], 400],
    [[`Host: ${HOST}`, 'Origin: a', 'ORIGIN: b'], 400],
    [[`Host: ${HOST}`, ' folded'], 400],
    [[`Host: ${HOST}`, 'X: a\u0000b'], 400],
    [[`Host: ${HOST}`, 'X: a\u007fb'], 400],
    [[`Host: ${HOST}`, ': no name'], 400],
  ])('%j → %s', (lines, expected) => {
    const verdict = checkRequestHead(head(...lines), HOST);
    if (expected === true) expect(verdict).toEqual({ ok: true });
    else expect(verdict).toMatchObject({ ok: false, status: expected });
  });

  it('refuses bare LF or CR line ends', () => {
    expect(checkRequestHead(Buffer.from(`GET / HTTP/1.1\nHost: ${HOST}`), HOST)).toMatchObject({ ok: false, status: 400 });
    expect(checkRequestHead(Buffer.from(`GET / HTTP/1.1\r\nHost: ${HOST}\rX: y`), HOST)).toMatchObject({ ok: false, status: 400 });
  });

  it('compares an IPv6 host ignoring case only when asked', () => {
    const v6 = '[fe80::ab]:4000';
    expect(checkRequestHead(head('Host: [FE80::AB]:4000'), v6).ok).toBe(false);
    expect(checkRequestHead(head('Host: [FE80::AB]:4000'), v6, true).ok).toBe(true);
  });

  it('accepts only the exact host, whatever else is sent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (candidate) => {
        const verdict = checkRequestHead(head(`Host: ${candidate}`), HOST);
        return verdict.ok === (candidate.replace(/^[ \t]+/, '') === HOST);
      }),
    );
  });
});
