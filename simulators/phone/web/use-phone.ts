/**
 * The page's state: one activation seen from the phone, driven by the shared protocol core
 * (../phone-core.ts) with the WebCrypto suite and the browser's WebSocket.
 * With the card: code shown → confirmed on the computer → password → done.
 * Without the card: also the SMS code, when the computer says one was sent.
 * The password and the SMS code are never kept after use, never logged.
 */
import { reactive } from 'vue';
import { isEcpsError, type LocalizedText } from '../../../src-shared/errors';
import { pairingProtocolErrors, QR_PREFIX, toBase64Url } from '../../../src-shared/pairing-protocol';
import { PhoneLink, type Via } from '../phone-core';
import { openBrowserSocket } from './browser-socket';
import { pageCrypto } from './page-crypto';

export type Step = 'scan' | 'connecting' | 'code' | 'waiting' | 'sms' | 'password' | 'proving' | 'registering' | 'done' | 'failed';

export interface PhoneState {
  step: Step;
  attempt: Via | undefined;
  via: Via | undefined;
  code: string;
  codeConfirmed: boolean;
  smsSentTo: string;
  smsAttemptsLeft: number | undefined;
  passwordTriesLeft: number | undefined;
  failure: { errorCode?: string; message?: LocalizedText; remedy?: LocalizedText; closeCode?: number } | undefined;
}

/** `#ecps1:…` (a trainer's phone camera opened the companion's link) or a pasted payload / URL. */
export function payloadFrom(text: string): string | undefined {
  const trimmed = text.trim();
  const at = trimmed.indexOf(QR_PREFIX);
  if (at < 0) return undefined;
  let payload = trimmed.slice(at);
  try {
    payload = decodeURIComponent(payload);
  } catch {
    return undefined;
  }
  return payload;
}

export function usePhone() {
  const state = reactive<PhoneState>({
    step: 'scan', attempt: undefined, via: undefined, code: '', codeConfirmed: false,
    smsSentTo: '', smsAttemptsLeft: undefined, passwordTriesLeft: undefined, failure: undefined,
  });
  let link: PhoneLink | undefined;
  let password: string | undefined;

  function fail(failure: PhoneState['failure']): void {
    state.step = 'failed';
    state.failure = failure;
  }

  async function connect(payload: string): Promise<void> {
    if (state.step !== 'scan' && state.step !== 'failed') return;
    Object.assign(state, { step: 'connecting', attempt: undefined, via: undefined, code: '', codeConfirmed: false, failure: undefined, passwordTriesLeft: undefined, smsAttemptsLeft: undefined });
    let established;
    try {
      established = await PhoneLink.establish(payload, {
        crypto: (await pageCrypto()).suite,
        openSocket: openBrowserSocket,
        connectTimeoutMs: 4_000,
        onAttempt: (via) => (state.attempt = via),
      });
    } catch (error) {
      const e = isEcpsError(error) ? error : pairingProtocolErrors.create('PairingUnreachable');
      return fail({ errorCode: e.code, message: { ...e.messages }, ...(e.remedy ? { remedy: { ...e.remedy } } : {}) });
    }
    const l = new PhoneLink(established);
    link = l;
    state.via = l.via;
    l.on('welcome', () => {
      state.code = l.code;
      state.step = 'code';
    });
    l.on('code-confirmed', () => {
      state.codeConfirmed = true;
      if (state.step === 'code') state.step = 'waiting';
    });
    l.on('password-request', () => {
      state.step = 'password';
    });
    l.on('password-result', ({ ok, triesLeft }) => {
      if (!ok) {
        password = undefined;
        state.passwordTriesLeft = triesLeft;
        state.step = 'waiting';
        return;
      }
      state.passwordTriesLeft = undefined;
      state.step = 'registering';
      void enrol(l);
    });
    l.on('data', ({ topic, body }) => {
      const b = (body ?? {}) as Record<string, unknown>;
      if (topic === 'sms-sent') {
        state.smsSentTo = typeof b.sentTo === 'string' ? b.sentTo : '';
        state.smsAttemptsLeft = undefined;
        state.step = 'sms';
      } else if (topic === 'sms-result') {
        if (b.ok === true) state.step = 'waiting';
        else {
          state.smsAttemptsLeft = typeof b.attemptsLeft === 'number' ? b.attemptsLeft : 0;
          state.step = state.smsAttemptsLeft > 0 ? 'sms' : 'waiting';
        }
      } else if (topic === 'activated') {
        state.step = 'done';
        l.close('done');
      }
    });
    l.on('closed', ({ code }) => {
      if (link === l && state.step !== 'done') fail({ closeCode: code });
    });
  }

  /** The app's enrolment: a device key and a salted verifier of the password (never the password). */
  async function enrol(l: PhoneLink): Promise<void> {
    const typed = password;
    password = undefined;
    if (typed === undefined) return;
    const { suite, pbkdf2 } = await pageCrypto();
    const salt = suite.randomBytes(16);
    const key = await pbkdf2(typed, salt, 10_000, 32);
    const verifier = new Uint8Array(48);
    verifier.set(salt);
    verifier.set(key, 16);
    key.fill(0);
    const device = await suite.generateKeyPair();
    l.send('enrolment', { phonePublicKey: toBase64Url(device.publicKey), passwordVerifier: toBase64Url(verifier) });
  }

  async function submitPassword(typed: string): Promise<boolean> {
    if (state.step !== 'password' || !link?.passwordPending || !/^\d{4}$/.test(typed)) return false;
    state.step = 'proving';
    password = typed;
    await link.answerPassword(typed);
    return true;
  }

  function submitSms(typed: string): boolean {
    const code = typed.replace(/\s+/g, '');
    if (state.step !== 'sms' || !link || !/^\d{4,8}$/.test(code)) return false;
    state.step = 'waiting';
    link.send('sms-code', { code });
    return true;
  }

  function reset(): void {
    link?.close('restart');
    link = undefined;
    password = undefined;
    Object.assign(state, { step: 'scan', failure: undefined, code: '', attempt: undefined, via: undefined });
  }

  return { state, connect, submitPassword, submitSms, reset };
}
