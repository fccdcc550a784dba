/**
 * What the sandbox authority remembers: activations and the outbox. Stored as one JSON
 * document (json-store.ts); validated on every open so a hand-edited file is caught early.
 * Secrets are kept only as needed by a sandbox: the SMS code as a salted SHA-256 (the outbox
 * shows it anyway, it is a sandbox), the password verifier as sent by the phone.
 */
import { z } from 'zod';
import type { ActivationRecord } from '../../src-shared/activation-authority';
import type { StoreCodec } from './json-store';

const iso = z.string().datetime({ offset: true });

const storedActivation = z
  .object({
    activationId: z.string(),
    mode: z.enum(['with-card', 'without-card']),
    idNat: z.string(),
    status: z.enum(['card-challenge', 'card-verified', 'request-sent', 'sms-sent', 'sms-verified', 'completed', 'locked']),
    createdAt: iso,
    updatedAt: iso,
    expiresAt: iso,
    cguVersion: z.string().optional(),
    holder: z.object({ surname: z.string().optional(), givenName: z.string().optional(), profession: z.string().optional() }).optional(),
    /** with card: base64 DER of the authentication certificate and the pending challenge. */
    certificateDer: z.string().optional(),
    challenge: z.string().optional(),
    challengeExpiresAt: iso.optional(),
    /** without card: SMS state. */
    smsCodeHash: z.string().optional(),
    smsExpiresAt: iso.optional(),
    smsAttemptsLeft: z.number().int().optional(),
    smsSent: z.number().int().optional(),
    phoneKeySha256: z.string().optional(),
    passwordVerifier: z.string().optional(),
    completedAt: iso.optional(),
  })
  .strict();
export type StoredActivation = z.infer<typeof storedActivation>;

const outboxMessage = z
  .object({
    id: z.string(),
    channel: z.enum(['email', 'sms']),
    /** Full address: the outbox is the sandbox's, visible on the loopback only. */
    to: z.string(),
    activationId: z.string(),
    sentAt: iso,
    subject: z.string().optional(),
    body: z.string(),
    /** e-mail: what the QR code in it encodes. */
    qrPayload: z.string().optional(),
    /** SMS: the code, so tests and trainees can type it. */
    code: z.string().optional(),
  })
  .strict();
export type OutboxMessage = z.infer<typeof outboxMessage>;

const stateSchema = z
  .object({ version: z.literal(1), activations: z.record(storedActivation), outbox: z.array(outboxMessage) })
  .strict();
export type AuthorityState = z.infer<typeof stateSchema>;

export const authorityStateCodec: StoreCodec<AuthorityState> = {
  parse: (value) => stateSchema.parse(value),
  initial: () => ({ version: 1, activations: {}, outbox: [] }),
};

/** The outbox keeps the most recent messages only: a long-running training server stays small. */
export const OUTBOX_LIMIT = 500;

/** The public view: no certificate, challenge, code hash or verifier. */
export function publicRecord(a: StoredActivation): ActivationRecord {
  return {
    activationId: a.activationId,
    mode: a.mode,
    idNat: a.idNat,
    status: a.status,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    expiresAt: a.expiresAt,
    ...(a.cguVersion !== undefined ? { cguVersion: a.cguVersion } : {}),
    ...(a.holder !== undefined ? { holder: { ...a.holder } } : {}),
    ...(a.phoneKeySha256 !== undefined ? { phoneKeySha256: a.phoneKeySha256 } : {}),
    ...(a.completedAt !== undefined ? { completedAt: a.completedAt } : {}),
  };
}
