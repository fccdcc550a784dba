/**
 * The authority API on the wire (documented in simulators/authority/README.md): one route per
 * operation, JSON bodies, bytes as base64. Shared by the sandbox server (which validates every
 * request with these schemas) and the HTTP client (which validates every answer): one source
 * of truth, so the two cannot drift.
 *
 * Everything an operation needs travels in the POST body, never in the URL: activation ids,
 * national ids and codes do not belong in proxy or server logs.
 */
import { z } from 'zod';
import type { AuthorityErrorCode } from './activation-authority';

/** Standard base64 without Node's Buffer (this room runs anywhere). */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += b === undefined ? '=' : B64[(n >> 6) & 63]!;
    out += c === undefined ? '=' : B64[n & 63]!;
  }
  return out;
}
export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of clean) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

/** Base64 of at most `maxBytes` bytes, decoded to bytes. */
const bytes = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64 attendu')
    .min(1)
    .transform(fromBase64);
const id = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'identifiant d’activation attendu');
const isoDate = z.string().datetime({ offset: true });
const localized = z.object({ fr: z.string(), en: z.string() }).strict();

export const wireRequests = {
  lookupProfessional: z.object({ idNat: z.string().max(32) }).strict(),
  startWithCard: z.object({ certificateDer: bytes(8192), cguVersion: z.string().regex(/^[\w.-]{1,32}$/) }).strict(),
  proveCard: z
    .object({ activationId: id, signature: bytes(1024), algorithm: z.enum(['RSASSA-PKCS1-v1_5-SHA256', 'RSASSA-PSS-SHA256']) })
    .strict(),
  requestWithoutCard: z.object({ idNat: z.string().max(32), qrPayload: z.string().min(1).max(2048).optional() }).strict(),
  sendSmsCode: z.object({ activationId: id }).strict(),
  verifySmsCode: z.object({ activationId: id, code: z.string().max(16) }).strict(),
  registerPhone: z.object({ activationId: id, phonePublicKey: bytes(1024), passwordVerifier: bytes(1024) }).strict(),
  getActivation: z.object({ activationId: id }).strict(),
} as const;

const activationRecord = z
  .object({
    activationId: id,
    mode: z.enum(['with-card', 'without-card']),
    idNat: z.string(),
    status: z.enum(['card-challenge', 'card-verified', 'request-sent', 'sms-sent', 'sms-verified', 'completed', 'locked']),
    createdAt: isoDate,
    updatedAt: isoDate,
    expiresAt: isoDate,
    cguVersion: z.string().optional(),
    holder: z.object({ surname: z.string().optional(), givenName: z.string().optional(), profession: z.string().optional() }).strict().optional(),
    phoneKeySha256: z.string().optional(),
    completedAt: isoDate.optional(),
  })
  .strict();

/** Answers as the client checks them (bytes are base64 on the wire, decoded here). */
export const wireResponses = {
  describe: z
    .object({ kind: z.enum(['sandbox', 'remote']), label: localized, relayPath: z.string().optional(), apiVersion: z.literal(1) })
    .strict(),
  serverTime: z.object({ serverTime: isoDate }).strict(),
  lookupProfessional: z
    .object({
      idNat: z.string(),
      kind: z.enum(['rpps', 'adeli']),
      contactOnFile: z.boolean(),
      maskedEmail: z.string().optional(),
      maskedPhone: z.string().optional(),
      cardRequired: z.boolean(),
    })
    .strict(),
  startWithCard: z.object({ activationId: id, challenge: bytes(256), expiresAt: isoDate }).strict(),
  proveCard: z
    .object({
      activationId: id,
      idNat: z.string(),
      kind: z.enum(['rpps', 'adeli']),
      surname: z.string().optional(),
      givenName: z.string().optional(),
      profession: z.string().optional(),
      certificateSerial: z.string(),
      certificateNotAfter: isoDate,
    })
    .strict(),
  requestWithoutCard: z.object({ activationId: id, sentTo: z.string(), expiresAt: isoDate }).strict(),
  sendSmsCode: z.object({ activationId: id, sentTo: z.string(), expiresAt: isoDate, attemptsLeft: z.number().int() }).strict(),
  verifySmsCode: z.object({ activationId: id, verified: z.literal(true) }).strict(),
  registerPhone: activationRecord,
  getActivation: activationRecord,
  listActivations: z.object({ activations: z.array(activationRecord) }).strict(),
} as const;

export const wireError = z
  .object({ error: z.object({ code: z.string().max(64), message: z.string(), details: z.record(z.union([z.string(), z.number(), z.boolean()])).optional() }) })
  .strict();

/** Route of each operation. GET routes carry no input; every POST route's input is its JSON body. */
export const AUTHORITY_ROUTES = {
  describe: { method: 'GET', path: '/v1/describe' },
  serverTime: { method: 'GET', path: '/v1/time' },
  listActivations: { method: 'GET', path: '/v1/activations' },
  lookupProfessional: { method: 'POST', path: '/v1/professionals/lookup' },
  startWithCard: { method: 'POST', path: '/v1/activations/with-card' },
  proveCard: { method: 'POST', path: '/v1/activations/with-card/proof' },
  requestWithoutCard: { method: 'POST', path: '/v1/activations/without-card' },
  sendSmsCode: { method: 'POST', path: '/v1/activations/sms' },
  verifySmsCode: { method: 'POST', path: '/v1/activations/sms/verify' },
  registerPhone: { method: 'POST', path: '/v1/activations/phone' },
  getActivation: { method: 'POST', path: '/v1/activations/get' },
} as const;
export type AuthorityOperation = keyof typeof AUTHORITY_ROUTES;

/** HTTP status of each refusal: 4xx says "your request", 5xx "our fault". */
export const AUTHORITY_HTTP_STATUS: Record<AuthorityErrorCode, number> = {
  NationalIdInvalid: 422,
  ProfessionalUnknown: 404,
  CardRequired: 422,
  ContactDetailsMissing: 422,
  CertificateMalformed: 422,
  CertificateExpired: 422,
  CertificateNotYetValid: 422,
  CertificateUntrusted: 422,
  CardNotEligible: 422,
  CguVersionUnsupported: 422,
  SignatureInvalid: 422,
  ActivationUnknown: 404,
  ActivationExpired: 410,
  ActivationWrongStep: 409,
  SmsCodeIncorrect: 422,
  SmsAttemptsExhausted: 429,
  SmsSendLimit: 429,
  InvalidRequest: 400,
  RouteNotFound: 404,
  MethodNotAllowed: 405,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  // Client-side only: a server never sends these, the client makes them from what it saw.
  AuthorityUnreachable: 502,
  AuthorityTimeout: 504,
  AuthorityRefused: 502,
  AuthorityProtocolError: 502,
};

/** Largest JSON body either side accepts. */
export const MAX_JSON_BODY = 64 * 1024;
