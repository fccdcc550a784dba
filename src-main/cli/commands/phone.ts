/**
 * `ecps phone <qr-payload> | - [--json] [--stdin] [--relay-only]`: the reference phone (the e-CPS
 * app's side of the pairing, simulators/phone/protocol-client.ts) in the terminal.
 * Connects (direct endpoint first, then the relay), shows the 6-digit code once the computer
 * proved it holds the keys (`{ "event": "code", "code" }`), asks for the SMS code when the
 * computer says one was sent (activation without the card), asks for the e-CPS password when
 * the computer requests the proof, proves it (the password never crosses the wire), sends its
 * enrolment (a device key and a password verifier) and ends with `done` once registered.
 * `--relay-only`: behave as a phone off the computer's network (4G, Wi-Fi client isolation).
 * `-` (or `--payload-stdin`): the QR payload is read from standard input (first line) or typed at
 * a prompt — on the command line it is visible to every user in `ps` and stays in the shell's
 * history, and it carries the one-time token (issue 13 #10).
 *
 * `ecps phone --web [--port N] [--bind ADDR]`: serves the reference phone page (dist/phone,
 * simulators/phone/page-server.ts) until Ctrl-C and prints its URL (`{ "event": "listening",
 * url, origin }` with --json). A phone browser opens `<url>#<QR payload>`; the computer's
 * pairing session must allow exactly that origin (the companion does it in demo mode).
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { nodePairingCrypto } from '../../pairing/crypto';
import { startPhonePageServer } from '../../../simulators/phone/page-server';
import { PhoneClient } from '../../../simulators/phone/protocol-client';
import { usageError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { LineInput } from './line-input';

export interface PhoneOptions {
  /** The QR payload, or '-' to read it from standard input. */
  payload?: string;
  /** Same as payload '-'. */
  payloadStdin?: boolean;
  stdin: boolean;
  relayOnly: boolean;
  /** Serve the phone page instead of pairing from the terminal. */
  web?: { port?: string; bind?: string };
}

async function servePage(ctx: CliContext, web: NonNullable<PhoneOptions['web']>): Promise<number> {
  const port = web.port === undefined ? 0 : /^\d{1,5}$/.test(web.port) ? Number(web.port) : NaN;
  if (!Number.isInteger(port) || port > 65535) throw usageError('phoneWebBadPort', { value: web.port ?? '' });
  const server = await startPhonePageServer({ port, bindAddress: web.bind ?? '127.0.0.1' });
  if (ctx.json) ctx.emitJson({ event: 'listening', url: server.url, origin: server.origin });
  else {
    ctx.line(ctx.t('phoneWebListening', { url: server.url }));
    ctx.line(ctx.t('phoneWebHint', { url: server.url }));
    ctx.line(ctx.t('phoneWebOrigin', { origin: server.origin }));
  }
  if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await server.close();
  if (ctx.json) ctx.emitJson({ event: 'stopped' });
  return EXIT.ok;
}

export async function runPhone(ctx: CliContext, options: PhoneOptions): Promise<number> {
  if (options.web) {
    if (options.payload || options.payloadStdin) throw usageError('phoneWebWithPayload');
    return servePage(ctx, options.web);
  }
  const fromStdin = options.payloadStdin === true || options.payload === '-';
  if (!options.payload && !fromStdin) throw usageError('phoneMissingPayload');
  if (fromStdin && options.payload !== undefined && options.payload !== '-') throw usageError('phonePayloadTwice');
  const say = (json: Record<string, unknown>, text: string) => (ctx.json ? ctx.emitJson(json) : ctx.line(text));
  // A payload piped in (not a terminal): the answers that follow come from the same pipe.
  const piped = fromStdin && (ctx.stdin as { isTTY?: boolean }).isTTY !== true;
  const input = new LineInput(ctx, options.stdin || piped);
  let payload = options.payload ?? '';
  if (fromStdin) {
    const line = await input.ask(ctx.t('phonePromptPayload'), false);
    if (line === undefined || line.trim() === '') {
      input.close();
      throw usageError('phoneMissingPayload');
    }
    payload = line.trim();
  }
  let phone: PhoneClient;
  try {
    phone = await PhoneClient.connect(payload, { crypto: nodePairingCrypto, relayOnly: options.relayOnly, connectTimeoutMs: 3_000 });
  } catch (error) {
    input.close();
    throw error;
  }
  say({ event: 'connected', via: phone.via }, ctx.t('phoneConnected', { via: phone.via }));
  try {
    return await new Promise<number>((resolve) => {
      let finished = false;
      const end = (code: number) => {
        if (finished) return;
        finished = true;
        resolve(code);
      };
      const fail = (json: Record<string, unknown>, text: string) => {
        if (ctx.json) ctx.emitJson({ event: 'error', ...json });
        else ctx.stderr(`${text}\n`);
        phone.close('error');
        end(EXIT.activationFailed);
      };
      ctx.signal.addEventListener('abort', () => fail({ code: 'Cancelled' }, ctx.t('phoneCancelled')), { once: true });
      let password: string | undefined;
      phone.on('welcome', () => say({ event: 'code', code: phone.code }, ctx.t('phoneCode', { code: phone.code })));
      phone.on('code-confirmed', () => say({ event: 'code-confirmed' }, ctx.t('phoneCodeConfirmed')));
      phone.on('password-request', () => {
        say({ event: 'password-required' }, ctx.t('phonePasswordAsked'));
        void input.ask(ctx.t('phonePromptPassword'), true).then(async (typed) => {
          if (typed === undefined) return fail({ code: 'InputEnded' }, ctx.t('phoneInputEnded'));
          password = typed;
          await phone.answerPassword(typed);
        });
      });
      phone.on('password-result', ({ ok, triesLeft }) => {
        say({ event: 'password-result', ok, triesLeft }, ok ? ctx.t('phonePasswordOk') : ctx.t('phonePasswordWrong', { n: triesLeft }));
        if (!ok || password === undefined) return;
        // The app's enrolment: its device key and a verifier of the password (salted PBKDF2), never the password.
        const salt = randomBytes(16);
        const verifier = Buffer.concat([salt, pbkdf2Sync(password, salt, 10_000, 32, 'sha256')]);
        password = undefined;
        phone.send('enrolment', { phonePublicKey: randomBytes(32).toString('base64url'), passwordVerifier: verifier.toString('base64url') });
      });
      phone.on('data', ({ topic, body }) => {
        const b = (body ?? {}) as Record<string, unknown>;
        if (topic === 'sms-sent' || (topic === 'sms-result' && b.ok === false && Number(b.attemptsLeft) > 0)) {
          if (topic === 'sms-result') say({ event: 'sms-result', ok: false, attemptsLeft: b.attemptsLeft }, ctx.t('phoneSmsWrong', { n: String(b.attemptsLeft) }));
          say({ event: 'sms-required', sentTo: b.sentTo }, ctx.t('phoneSmsAsked'));
          void input.ask(ctx.t('phonePromptSms'), false).then((code) => {
            if (code === undefined) return fail({ code: 'InputEnded' }, ctx.t('phoneInputEnded'));
            phone.send('sms-code', { code: code.trim() });
          });
        } else if (topic === 'sms-result' && b.ok === true) {
          say({ event: 'sms-result', ok: true }, ctx.t('phoneSmsOk'));
        } else if (topic === 'activated') {
          say({ event: 'done', activationId: b.activationId }, ctx.t('phoneDone'));
          phone.close('done');
          end(EXIT.ok);
        }
      });
      phone.on('closed', ({ code, reason }) => {
        if (finished) return;
        fail({ code: 'PairingClosed', closeCode: code, reason }, ctx.t('phoneClosed', { code, reason }));
      });
    });
  } finally {
    input.close();
  }
}
