/**
 * The phone page's static server (simulators/phone/page-server.ts): fixed file list, GET/HEAD
 * only, path traversal refused, Host checked, CSP and no-store on every answer.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE_PAGE_CSP, startPhonePageServer, type PhonePageServer } from '../../../simulators/phone/page-server';

let dir: string;
let server: PhonePageServer;

function request(method: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: target, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request line sent as is (http.request would normalise some targets). */
function rawRequest(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => socket.write(`${line}\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'phone-page-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(path.join(dir, 'phone.js'), 'console.log("phone")');
  writeFileSync(path.join(dir, 'phone.css'), 'body{}');
  writeFileSync(path.join(dir, 'secret.txt'), 'not served');
  writeFileSync(path.join(path.dirname(dir), `outside-${path.basename(dir)}.txt`), 'outside');
  server = await startPhonePageServer({ dir, bindAddress: '127.0.0.1' });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(path.join(path.dirname(dir), `outside-${path.basename(dir)}.txt`), { force: true });
});

describe('phone page server', () => {
  it('listens on the given interface, on a random port, and names its exact origin', () => {
    expect(server.address).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.url).toBe(`${server.origin}/`);
    expect(server.linkFor('ecps1:abc')).toBe(`${server.origin}/#ecps1:abc`);
  });

  it('serves exactly the fixed files, with their types, CSP, no-store and the other headers', async () => {
    for (const [target, type, body] of [
      ['/', 'text/html', '<!doctype html><title>page</title>'],
      ['/index.html', 'text/html', '<!doctype html><title>page</title>'],
      ['/phone.js', 'text/javascript', 'console.log("phone")'],
      ['/phone.css', 'text/css', 'body{}'],
      ['/phone.js?v=1', 'text/javascript', 'console.log("phone")'],
    ] as const) {
      const res = await request('GET', target);
      expect(res.status, target).toBe(200);
      expect(res.body).toBe(body);
      expect(res.headers['content-type']).toContain(type);
      expect(res.headers['content-security-policy']).toBe(PHONE_PAGE_CSP);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(PHONE_PAGE_CSP).toContain("script-src 'self'");
    expect(PHONE_PAGE_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('serves nothing else: other files in the folder, directories, traversal (plain and encoded) are refused', async () => {
    for (const target of ['/secret.txt', '/assets/', '/index.htm', '/PHONE.JS']) {
      const res = await request('GET', target);
      expect(res.status, target).toBe(404);
      expect(res.body).not.toContain('not served');
      expect(res.headers['content-security-policy']).toBe(PHONE_PAGE_CSP);
    }
    for (const target of ['/../package.json', `/../outside-${path.basename(dir)}.txt`, '/%2e%2e/package.json', '/phone.js/../secret.txt', '/./index.html', '//etc/passwd', '/..%2fpackage.json', '/%2e%2e%5csecret.txt', '/\\..\\secret.txt']) {
      const raw = await rawRequest(`GET ${target} HTTP/1.1`);
      const status = Number(raw.slice(9, 12));
      expect([400, 404], target).toContain(status);
      expect(raw).not.toContain('not served');
      expect(raw).not.toContain('outside');
      expect(raw).not.toContain('"name"');
    }
    expect(Number((await rawRequest('GET http://127.0.0.1/index.html HTTP/1.1')).slice(9, 12))).toBe(400);
  });

  it('GET and HEAD only: other methods get 405 with Allow', async () => {
    const head = await request('HEAD', '/phone.js');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['cache-control']).toBe('no-store');
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const res = await request(method, '/');
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.headers['content-security-policy']).toBe(PHONE_PAGE_CSP);
    }
  });

  it('refuses another Host (DNS rebinding)', async () => {
    expect((await request('GET', '/', { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await request('GET', '/', { host: `localhost:${server.port}` })).status).toBe(403);
    expect((await request('GET', '/', { host: '127.0.0.1:1' })).status).toBe(403);
  });

  it('says which file is missing when the page is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'phone-page-empty-'));
    try {
      await expect(startPhonePageServer({ dir: empty })).rejects.toMatchObject({ code: 'PhonePageMissing' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
