/**
 * `--trust FILE` of `ecps auth-test` and `ecps portal-test`: certificates to trust besides the
 * sandbox PKI (e.g. the real IGC-Santé roots and CAs), PEM (one or more CERTIFICATE blocks)
 * or DER. A self-signed certificate is an anchor, any other an intermediate.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cliError } from './cli-errors';

export interface TrustSet {
  anchors: Uint8Array[];
  intermediates: Uint8Array[];
}

export function readTrustFiles(files: readonly string[]): TrustSet {
  const set: TrustSet = { anchors: [], intermediates: [] };
  for (const file of files) {
    try {
      const bytes = readFileSync(file);
      const text = bytes.toString('latin1');
      const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
      const ders = blocks.length > 0 ? blocks.map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))) : [new Uint8Array(bytes)];
      for (const der of ders) {
        const cert = new X509Certificate(der);
        const selfSigned = cert.subject === cert.issuer && cert.verify(cert.publicKey);
        (selfSigned ? set.anchors : set.intermediates).push(der);
      }
    } catch (error) {
      throw cliError('TrustFileUnreadable', { file }, { details: { file }, cause: error });
    }
  }
  return set;
}
