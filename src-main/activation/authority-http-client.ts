/**
 * The ActivationAuthority over HTTP JSON (the production transport; the sandbox server speaks
 * the same API). Uses the global fetch with a timeout per call.
 *
 * Errors: a refusal whose code the catalogue knows is rebuilt as the same error the in-process
 * authority throws (same code, same text, the server's non-secret details + httpStatus), so the
 * activation flows need not care which authority is plugged in. Anything else becomes one of
 * the client's own codes: AuthorityUnreachable (network, with a remedy), AuthorityTimeout,
 * AuthorityRefused (an error code we do not know: the server's code is in details.serverCode),
 * AuthorityProtocolError (an answer that is not the API's: proxy, captive portal…).
 *
 * Nothing goes in URLs but the route: activation ids, national ids and codes travel in bodies.
 */
import {
  authorityError,
  authorityErrors,
  type ActivationAuthority,
  type ActivationRecord,
  type AuthorityDescription,
  type CardChallenge,
  type ProfessionalLookup,
  type ProveCardRequest,
  type RegisterPhoneRequest,
  type ServerTime,
  type SmsCodeSent,
  type StartWithCardRequest,
  type VerifiedHolder,
  type WithoutCardRequest,
  type WithoutCardRequestResult,
} from '../../src-shared/activation-authority';
import { AUTHORITY_ROUTES, MAX_JSON_BODY, toBase64, wireError, wireResponses, type AuthorityOperation } from '../../src-shared/activation-authority-wire';
import type { EcpsError } from '../../src-shared/errors';

export interface AuthorityHttpClientOptions {
  /** Base URL, e.g. `https://authority.example` or the sandbox's `http://127.0.0.1:PORT`. */
  baseUrl: string;
  /** Per call, default 10 s: an activation step the user is waiting on. */
  timeoutMs?: number;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
}

export class AuthorityHttpClient implements ActivationAuthority {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: AuthorityHttpClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be http(s)');
    if (url.username || url.password || url.search) throw new TypeError('baseUrl must carry no credentials or query');
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async describe(): Promise<AuthorityDescription> {
    const d = await this.call('describe');
    return {
      kind: d.kind,
      transport: 'http',
      url: this.baseUrl,
      label: d.label,
      ...(d.relayPath !== undefined ? { relayUrl: new URL(d.relayPath, this.baseUrl.replace(/^http/, 'ws') + '/').href } : {}),
      apiVersion: d.apiVersion,
    };
  }

  async serverTime(): Promise<ServerTime> {
    const sent = Date.now();
    const { serverTime } = await this.call('serverTime');
    const received = Date.now();
    // The server read its clock about halfway through the round trip (NTP's assumption).
    return { serverTime, skewMs: Date.parse(serverTime) - Math.round((sent + received) / 2) };
  }

  lookupProfessional(idNat: string): Promise<ProfessionalLookup> {
    return this.call('lookupProfessional', { idNat });
  }

  startWithCard(request: StartWithCardRequest): Promise<CardChallenge> {
    return this.call('startWithCard', { certificateDer: toBase64(request.certificateDer), cguVersion: request.cguVersion });
  }

  proveCard(request: ProveCardRequest): Promise<VerifiedHolder> {
    return this.call('proveCard', { activationId: request.activationId, signature: toBase64(request.signature), algorithm: request.algorithm });
  }

  requestWithoutCard(request: WithoutCardRequest): Promise<WithoutCardRequestResult> {
    return this.call('requestWithoutCard', { idNat: request.idNat, ...(request.qrPayload !== undefined ? { qrPayload: request.qrPayload } : {}) });
  }

  sendSmsCode(activationId: string): Promise<SmsCodeSent> {
    return this.call('sendSmsCode', { activationId });
  }

  verifySmsCode(activationId: string, code: string): Promise<{ activationId: string; verified: true }> {
    return this.call('verifySmsCode', { activationId, code });
  }

  registerPhone(request: RegisterPhoneRequest): Promise<ActivationRecord> {
    return this.call('registerPhone', {
      activationId: request.activationId,
      phonePublicKey: toBase64(request.phonePublicKey),
      passwordVerifier: toBase64(request.passwordVerifier),
    });
  }

  getActivation(activationId: string): Promise<ActivationRecord> {
    return this.call('getActivation', { activationId });
  }

  async listActivations(): Promise<ActivationRecord[]> {
    return (await this.call('listActivations')).activations;
  }

  private async call<Op extends keyof typeof wireResponses>(operation: Op & AuthorityOperation, body?: object) {
    const route = AUTHORITY_ROUTES[operation];
    const url = this.baseUrl + route.path;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method: route.method,
        headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error', // a redirect would resend the body somewhere we did not choose
      });
      text = await response.text();
    } catch (cause) {
      throw this.transportError(cause);
    }
    const json = parseJson(text.length > 4 * MAX_JSON_BODY ? '' : text);
    if (!response.ok) throw refusalFrom(response.status, json, this.baseUrl);
    const parsed = wireResponses[operation].safeParse(json);
    if (!parsed.success) {
      throw authorityError('AuthorityProtocolError', { details: { url: this.baseUrl, operation, httpStatus: response.status } });
    }
    return parsed.data as ReturnType<(typeof wireResponses)[Op]['parse']>;
  }

  private transportError(cause: unknown): EcpsError {
    const name = (cause as { name?: string } | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return authorityError('AuthorityTimeout', { details: { url: this.baseUrl, timeoutMs: this.timeoutMs }, cause });
    }
    // undici wraps the system error: `fetch failed` with cause.code ECONNREFUSED, ENOTFOUND…
    const systemCode = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    return authorityError('AuthorityUnreachable', {
      details: { url: this.baseUrl, ...(typeof systemCode === 'string' ? { reason: systemCode } : {}) },
      cause,
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function refusalFrom(httpStatus: number, json: unknown, url: string): EcpsError {
  const parsed = wireError.safeParse(json);
  if (!parsed.success) return authorityError('AuthorityProtocolError', { details: { url, httpStatus } });
  const { code, details } = parsed.data.error;
  // Client-side codes coming from a server would be a lie about where the fault is.
  const clientOnly = ['AuthorityUnreachable', 'AuthorityTimeout', 'AuthorityRefused', 'AuthorityProtocolError'];
  if (authorityErrors.has(code) && !clientOnly.includes(code)) {
    return authorityError(code, { details: { ...details, httpStatus } });
  }
  return authorityError('AuthorityRefused', { details: { serverCode: code, httpStatus } });
}
