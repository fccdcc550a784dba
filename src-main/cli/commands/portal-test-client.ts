/**
 * `ecps portal-test --client`: a real TLS client (curl + the card's PKCS#11 module through
 * OpenSSL's libp11 engine) logs in to the local test server with the card, and the server's
 * own report says who logged in.
 *
 * The PIN rules of the companion hold although OpenSC, not the companion, presents the PIN:
 * the try counter is read first without spending a try (GET DATA, through the companion's
 * own card path, shared access); a blocked PIN sends nothing, one try left needs
 * --confirm-last-try; the PIN is typed without echo or read with --pin-stdin, checked for its
 * format, given to curl on standard input only, and wiped. It is sent once; after a failure
 * the counter is read again to tell a wrong PIN (exit 9) from any other failure (exit 12).
 */
import { CPS_PIN_FORMATS, checkPinFormat, cpsError, type PinStatus } from '../../card/cps/index';
import type { PortalLogin, PortalTestServer } from '../../portal-test/portal-server';
import { runPkcs11Client, type ClientRun } from '../../portal-test/pkcs11-client';
import { cliError } from '../cli-errors';
import type { CliContext } from '../context';
import { requireCpsApplication } from '../../reader/card-session';
import { withCardSession } from '../cps-session';
import { EXIT } from '../exit-codes';
import { readCodes } from '../pin-entry';
import { pt } from '../portal-test-messages';
import { wipe } from '../secret-input';
import type { PortalTestOptions } from './portal-test';
import { reportLogin, type ClientSetup } from './portal-test-report';

/** A card login takes a few RSA operations; a slow reader or a busy card gets this long. */
const CLIENT_TIMEOUT_MS = 60_000;

export async function runPortalClient(ctx: CliContext, server: PortalTestServer, setup: ClientSetup, options: PortalTestOptions): Promise<number> {
  if (!setup.plan) {
    throw cliError('PortalClientUnavailable', { missing: setup.missing.join(', ') }, { details: { missing: setup.missing.join(', ') } });
  }
  const before = await pinCounter(ctx, options.reader);
  if (before.blocked) throw cpsError('PinBlocked', { details: { code: 'pin', triesLeft: 0, maxTries: before.maxTries } });
  if (before.triesLeft === 1 && !options.confirmLastTry) {
    throw cpsError('PinLastTryNeedsConfirmation', { secret: 'pin', details: { code: 'pin', triesLeft: 1, maxTries: before.maxTries, operation: 'portal-test' } });
  }

  const [pin] = await readCodes(ctx, ['pin'], options.pinStdin);
  let run: ClientRun;
  const loginsBefore = server.logins.length;
  try {
    checkPinFormat('pin', pin!, CPS_PIN_FORMATS.pin);
    if (!ctx.json) ctx.line(pt(ctx.lang, 'clientRunning', { module: setup.module ?? '' }));
    run = await runPkcs11Client(setup.plan, pin!, { timeoutMs: Math.max(ctx.timeoutMs, CLIENT_TIMEOUT_MS) });
  } finally {
    wipe(pin!);
  }

  const login: PortalLogin | undefined = server.logins[loginsBefore];
  if (login) {
    reportLogin(ctx, login);
    if (login.accepted && run.exitCode === 0) return EXIT.ok;
    if (!login.accepted) throw cliError('PortalLoginRefused', { reason: login.reason[ctx.lang] }, { details: { chain: login.chain?.status ?? 'none' } });
  }
  // No login reached the server (or curl failed after it): was the PIN refused?
  const after = await pinCounter(ctx, options.reader).catch(() => undefined);
  if (after && after.triesLeft < before.triesLeft) {
    if (after.blocked) throw cpsError('PinBlocked', { details: { code: 'pin', triesLeft: 0, maxTries: after.maxTries } });
    throw cpsError('PinIncorrect', { secret: 'pin', params: { n: after.triesLeft }, details: { code: 'pin', triesLeft: after.triesLeft, maxTries: after.maxTries } });
  }
  const reason = run.timedOut ? `curl: ${Math.round(Math.max(ctx.timeoutMs, CLIENT_TIMEOUT_MS) / 1000)} s` : (run.error ?? `curl exit ${run.exitCode}`);
  throw cliError('PortalLoginFailed', { reason }, { details: { curlExit: run.exitCode ?? -1, timedOut: run.timedOut } });
}

/** The PIN counter through the companion's own card path (shared access, no try spent). */
function pinCounter(ctx: CliContext, reader: string | undefined): Promise<PinStatus> {
  return withCardSession(ctx, { ...(reader !== undefined ? { reader } : {}), share: 'shared' }, (session) => requireCpsApplication(session.application).pinStatus());
}
