/**
 * `ecps activate [--reader NAME] [--authority URL|sandbox] [--bind ADDRESS] [--relay URL]
 *  [--accept-cgu] [--stdin] [--json] [--demo]` and `ecps activate --without-card [--national-id N]`:
 * the activation flows in the terminal, driven by ActivationDriver (src-main/activation/driver.ts).
 *
 * With the card: PIN (through the card layer's safety path) → CGU → QR drawn here and its
 * payload printed → the phone connects → its code typed here → the e-CPS password twice
 * (hidden) → the phone proves it → the authority registers the phone.
 * `--json`: one event per line (README). `--stdin`: PIN, code, passwords… one line each, read
 * only when asked. The authority in use is always said first (event `authority`).
 */
import { networkInterfaces } from 'node:os';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import type { ActivationAuthority, AuthorityDescription } from '../../../src-shared/activation-authority';
import { isEcpsError } from '../../../src-shared/errors';
import { AuthorityHttpClient } from '../../activation/authority-http-client';
import { ActivationDriver, type DriverEvent } from '../../activation/driver';
import { SandboxAuthority } from '../../../simulators/authority/sandbox-authority';
import { usageError, type CliContext } from '../context';
import { EXIT, exitCodeForError } from '../exit-codes';
import { requireCpsApplication } from '../../reader/card-session';
import { withCardSession } from '../cps-session';
import { isWithdrawn, LineInput } from './line-input';
import { EPOP_GUIDANCE } from '../../activation/without-card';

export interface ActivateOptions {
  reader?: string;
  authority?: string;
  bind?: string;
  relay?: string;
  stdin: boolean;
  acceptCgu: boolean;
  withoutCard: boolean;
  nationalId?: string;
  /** PBKDF2 rounds of the password proof (tests lower it; default the pairing's 600 000). */
  passwordIterations?: number;
}

/** Retries of an authority call that did not answer, before giving up (1.5 s apart). */
const AUTHORITY_RETRIES = 2;
const CGU_DIR = new URL('../../../resources/cgu/', import.meta.url);

export async function runActivate(ctx: CliContext, options: ActivateOptions): Promise<number> {
  const bindAddress = options.bind ?? defaultBindAddress();
  if (!/^[0-9.]+$|^[0-9a-fA-F:]+$/.test(bindAddress)) throw usageError('activateBadBind', { value: bindAddress });
  const { authority, description } = await openAuthority(ctx, options.authority);
  const relayUrl = options.relay ?? description.relayUrl;
  const label = description.label[ctx.lang];
  if (ctx.json) ctx.emitJson({ event: 'authority', kind: description.kind, url: description.url, label, ...(relayUrl ? { relayUrl } : {}) });
  else ctx.line(ctx.t('activateAuthority', { label, url: description.url }));
  if (ctx.demo && !ctx.json) ctx.line(ctx.t('demoBanner'));

  const input = new LineInput(ctx, options.stdin);
  const pairing = {
    bindAddress,
    ...(relayUrl ? { relayUrl } : {}),
    ...(options.passwordIterations ? { passwordIterations: options.passwordIterations } : {}),
  };
  try {
    if (options.withoutCard) {
      const driver = new ActivationDriver({ flow: 'without-card', authority, pairing, lang: ctx.lang });
      return await drive(ctx, driver, input, authority, options);
    }
    return await withCardSession(ctx, { ...(options.reader !== undefined ? { reader: options.reader } : {}), share: 'exclusive' }, async (session) => {
      const cps = requireCpsApplication(session.application);
      const driver = new ActivationDriver({ flow: 'with-card', authority, card: cps, pairing, lang: ctx.lang });
      const unsubscribe = session.port.onEvent((event) => {
        if ((event.type === 'card-removed' || event.type === 'reader-removed') && event.reader === session.reader) driver.cardRemoved();
        // pcscd stopped: the card is out of reach even though no reader event says so (issue 13 #9).
        if (event.type === 'service-down') driver.cardRemoved('service-down');
      });
      try {
        return await drive(ctx, driver, input, authority, options, async () => {
          const pin = await input.ask(ctx.t('promptPin'), true);
          if (pin === undefined) throw usageError('activateInputEnded');
          const bytes = new Uint8Array(Buffer.from(pin, 'utf8'));
          try {
            const status = await cps.verifyPin(bytes);
            driver.pinVerified(status.triesLeft);
          } finally {
            bytes.fill(0);
          }
        });
      } finally {
        unsubscribe();
      }
    });
  } finally {
    input.close();
  }
}

async function openAuthority(ctx: CliContext, option: string | undefined): Promise<{ authority: ActivationAuthority; description: AuthorityDescription }> {
  const authority: ActivationAuthority =
    option === undefined || option === 'sandbox' ? new SandboxAuthority() : new AuthorityHttpClient({ baseUrl: checkedUrl(option) });
  // Unreachable from the start: said now, with the remedy (exit 13), before the card is touched.
  const description = await authority.describe();
  void ctx;
  return { authority, description };
}

function checkedUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return text;
  } catch {
    // below
  }
  throw usageError('activateBadAuthority', { value: text });
}

/** The first non-internal IPv4 address (what a phone on the same Wi-Fi reaches), else loopback. */
function defaultBindAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function cguText(): { version: string; text: string } {
  const dir = CGU_DIR.pathname;
  if (existsSync(dir)) {
    const files = readdirSync(dir).filter((f) => /\.(txt|md)$/.test(f)).sort();
    const last = files[files.length - 1];
    if (last) return { version: path.basename(last).replace(/\.(txt|md)$/, '').slice(0, 32), text: readFileSync(path.join(dir, last), 'utf8') };
  }
  return {
    version: 'sandbox-1',
    text: 'Conditions générales d’utilisation de la e-CPS (texte de démonstration : le texte officiel de l’ANS s’affiche ici).',
  };
}

/** Runs one flow to its end, answering the driver's questions from the input. */
async function drive(
  ctx: CliContext,
  driver: ActivationDriver,
  input: LineInput,
  authority: ActivationAuthority,
  options: ActivateOptions,
  askPin?: () => Promise<void>,
): Promise<number> {
  let retries = 0;
  let lastError: { code: string } | undefined;
  let failure: number | undefined;
  let cardPulled = false;
  const outcome = new Promise<number>((resolve) => {
    const stopWith = (code: number) => {
      failure = code;
      void driver.stop().then(() => resolve(code));
    };
    const ask = async (what: () => Promise<void>) => {
      try {
        await what();
      } catch (error) {
        if (isWithdrawn(error)) return; // the step it belonged to is over: nothing failed
        ctx.fail(error);
        stopWith(isEcpsError(error) ? exitCodeForError(error.code) : EXIT.failure);
      }
    };
    /**
     * The code and password questions belong to the step that asked them: when the flow leaves
     * that step (the phone left, a new QR), the question is withdrawn so it does not take the
     * next line typed — meant for the next phone's code or the password (issue 13 #6).
     */
    const questions = new Map<string, AbortController>();
    const questionFor = (step: string): AbortSignal => {
      questions.get(step)?.abort();
      const controller = new AbortController();
      questions.set(step, controller);
      return controller.signal;
    };
    const withdrawOthers = (step: string) => {
      for (const [asked, controller] of questions) {
        if (asked === step) continue;
        controller.abort();
        questions.delete(asked);
      }
    };
    driver.on('event', (event) => {
      print(ctx, event);
      if (event.type === 'error') lastError = event;
      if (event.type === 'error' && (event.code === 'CardRemoved' || event.code === 'ReaderServiceStopped')) cardPulled = true;
      switch (event.type) {
        case 'qr':
          if (authority instanceof SandboxAuthority && !ctx.json) ctx.line(ctx.t('activateQrHint', { payload: event.payload }));
          break;
        case 'request-sent':
          if (authority instanceof SandboxAuthority) {
            // The in-process sandbox's outbox: what the professional would receive by e-mail.
            const mail = authority.outbox().filter((m) => m.channel === 'email').pop();
            if (mail) emit(ctx, { event: 'email', to: mail.to, subject: mail.subject, payload: mail.qrPayload }, ctx.t('activateEmail', { to: mail.to, payload: mail.qrPayload ?? '' }));
          }
          break;
        case 'sms-sent':
          if (authority instanceof SandboxAuthority) {
            const sms = authority.outbox().filter((m) => m.channel === 'sms').pop();
            if (sms) emit(ctx, { event: 'sms', to: sms.to, code: sms.code }, ctx.t('activateSms', { to: sms.to, code: sms.code ?? '' }));
          }
          break;
        case 'code-required': {
          const signal = questionFor('code-entry');
          void ask(async () => {
            const code = await input.ask(ctx.t('activatePromptCode'), false, signal);
            if (code === undefined) throw usageError('activateInputEnded');
            await driver.enterCode(code);
          });
          break;
        }
        case 'password-required': {
          const signal = questionFor('choosing-password');
          void ask(async () => {
            const first = await input.ask(ctx.t('activatePromptPassword'), true, signal);
            const second = first === undefined ? undefined : await input.ask(ctx.t('activatePromptPasswordAgain'), true, signal);
            if (first === undefined || second === undefined) throw usageError('activateInputEnded');
            driver.choosePassword(first, second);
          });
          break;
        }
        case 'state':
          withdrawOthers(event.step);
          onStep(event.step);
          break;
        case 'end':
          resolve(failure ?? (event.step === 'done' ? EXIT.ok : exitFor(lastError)));
          break;
      }
    });
    const onStep = (step: string) => {
      if (step === 'card-ready' && cardPulled) {
        // The card left (or PC/SC stopped): the flow starts over at the PIN; the command stops
        // with the reason (exit 6, or 3 for the service).
        return stopWith(lastError?.code === 'ReaderServiceStopped' ? EXIT.serviceUnavailable : EXIT.cardError);
      }
      if (step === 'cgu') {
        const cgu = cguText();
        emit(ctx, { event: 'cgu', version: cgu.version, text: cgu.text }, `${ctx.t('activateCguTitle', { version: cgu.version })}\n${cgu.text}`);
        void ask(async () => {
          if (!options.acceptCgu) {
            const answer = await input.ask(ctx.t('activateCguAsk'), false);
            if (answer === undefined || !/^\s*(o|oui|y|yes)\s*$/i.test(answer)) {
              driver.cancel();
              return;
            }
          }
          driver.acceptCgu(cgu.version);
        });
      }
      if (step === 'national-id') {
        void ask(async () => {
          const id = options.nationalId ?? (await input.ask(ctx.t('activatePromptNationalId'), false));
          options.nationalId = undefined; // asked again after a refusal
          if (id === undefined) throw usageError('activateInputEnded');
          driver.enterNationalId(id);
        });
      }
      // The command line itself is the "Envoyer ma demande d'activation" click.
      if (step === 'ready-to-request') driver.confirmRequest();
      if (step === 'epop-guidance') for (const line of EPOP_GUIDANCE) emit(ctx, { event: 'guidance', text: line[ctx.lang] }, `  · ${line[ctx.lang]}`);
      if (step === 'authority-error') {
        if (retries++ < AUTHORITY_RETRIES) setTimeout(() => driver.retry(), 1_500).unref();
        else stopWith(exitFor(lastError));
      }
    };
  });
  ctx.signal.addEventListener('abort', () => driver.cancel(), { once: true });
  driver.start();
  if (askPin) {
    try {
      await askPin();
    } catch (error) {
      await driver.stop();
      throw error;
    }
  }
  return outcome;
}

function exitFor(error: { code: string } | undefined): number {
  if (!error) return EXIT.activationFailed;
  const code = exitCodeForError(error.code);
  return code === EXIT.failure ? EXIT.activationFailed : code;
}

function emit(ctx: CliContext, json: Record<string, unknown>, text: string): void {
  if (ctx.json) ctx.emitJson(json);
  else ctx.line(text);
}

function print(ctx: CliContext, event: DriverEvent): void {
  if (ctx.json) {
    const { type, ...rest } = event;
    if (type === 'done') {
      const { record } = event;
      ctx.emitJson({ event: 'done', activationId: event.activationId, status: record.status, mode: record.mode, idNat: record.idNat, completedAt: record.completedAt });
    } else if (type === 'end') {
      // internal
    } else ctx.emitJson({ event: type, ...rest });
    return;
  }
  switch (event.type) {
    case 'state':
      ctx.line(`→ ${event.text}`);
      break;
    case 'qr':
      ctx.line(qrArt(event.payload));
      ctx.line(ctx.t('activateQrPayload', { payload: event.payload }));
      break;
    case 'request-sent':
      ctx.line(ctx.t('activateRequestSent', { to: event.sentTo }));
      break;
    case 'phone-connected':
      ctx.line(ctx.t('activatePhoneConnected', { via: event.via }));
      break;
    case 'sms-sent':
      ctx.line(ctx.t('activateSmsSent', { to: event.sentTo }));
      break;
    case 'done':
      ctx.line(ctx.t('activateDone', { id: event.activationId }));
      break;
    case 'error':
      ctx.stderr(`${event.message}\n`);
      if (event.remedy) ctx.stderr(`${ctx.t('remedyLine', { remedy: event.remedy })}\n`);
      break;
    default:
      break;
  }
}

function qrArt(payload: string): string {
  let art = '';
  QRCode.toString(payload, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }, (error, text) => {
    art = error ? '' : text;
  });
  return art;
}
