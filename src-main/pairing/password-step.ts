/**
 * The e-CPS password step (issue 4 §1): the user chose a 4-digit password on the computer;
 * the phone asks the user for it and proves it matches without sending it:
 *
 *   desktop → phone (sealed): password-request { salt: 16 random bytes, iterations }
 *   phone → desktop (sealed): password-proof { HMAC-SHA256(PBKDF2-SHA256(pw, salt, iterations), "ecps1 password" ‖ th) }
 *
 * Why a proof and not the password inside the encrypted channel: the proof is bound to this
 * session's transcript (useless anywhere else), a fresh salt per request makes each proof
 * single-use, and the password never exists in a frame even decrypted — nothing to log by
 * mistake (README: no password in logs). Why PBKDF2 and not scrypt: a browser page can
 * compute it with WebCrypto. Limit: 10^4 passwords are brute-forceable offline by whoever
 * holds the channel keys, so the request is sent only AFTER the user confirmed the code
 * (no one in the middle), and 3 wrong proofs end the attempt.
 */
import type { PairingCrypto } from '../../src-shared/pairing-protocol';

export const PASSWORD_TRIES = 3;

export class PasswordStep {
  private password: string | undefined;
  private pendingSalt: Uint8Array | undefined;
  private tries = PASSWORD_TRIES;

  constructor(
    private readonly crypto: PairingCrypto,
    readonly iterations: number,
  ) {}

  get triesLeft(): number {
    return this.tries;
  }

  set(password: string): void {
    this.password = password;
    this.tries = PASSWORD_TRIES;
  }

  /** A new request when a password is set and none is pending; its salt is remembered. */
  nextRequest(): Uint8Array | undefined {
    if (!this.password || this.pendingSalt || this.tries === 0) return undefined;
    this.pendingSalt = this.crypto.randomBytes(16);
    return this.pendingSalt;
  }

  get awaitingProof(): boolean {
    return this.pendingSalt !== undefined && this.password !== undefined;
  }

  /** Checks one proof (one per request). `true` forgets the password: used once, not kept. */
  async check(proof: Uint8Array, transcriptHash: Uint8Array): Promise<boolean> {
    const salt = this.pendingSalt;
    const password = this.password;
    this.pendingSalt = undefined;
    if (!salt || !password) return false;
    const expected = await this.crypto.passwordProof(password, salt, this.iterations, transcriptHash);
    if (this.crypto.equal(expected, proof)) {
      this.clear();
      return true;
    }
    this.tries--;
    return false;
  }

  clear(): void {
    this.password = undefined;
    this.pendingSalt = undefined;
  }
}
