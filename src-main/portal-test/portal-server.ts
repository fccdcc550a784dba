/**
 * A local stand-in for the e-CPS portal's card login: an HTTPS server on 127.0.0.1 that asks
 * the browser (or any TLS client) for a client certificate, checks it against the IGC-Santé
 * TEST roots of the sandbox PKI (plus the `--trust` files, e.g. the real IGC-Santé roots), and
 * reports who logged in — holder, RPPS / ADELI, profession — from the certificate subject.
 *
 * Why TLS 1.2 with RSA PKCS#1 v1.5 client signatures only: a CPx card signs with PKCS#1 v1.5
 * padding done on the card (INTERNAL AUTHENTICATE; OpenSC's IAS-ECC driver declares no other
 * RSA padding, card-iasecc.c `IASECC_CARD_DEFAULT_FLAGS`), while TLS 1.3 requires RSA-PSS for
 * the client's CertificateVerify (RFC 8446 §4.4.3). A card login is therefore a TLS 1.2 one
 * with rsa_pkcs1_sha256/384/512 (RFC 5246 §7.4.8); the server says so in every report.
 *
 * The TLS handshake itself proves the client holds the certificate's private key (its
 * CertificateVerify signature); the chain is checked by the companion's own code, the same
 * as `ecps auth-test` (src-main/card/cps/certificate.ts).
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Lang, LocalizedText } from '../../src-shared/errors';
import { identityFromCertificate, verifyCertificateChain, type ChainStatus, type HolderIdentity } from '../card/cps/index';
import { issueTlsServerCredentials, loadSandboxPki, sandboxTrustAnchors } from '../../simulators/pki/index';
import { renderLoginPage } from './login-page';

/** What the server accepts for the client's CertificateVerify (see above) and signs with itself (ECDSA key). */
export const CLIENT_SIGNATURE_ALGORITHMS = 'RSA+SHA256:RSA+SHA384:RSA+SHA512';
const SERVER_SIGNATURE_ALGORITHMS = 'ECDSA+SHA256';

export interface TrustedCertificates {
  /** Self-signed roots (DER), besides the sandbox root. */
  anchors: readonly Uint8Array[];
  /** Intermediate CAs (DER), besides the sandbox issuing CA. */
  intermediates: readonly Uint8Array[];
}

export interface PortalHolder {
  kind: HolderIdentity['kind'];
  surname: string | null;
  givenName: string | null;
  idNat: string;
  rpps?: string;
  adeli?: string;
  profession: string | null;
}

export interface PortalLogin {
  at: string;
  remoteAddress: string;
  /** A trusted certificate of a health professional card was presented (and its key used). */
  accepted: boolean;
  reason: LocalizedText;
  holder: PortalHolder | null;
  certificate: { subject: string; issuer: string; serialNumber: string; notAfter: string } | null;
  chain: { status: ChainStatus; chain: string[] } | null;
  tls: { protocol: string | null; cipher: string | null };
}

export interface PortalTestServer {
  readonly url: string;
  readonly port: number;
  /** The sandbox root that issued the server certificate, PEM (the client's CA file). */
  readonly caPem: string;
  readonly logins: readonly PortalLogin[];
  /** Called once per TLS connection that made a request (the "page" is the login). */
  onLogin(listener: (login: PortalLogin) => void): () => void;
  close(): Promise<void>;
}

export interface PortalTestServerOptions {
  /** 0 (default): any free port. */
  port?: number;
  trust?: TrustedCertificates;
  /** Language of the page the browser shows. */
  lang?: Lang;
}

export async function startPortalTestServer(options: PortalTestServerOptions = {}): Promise<PortalTestServer> {
  const credentials = await issueTlsServerCredentials();
  const pki = await loadSandboxPki();
  const anchors = [...sandboxTrustAnchors(), ...(options.trust?.anchors ?? [])];
  const intermediates = [pki.sandbox.certificateDer, ...(options.trust?.intermediates ?? [])];
  const pem = (der: Uint8Array) => new X509Certificate(der).toString();
  const lang = options.lang ?? 'fr';

  const logins: PortalLogin[] = [];
  const events = new EventEmitter();
  const seen = new WeakMap<TLSSocket, PortalLogin>();

  const server: Server = createServer(
    {
      key: credentials.keyPem,
      cert: credentials.certificatePem,
      // Sent in the CertificateRequest: browsers offer only certificates from these CAs.
      ca: [...anchors, ...intermediates].map(pem),
      requestCert: true,
      rejectUnauthorized: false, // refused certificates get a page saying why, not a reset
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      sigalgs: `${SERVER_SIGNATURE_ALGORITHMS}:${CLIENT_SIGNATURE_ALGORITHMS}`,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket as TLSSocket;
      let login = seen.get(socket);
      if (!login) {
        login = loginOf(socket, anchors, intermediates);
        seen.set(socket, login);
        logins.push(login);
        events.emit('login', login);
      }
      respond(req, res, login, lang);
    },
  );
  server.on('tlsClientError', () => undefined); // a client that gives up mid-handshake is not our failure

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/`,
    port,
    caPem: credentials.rootPem,
    logins,
    onLogin(listener) {
      events.on('login', listener);
      return () => events.off('login', listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function loginOf(socket: TLSSocket, anchors: Uint8Array[], intermediates: Uint8Array[]): PortalLogin {
  const base = {
    at: new Date().toISOString(),
    remoteAddress: socket.remoteAddress ?? '',
    tls: { protocol: socket.getProtocol(), cipher: socket.getCipher()?.standardName ?? null },
  };
  const peer = socket.getPeerX509Certificate();
  if (!peer) {
    return { ...base, accepted: false, reason: REASONS.noCertificate, holder: null, certificate: null, chain: null };
  }
  const der = new Uint8Array(peer.raw);
  const certificate = { subject: peer.subject.replace(/\n/g, ', '), issuer: peer.issuer.replace(/\n/g, ', '), serialNumber: peer.serialNumber, notAfter: new Date(peer.validTo).toISOString() };
  const verdict = verifyCertificateChain(der, { trustAnchors: anchors, intermediates });
  const chain = { status: verdict.status, chain: verdict.chain };
  let holder: PortalHolder | null = null;
  try {
    holder = holderOf(identityFromCertificate(der));
  } catch {
    holder = null;
  }
  if (verdict.status !== 'valid') return { ...base, accepted: false, reason: verdict.reason, holder, certificate, chain };
  if (!holder) return { ...base, accepted: false, reason: REASONS.notACardCertificate, holder, certificate, chain };
  return { ...base, accepted: true, reason: verdict.reason, holder, certificate, chain };
}

function holderOf(identity: HolderIdentity): PortalHolder {
  return {
    kind: identity.kind,
    surname: identity.surname ?? null,
    givenName: identity.givenName ?? null,
    idNat: identity.idNat,
    ...(identity.rpps !== undefined ? { rpps: identity.rpps } : {}),
    ...(identity.adeli !== undefined ? { adeli: identity.adeli } : {}),
    profession: identity.profession ?? null,
  };
}

const REASONS = {
  noCertificate: {
    fr: 'aucun certificat client présenté (le navigateur ou le client TLS n’a pas proposé la carte)',
    en: 'no client certificate presented (the browser or TLS client did not offer the card)',
  },
  notACardCertificate: {
    fr: 'le certificat présenté n’est pas celui d’une carte CPS (pas d’identifiant national dans le sujet)',
    en: 'the certificate presented is not a CPS card’s (no national identifier in its subject)',
  },
} satisfies Record<string, LocalizedText>;

function respond(req: IncomingMessage, res: ServerResponse, login: PortalLogin, lang: Lang): void {
  const status = login.accepted ? 200 : 403;
  const wantsJson = (req.headers.accept ?? '').includes('application/json') || (req.url ?? '').startsWith('/login.json');
  res.setHeader('cache-control', 'no-store');
  if (wantsJson) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(login));
    return;
  }
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
  res.end(renderLoginPage(login, lang));
}
