/**
 * `ecps pin status | verify | change | unblock`: the PIN counters, and the three PIN
 * operations through CpsCard (pin-safety.ts: format checked before anything is sent, counter
 * read before every VERIFY, last try only with --confirm-last-try, never re-sent).
 *
 * Codes come from pin-entry.ts (terminal without echo, or --pin-stdin), are read BEFORE the
 * card is touched, handed to the card layer as bytes (zeroed by it) and wiped here too.
 * Every answer carries the PIN counter after the operation (`pin`), also on failure when the
 * card still answers; nothing prints a code.
 */
import { isEcpsError, type EcpsError } from '../../../src-shared/errors';
import type { CpsCard, PinStatus } from '../../card/cps/index';
import { asEcpsError, usageError, type CliContext } from '../context';
import { EXIT, exitCodeForError } from '../exit-codes';
import { pinJson, pinText } from '../format';
import { requireCpsApplication } from '../../reader/card-session';
import { withCardSession } from '../cps-session';
import { readCodes, type SecretRole } from '../pin-entry';
import { wipe } from '../secret-input';
import type { MessageKey } from '../messages';

export const PIN_ACTIONS = ['status', 'verify', 'change', 'unblock'] as const;
export type PinAction = (typeof PIN_ACTIONS)[number];

export interface PinCommandOptions {
  args: string[];
  reader?: string;
  pinStdin: boolean;
  confirmLastTry: boolean;
  /** `--pin` / `--puk` were given: refused, a code never comes from argv. */
  codeOnArgv: boolean;
}

const ROLES: Record<PinAction, readonly SecretRole[]> = {
  status: [],
  verify: ['pin'],
  change: ['pin', 'newPin'],
  unblock: ['puk', 'newPin'],
};

const SUCCESS: Record<Exclude<PinAction, 'status'>, MessageKey> = {
  verify: 'pinVerifyOk',
  change: 'pinChangeOk',
  unblock: 'pinUnblockOk',
};

export function isPinAction(text: string): text is PinAction {
  return (PIN_ACTIONS as readonly string[]).includes(text);
}

export async function runPin(ctx: CliContext, options: PinCommandOptions): Promise<number> {
  const [action, ...extra] = options.args;
  // A code on argv is refused before anything else, and never quoted back.
  if (options.codeOnArgv || extra.length > 0) throw usageError('pinOnArgv');
  if (action === undefined) throw usageError('pinMissingAction');
  if (!isPinAction(action)) throw usageError('pinUnknownAction', { name: action });

  const codes = await readCodes(ctx, ROLES[action], options.pinStdin);
  try {
    return await withCardSession(ctx, { ...(options.reader !== undefined ? { reader: options.reader } : {}), share: 'exclusive' }, async (session) => {
      const base = { command: 'pin', action, reader: session.reader, demo: session.demo };
      const cps = requireCpsApplication(session.application);
      let pin: PinStatus;
      let puk: PinStatus | undefined;
      try {
        pin = await operate(cps, action, codes, options.confirmLastTry);
        if (action === 'status' || action === 'unblock') puk = await cps.pukStatus().catch(() => undefined);
      } catch (error) {
        wipe(...codes);
        const err = asEcpsError(error);
        if (!isEcpsError(error) || err.code === 'UnexpectedError') throw error;
        // The counter after the failure: read again (never spends a try); the error's own
        // counts when the card no longer answers.
        const after = await cps.pinStatus().catch(() => statusFromError(err));
        return reportFailure(ctx, base, err, after, session.demo);
      }
      if (ctx.json) {
        ctx.emitJson({ ...base, ok: true, pin: pinJson(pin), ...(puk ? { puk: pinJson(puk) } : {}) });
        return EXIT.ok;
      }
      if (session.demo) ctx.line(ctx.t('demoBanner'));
      if (action !== 'status') ctx.line(ctx.t(SUCCESS[action]));
      ctx.line(ctx.field(ctx.t('pinLabel'), pinText(ctx, pin)));
      if (puk) ctx.line(ctx.field(ctx.t('pukLabel'), pinText(ctx, puk)));
      return EXIT.ok;
    });
  } finally {
    wipe(...codes);
  }
}

function operate(cps: CpsCard, action: PinAction, codes: Uint8Array[], confirmLastTry: boolean): Promise<PinStatus> {
  const options = { confirmLastTry };
  switch (action) {
    case 'status':
      return cps.pinStatus();
    case 'verify':
      return cps.verifyPin(codes[0]!, options);
    case 'change':
      return cps.changePin(codes[0]!, codes[1]!, options);
    case 'unblock':
      return cps.unblockPin(codes[0]!, codes[1]!, options);
  }
}

/** The counts an error carries (details hold counts, never a code), when the card is gone. */
function statusFromError(error: EcpsError): PinStatus | undefined {
  const d = error.details;
  if (d.code !== 'pin') return undefined;
  const left = typeof d.triesLeftAfter === 'number' ? d.triesLeftAfter : d.triesLeft;
  if (typeof left !== 'number' || typeof d.maxTries !== 'number') return undefined;
  return { triesLeft: left, maxTries: d.maxTries, blocked: left === 0 };
}

function reportFailure(ctx: CliContext, base: Record<string, unknown>, error: EcpsError, pin: PinStatus | undefined, demo: boolean): number {
  if (ctx.json) {
    ctx.emitJson({ ...base, ok: false, error: error.toJSON(ctx.lang), ...(pin ? { pin: pinJson(pin) } : {}) });
  } else {
    if (demo) ctx.line(ctx.t('demoBanner'));
    ctx.stderr(`${error.text(ctx.lang)}\n`);
    const remedy = error.remedyText(ctx.lang);
    if (remedy) ctx.stderr(`${ctx.t('remedyLine', { remedy })}\n`);
    if (pin) ctx.stderr(`${ctx.field(ctx.t('pinLabel'), pinText(ctx, pin))}\n`);
  }
  return exitCodeForError(error.code);
}
