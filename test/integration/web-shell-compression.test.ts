/**
 * Issue 12 #13: the web shell sends the renderer's JS and CSS compressed (brotli or gzip, as the
 * browser accepts), with `Vary: Accept-Encoding` and the Content-Length of what is sent; small
 * files and binary formats go as they are.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_JS, rawExchange, rawRequest, startWebShellRig, type WebShellRig } from '../security/support/web-shell-rig';

let rig: WebShellRig;
beforeAll(async () => {
  rig = await startWebShellRig();
});
afterAll(async () => {
  await rig?.close();
});

const get = (target: string, acceptEncoding?: string, method = 'GET') =>
  rawExchange(rig.shell.port, rawRequest(method, target, [`Host: ${rig.host}`, ...(acceptEncoding !== undefined ? [`Accept-Encoding: ${acceptEncoding}`] : [])]));

describe('web shell compression', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0.5, br;q=0.9', 'br'],
    ['br;q=0.1, gzip;q=0.9', 'gzip'],
    ['*', 'br'],
    ['x-gzip', 'gzip'],
  ])('Accept-Encoding "%s" gets %s, with Vary and the compressed length', async (accept, coding) => {
    const res = await get('/assets/app.js', accept);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(coding);
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const plain = coding === 'br' ? brotliDecompressSync(res.body) : gunzipSync(res.body);
    expect(plain.toString('utf8')).toBe(APP_JS);
    expect(res.body.length).toBeLessThan(APP_JS.length / 3);
  });

  it.each([undefined, '', 'identity', 'deflate', 'br;q=0, gzip;q=0', 'gzip;q=0, *;q=0'])('Accept-Encoding %j gets the file as it is', async (accept) => {
    const res = await get('/assets/app.js', accept);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.body.toString('utf8')).toBe(APP_JS);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(APP_JS));
  });

  it('CSS is compressed too; a PNG and a file under 1 KiB are not', async () => {
    expect((await get('/assets/app.css', 'br')).headers['content-encoding']).toBe('br');
    expect((await get('/assets/logo.png', 'br, gzip')).headers['content-encoding']).toBeUndefined();
    expect((await get('/', 'br, gzip')).headers['content-encoding']).toBeUndefined();
  });

  it('HEAD announces the same coding and length as GET, with no body', async () => {
    const got = await get('/assets/app.js', 'gzip');
    const head = await get('/assets/app.js', 'gzip', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.headers['content-length']).toBe(got.headers['content-length']);
    expect(head.body.length).toBe(0);
  });
});
