/**
 * A TLS server certificate from the sandbox PKI, for local test servers (`ecps portal-test`):
 * issued at run time by the sandbox root (TEST) for 127.0.0.1 and localhost, with a fresh
 * ECDSA P-256 key (generated in milliseconds, unlike RSA) and a two-day validity. A client
 * that trusts the sandbox root (PEM given by `rootPem`) checks the server for real, with no
 * "insecure" switch.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { authorityKeyIdOf } from './authorities';
import { loadSandboxRoot } from './sandbox';
import { RSA_SHA256, x509 } from './x509';

export interface TlsServerCredentials {
  /** PKCS#8 PEM of the server's private key (node:tls `key`). */
  keyPem: string;
  /** The server certificate, PEM (node:tls `cert`). */
  certificatePem: string;
  /** The sandbox root that issued it, PEM: what a client passes as its CA file. */
  rootPem: string;
  notAfter: Date;
}

const HOUR_MS = 3_600_000;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function issueTlsServerCredentials(options: { now?: Date; commonName?: string } = {}): Promise<TlsServerCredentials> {
  const now = options.now ?? new Date();
  const root = await loadSandboxRoot();
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - HOUR_MS);
  const notAfter = new Date(notBefore.getTime() + 49 * HOUR_MS);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: `C=FR, O=ASIP-SANTE, OU=TEST, CN=${options.commonName ?? 'localhost'}`,
    issuer: root.certificate.subjectName,
    notBefore,
    notAfter,
    signingAlgorithm: RSA_SHA256,
    publicKey: keys.publicKey,
    signingKey: root.signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      authorityKeyIdOf(root.certificate),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    keyPem: toPem('PRIVATE KEY', pkcs8),
    certificatePem: certificate.toString('pem'),
    rootPem: root.certificate.toString('pem'),
    notAfter,
  };
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
