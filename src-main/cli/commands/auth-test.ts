/**
 * `ecps auth-test [--reader NAME] [--pin-stdin] [--confirm-last-try] [--trust FILE]…`:
 * a fresh random challenge, signed by the card's authentication key, verified with the
 * card's authentication certificate; that certificate's chain checked against the sandbox
 * trust anchors (always) and the `--trust` certificates (IGC-Santé roots and CAs, PEM or DER;
 * self-signed ones are anchors, the others intermediates). When the card wants the PIN first
 * (our virtual cards do), it is asked for (or read with --pin-stdin) and verified through
 * the PIN-safety path. Verdict VALIDE / INVALIDE (exit 12), algorithm, timings.
 */
import { randomBytes } from 'node:crypto';
import { isEcpsError } from '../../../src-shared/errors';
import {
  identityFromCertificate,
  verifyAuthentication,
  verifyCertificateChain,
  type CardSignature,
  type ChainVerdict,
  type CpsCard,
  type PinStatus,
} from '../../card/cps/index';
import { loadSandboxPki, sandboxTrustAnchors } from '../../../simulators/pki/index';
import { cliError } from '../cli-errors';
import { usageError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { holderName, pinJson } from '../format';
import { requireCpsApplication } from '../../reader/card-session';
import { withCardSession } from '../cps-session';
import { readCodes } from '../pin-entry';
import { wipe } from '../secret-input';
import { readTrustFiles } from '../trust-files';

export interface AuthTestOptions {
  args: string[];
  reader?: string;
  pinStdin: boolean;
  confirmLastTry: boolean;
  codeOnArgv: boolean;
  trust: string[];
}

const CHALLENGE_BYTES = 32;

export async function runAuthTest(ctx: CliContext, options: AuthTestOptions): Promise<number> {
  if (options.codeOnArgv || options.args.length > 0) throw usageError('pinOnArgv');
  const trust = readTrustFiles(options.trust);

  return withCardSession(ctx, { ...(options.reader !== undefined ? { reader: options.reader } : {}), share: 'exclusive' }, async (session) => {
    const cps = requireCpsApplication(session.application);
    let waitingMs = 0; // time spent waiting for the user to type the PIN: not the card's
    const started = performance.now();
    const challenge = new Uint8Array(randomBytes(CHALLENGE_BYTES));
    let pin: PinStatus | undefined;
    let signature: CardSignature;
    let signatureMs: number;
    const sign = async () => {
      const t0 = performance.now();
      const result = await cps.authenticate(challenge);
      signatureMs = performance.now() - t0;
      return result;
    };
    try {
      signature = await sign();
    } catch (error) {
      if (!isEcpsError(error, 'SecurityStatusNotSatisfied')) throw error;
      pin = await verifyPinFirst(ctx, cps, options, (ms) => (waitingMs += ms));
      signature = await sign();
    }
    const signatureValid = verifyAuthentication(challenge, signature);
    const chain = verifyCertificateChain(signature.certificateDer, {
      trustAnchors: [...sandboxTrustAnchors(), ...trust.anchors],
      intermediates: [(await loadSandboxPki()).sandbox.certificateDer, ...trust.intermediates],
    });
    const totalMs = performance.now() - started - waitingMs;
    const valid = signatureValid && chain.status === 'valid';
    const holder = holderOf(signature.certificateDer);
    const timings = { signatureMs: round(signatureMs!), totalMs: round(totalMs) };

    const reason = !signatureValid ? ctx.t('authBadSignatureReason') : chain.reason[ctx.lang];
    const error = valid ? undefined : cliError('AuthenticationInvalid', { reason }, { details: { signatureValid, chain: chain.status } });
    if (ctx.json) {
      ctx.emitJson({
        command: 'auth-test',
        reader: session.reader,
        demo: session.demo,
        generation: cps.generation,
        verdict: valid ? 'valid' : 'invalid',
        holder,
        challengeBytes: CHALLENGE_BYTES,
        algorithm: signature.algorithm,
        signatureValid,
        chain: { status: chain.status, reason: chain.reason[ctx.lang], chain: chain.chain },
        pinVerified: pin !== undefined,
        ...(pin ? { pin: pinJson(pin) } : {}),
        timings,
        ...(error ? { error: error.toJSON(ctx.lang) } : {}),
      });
    } else {
      printHuman(ctx, { demo: session.demo, holder, signature, signatureValid, chain, pinVerified: pin !== undefined, timings, valid });
      if (error) {
        ctx.stderr(`${error.text(ctx.lang)}\n`);
        ctx.stderr(`${ctx.t('remedyLine', { remedy: error.remedyText(ctx.lang) ?? '' })}\n`);
      }
    }
    return valid ? EXIT.ok : EXIT.authenticationInvalid;
  });
}

async function verifyPinFirst(ctx: CliContext, cps: CpsCard, options: AuthTestOptions, waited: (ms: number) => void): Promise<PinStatus> {
  const t0 = performance.now();
  const codes = await readCodes(ctx, ['pin'], options.pinStdin);
  waited(performance.now() - t0);
  try {
    return await cps.verifyPin(codes[0]!, { confirmLastTry: options.confirmLastTry });
  } finally {
    wipe(...codes);
  }
}

function printHuman(
  ctx: CliContext,
  r: {
    demo: boolean;
    holder: string | null;
    signature: CardSignature;
    signatureValid: boolean;
    chain: ChainVerdict;
    pinVerified: boolean;
    timings: { signatureMs: number; totalMs: number };
    valid: boolean;
  },
): void {
  if (r.demo) ctx.line(ctx.t('demoBanner'));
  ctx.line(ctx.t('authTitle'));
  if (r.holder) ctx.line(ctx.field(ctx.t('holderLabel'), r.holder));
  ctx.line(ctx.field(ctx.t('authChallenge'), ctx.t('authChallengeValue', { n: CHALLENGE_BYTES })));
  ctx.line(ctx.field(ctx.t('authAlgorithm'), r.signature.algorithm));
  const signed = r.signatureValid ? ctx.t('authSignatureOk') : ctx.t('authSignatureBad');
  ctx.line(ctx.field(ctx.t('authSignature'), r.pinVerified ? `${signed} (${ctx.t('authPinVerified')})` : signed));
  ctx.line(ctx.field(ctx.t('authChain'), r.chain.reason[ctx.lang]));
  for (const subject of r.chain.chain) ctx.line(`    · ${subject}`);
  ctx.line(ctx.field(ctx.t('authSignatureTime'), ctx.t('msValue', { ms: r.timings.signatureMs })));
  ctx.line(ctx.field(ctx.t('authTotalTime'), ctx.t('msValue', { ms: r.timings.totalMs })));
  ctx.line(ctx.field(ctx.t('authVerdict'), r.valid ? ctx.t('authValid') : ctx.t('authInvalid')));
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function holderOf(der: Uint8Array): string | null {
  try {
    return holderName(identityFromCertificate(der));
  } catch {
    return null;
  }
}
