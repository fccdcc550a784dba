/**
 * The local portal stand-in with real TLS clients (node:tls/https on 127.0.0.1) holding
 * software keys issued by the sandbox PKI: who it lets in, who not and why, and that it
 * speaks the TLS a CPx card can do (1.2, PKCS#1 v1.5 client signatures) and nothing else.
 * The same server with the card behind OpenSC is tested in test/integration/portal-login.test.ts.
 */
import { request } from 'node:https';
import { connect } from 'node:tls';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { issueCardCredentials, loadSandboxPki, TEST_HOLDERS } from '../../../simulators/pki/index';
import { renderLoginPage } from '../../../src-main/portal-test/login-page';
import { startPortalTestServer, type PortalLogin, type PortalTestServer } from '../../../src-main/portal-test/portal-server';

let server: PortalTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const pem = (der: Uint8Array) => new X509Certificate(der).toString();
const keyPem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();

interface Visit {
  status: number;
  body: Record<string, unknown>;
}

/** GET / as JSON, with (or without) a client certificate; the server is checked against its CA. */
function visit(s: PortalTestServer, client?: { key: KeyObject; certificateDer: Uint8Array }): Promise<Visit> {
  return new Promise((resolve, reject) => {
    const req = request(
      s.url,
      {
        ca: s.caPem,
        headers: { accept: 'application/json' },
        ...(client ? { key: keyPem(client.key), cert: pem(client.certificateDer) } : {}),
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('portal test server', () => {
  it('lets a sandbox card certificate in and reports the holder from its subject', async () => {
    server = await startPortalTestServer();
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    const seen: PortalLogin[] = [];
    server.onLogin((login) => seen.push(login));
    const r = await visit(server, { key: card.authentication.privateKey, certificateDer: card.authentication.certificateDer });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      accepted: true,
      holder: { surname: 'DUPONT', givenName: 'Marie', rpps: '99700000013', profession: 'Pharmacien' },
      chain: { status: 'valid' },
      tls: { protocol: 'TLSv1.2' },
    });
    expect(seen).toHaveLength(1);
    expect(server.logins).toHaveLength(1);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('refuses a visit without a client certificate, and says so', async () => {
    server = await startPortalTestServer();
    const r = await visit(server);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ accepted: false, holder: null, certificate: null });
    expect((r.body.reason as { fr: string }).fr).toContain('aucun certificat client');
  });

  it('refuses a card certificate from an unknown authority (same names, other keys), naming the holder', async () => {
    server = await startPortalTestServer();
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist, { issuer: 'impostor' });
    const r = await visit(server, { key: card.authentication.privateKey, certificateDer: card.authentication.certificateDer });
    expect(r.status).toBe(403);
    expect(r.body.accepted).toBe(false);
    expect(r.body.holder).toMatchObject({ surname: 'DUPONT' });
    expect((r.body.chain as { status: string }).status).not.toBe('valid');
  });

  it('refuses an expired card certificate', async () => {
    server = await startPortalTestServer();
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist, { variant: 'expired' });
    const r = await visit(server, { key: card.authentication.privateKey, certificateDer: card.authentication.certificateDer });
    expect(r.status).toBe(403);
    expect((r.body.chain as { status: string }).status).not.toBe('valid');
  });

  it('trusts the authorities given with --trust (here: the impostor chain)', async () => {
    const impostor = (await loadSandboxPki()).impostor;
    server = await startPortalTestServer({ trust: { anchors: [impostor.rootDer], intermediates: [impostor.certificateDer] } });
    const card = await issueCardCredentials(TEST_HOLDERS.doctor, { issuer: 'impostor' });
    const r = await visit(server, { key: card.authentication.privateKey, certificateDer: card.authentication.certificateDer });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(true);
  });

  it('speaks TLS 1.2 only (a card cannot do the RSA-PSS TLS 1.3 requires): a TLS 1.3-only client is turned away', async () => {
    server = await startPortalTestServer();
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: server!.port, ca: server!.caPem, minVersion: 'TLSv1.3' });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(outcome).not.toBe('connected');
    expect(outcome).toMatch(/VERSION|PROTOCOL/i);
  });

  it('asks for PKCS#1 v1.5 client signatures only (what a card signs), no RSA-PSS', async () => {
    server = await startPortalTestServer();
    const sigalgs = await new Promise<string[]>((resolve, reject) => {
      // The algorithms the server's CertificateRequest and the client share (no certificate needed to see them).
      const socket = connect({ host: '127.0.0.1', port: server!.port, ca: server!.caPem });
      socket.on('secureConnect', () => {
        resolve(socket.getSharedSigalgs());
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(sigalgs).toEqual(expect.arrayContaining(['RSA+SHA256', 'RSA+SHA384', 'RSA+SHA512']));
    expect(sigalgs.some((a) => /PSS/i.test(a))).toBe(false);
  });
});

describe('login page', () => {
  const base: PortalLogin = {
    at: '2025-01-01T00:00:00.000Z',
    remoteAddress: '127.0.0.1',
    accepted: true,
    reason: { fr: 'ok', en: 'ok' },
    holder: { kind: 'cps', surname: '<script>alert(1)</script>', givenName: 'Marie & co', idNat: '899700000013', rpps: '99700000013', profession: 'Pharmacien' },
    certificate: { subject: 'CN=<b>', issuer: 'CN=AC', serialNumber: '01', notAfter: '2030-01-01T00:00:00.000Z' },
    chain: { status: 'valid', chain: [] },
    tls: { protocol: 'TLSv1.2', cipher: 'X' },
  };

  it('escapes everything that comes from the certificate', () => {
    const html = renderLoginPage(base, 'fr');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('Marie &#38; co');
  });

  it('is labelled TEST and speaks the language asked for', () => {
    expect(renderLoginPage(base, 'fr')).toContain('TEST — ce serveur local n’est pas le portail e-CPS officiel.');
    expect(renderLoginPage(base, 'en')).toContain('TEST — this local server is not the official e-CPS portal.');
    expect(renderLoginPage({ ...base, accepted: false, reason: { fr: 'raison précise', en: 'exact reason' } }, 'fr')).toContain('raison précise');
  });
});
