/**
 * What the activation orchestrator sees of a PairingSession: its options, results and events.
 */
import type { PairingCrypto } from '../../src-shared/pairing-protocol';
import type { LinkTimings } from './phone-link';

export interface PairingStartOptions {
  /** The one interface the phone reaches (an IP literal); 127.0.0.1 for tests. */
  bindAddress?: string;
  /** The authority's relay websocket URL (`ws(s)://…/relay`); the session id is made here. */
  relay?: { url: string };
  ttlMs?: number;
  /** Origins allowed besides "none" (our own reference page). */
  allowedOrigins?: readonly string[];
  /** Make a fresh QR when one expires without a phone (else: `expired`, nothing listens). */
  autoRenew?: boolean;
  /** PBKDF2 rounds for the password proof (OWASP 2023: 600 000 for PBKDF2-SHA256). */
  passwordIterations?: number;
  /** Failed hellos per QR before it is retired (128-bit tokens cannot be guessed; this caps the noise). */
  maxFailedHellos?: number;
  timings?: Partial<LinkTimings>;
  crypto?: PairingCrypto;
}

export type QrReason = 'start' | 'renew' | 'code-reset' | 'password-reset' | 'phone-lost' | 'expired' | 'too-many-attempts';
export type CodeResult = { ok: true } | { ok: false; reason: 'format' | 'mismatch' | 'reset'; attemptsLeft: number };
export type PairingPhase = 'stopped' | 'waiting' | 'connected' | 'confirmed' | 'verified';

export interface PairingEvents {
  qr: [{ qrPayload: string; expiresAt: number; reason: QrReason }];
  'phone-connected': [{ via: 'direct' | 'relay' }];
  'code-rejected': [{ attemptsLeft: number }];
  'code-confirmed': [];
  'password-rejected': [{ triesLeft: number }];
  'password-verified': [];
  message: [{ topic: string; body: unknown }];
  /** A connection or upgrade refused (hostile or broken client). For diagnostics only. */
  refused: [{ code: number; why: string; via: 'upgrade' | 'direct' | 'relay' }];
  'phone-lost': [{ code: number; why: string }];
  'relay-ready': [];
  expired: [];
  closed: [{ reason: 'stopped' | 'phone-lost' | 'listen-failed' | 'expired'; error?: unknown }];
}
