/**
 * Getting the codes a PIN command needs, before the card is touched: from standard input with
 * `--pin-stdin` (one per line, in the documented order), else from the terminal without echo
 * (the new PIN asked twice; a mismatch stops here). Never from argv (main.ts refuses it).
 */
import { cliError } from './cli-errors';
import type { CliContext } from './context';
import type { MessageKey } from './messages';
import { readSecretFromTerminal, readSecretLines, sameBytes, wipe } from './secret-input';

export type SecretRole = 'pin' | 'puk' | 'newPin';

const PROMPTS: Record<SecretRole, MessageKey> = { pin: 'promptPin', puk: 'promptPuk', newPin: 'promptNewPin' };

/**
 * The codes for `roles`, in that order. The caller owns the buffers (the card layer zeroes
 * what it is given; `wipe` the rest in a `finally`).
 */
export async function readCodes(ctx: CliContext, roles: readonly SecretRole[], fromStdin: boolean): Promise<Uint8Array[]> {
  if (roles.length === 0) return [];
  if (fromStdin) {
    const lines = await readSecretLines(ctx.stdin, roles.length);
    if (lines.length < roles.length) {
      wipe(...lines);
      throw cliError('PinInputMissing', {}, { details: { expected: roles.length, got: lines.length } });
    }
    return lines;
  }
  const codes: Uint8Array[] = [];
  try {
    for (const role of roles) {
      const code = await askOnTerminal(ctx, PROMPTS[role]);
      codes.push(code);
      if (role === 'newPin') {
        const again = await askOnTerminal(ctx, 'promptConfirmPin');
        const same = sameBytes(code, again);
        wipe(again);
        if (!same) throw cliError('PinConfirmationMismatch');
      }
    }
    return codes;
  } catch (error) {
    wipe(...codes);
    throw error;
  }
}

async function askOnTerminal(ctx: CliContext, prompt: MessageKey): Promise<Uint8Array> {
  const input = ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (!input.isTTY) throw cliError('PinInputMissing');
  const code = await readSecretFromTerminal(ctx, ctx.t(prompt));
  if (code === undefined) throw cliError('PinEntryCancelled');
  return code;
}
