/**
 * The ONE validation wrapper every transport goes through (VS Code `validatedIpcMain` idea,
 * transport-agnostic): a message is handled only when its channel is in the contract and its
 * payload matches the channel's request schema; the handler's answer is checked against the
 * response schema before it leaves. Electron main adds its sender check in front of this; the
 * web shell its token/Origin/Host checks. Payloads are never logged (PIN, password).
 */
import type { z } from 'zod';
import {
  ipcEvents,
  ipcRequests,
  isEventChannel,
  isRequestChannel,
  type EventChannel,
  type EventOf,
  type IpcError,
  type RequestChannel,
  type ResponseOf,
  type ValidRequestOf,
} from '../../src-shared/ipc-contract';
import { isEcpsError } from '../../src-shared/errors';

export type IpcHandlers = {
  [C in RequestChannel]: (request: ValidRequestOf<C>) => Promise<ResponseOf<C>>;
};

export type IpcResult = { ok: true; result: unknown } | { ok: false; error: IpcError };

export interface IpcDispatcher {
  /** Validates then runs the handler; never throws, never rejects. */
  dispatch(channel: unknown, payload: unknown): Promise<IpcResult>;
}

const TEXT = {
  UnknownChannel: { fr: 'Demande inconnue de l’application.', en: 'Unknown request from the application.' },
  InvalidPayload: { fr: 'Demande mal formée : elle n’a pas été exécutée.', en: 'Malformed request: it was not run.' },
  InvalidResponse: { fr: 'Réponse interne invalide.', en: 'Invalid internal response.' },
  InternalError: { fr: 'Erreur interne inattendue.', en: 'Unexpected internal error.' },
} as const;

export function transportError(code: keyof typeof TEXT, details?: Record<string, string | number | boolean>): IpcError {
  return { code, message: { ...TEXT[code] }, ...(details ? { details } : {}) };
}

/** Any thrown value as the renderer sees it. Only EcpsErrors carry their text; others are generic. */
export function toIpcError(error: unknown): IpcError {
  if (isEcpsError(error)) {
    return {
      code: error.code,
      message: { ...error.messages },
      ...(error.remedy ? { remedy: { ...error.remedy } } : {}),
      ...(Object.keys(error.details).length > 0 ? { details: { ...error.details } } : {}),
    };
  }
  return transportError('InternalError');
}

/** Where a zod issue was, without the value (a payload may hold a PIN). */
function issuePaths(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ').slice(0, 300);
}

export function createValidatedDispatcher(handlers: IpcHandlers, options: { onInternalError?: (channel: string, error: unknown) => void } = {}): IpcDispatcher {
  return {
    async dispatch(channel, payload) {
      if (!isRequestChannel(channel)) return { ok: false, error: transportError('UnknownChannel') };
      const spec = ipcRequests[channel];
      const parsed = spec.request.safeParse(payload === undefined ? {} : payload);
      if (!parsed.success) return { ok: false, error: transportError('InvalidPayload', { channel, issues: issuePaths(parsed.error) }) };
      let result: unknown;
      try {
        const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
        result = await handler(parsed.data);
      } catch (error) {
        if (!isEcpsError(error)) options.onInternalError?.(channel, error);
        return { ok: false, error: toIpcError(error) };
      }
      const checked = spec.response.safeParse(result);
      if (!checked.success) {
        options.onInternalError?.(channel, new Error(`response of ${channel} does not match the contract: ${issuePaths(checked.error)}`));
        return { ok: false, error: transportError('InvalidResponse', { channel }) };
      }
      return { ok: true, result: checked.data };
    },
  };
}

/** Validates an outgoing event against its schema; undefined when it does not match (dropped). */
export function validateEvent<E extends EventChannel>(event: E, payload: unknown): EventOf<E> | undefined {
  if (!isEventChannel(event)) return undefined;
  const checked = ipcEvents[event].safeParse(payload);
  return checked.success ? (checked.data as EventOf<E>) : undefined;
}
