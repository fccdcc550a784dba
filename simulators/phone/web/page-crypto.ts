/**
 * Which pairing suite the page runs: WebCrypto where the browser offers it with X25519 (a
 * secure context: https, localhost), otherwise the plain-JS noble suite — a phone opening
 * `http://<LAN address>/` has no `crypto.subtle` at all. Both follow the same schedule
 * (test/unit/pairing/noble-interop.test.ts), so the computer cannot tell them apart.
 */
import { pbkdf2Sha256 as webPbkdf2, webCryptoSupported, webPairingCrypto, type AwaitablePairingCrypto } from '../../../src-shared/pairing-webcrypto';
import { noblePairingCrypto, pbkdf2Sha256 as noblePbkdf2 } from '../noble-crypto';

export interface PageCrypto {
  name: 'webcrypto' | 'noble';
  suite: AwaitablePairingCrypto;
  pbkdf2(password: string, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array>;
}

let chosen: Promise<PageCrypto> | undefined;

export function pageCrypto(): Promise<PageCrypto> {
  chosen ??= webCryptoSupported().then((ok) =>
    ok ? { name: 'webcrypto', suite: webPairingCrypto, pbkdf2: webPbkdf2 } : { name: 'noble', suite: noblePairingCrypto, pbkdf2: noblePbkdf2 },
  );
  return chosen;
}
