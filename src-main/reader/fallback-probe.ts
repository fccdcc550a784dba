/**
 * The probe that judges a rung: read-only, no PIN, a handful of APDUs.
 *   1. the reset the strategy asks for (warm or cold), if any;
 *   2. identifyCard: SELECT the CPx AID, SELECT 3F00/D003, READ BINARY EF.SN.ICC (the
 *      Cryptolib's own check, card-cps.c `_cps_read_efsnicc`); a CPS by its ATR must be
 *      confirmed by its answers;
 *   3. SELECT EF.DIR 3F00/2F00 asking for its FCP (P2 = 04): the one case-4 command, so a
 *      reader that mangles case 4 shows up here (Cryptolib sends case 4 as case 3 on every
 *      CPS reader). 6A86/6A81 (P2 not supported) is not a transport failure: SELECT again
 *      with P2 = 0C;
 *   4. READ BINARY of the whole EF.DIR: in one extended READ BINARY when the strategy allows
 *      extended APDUs on a T=1 link, else in chunks of `maxReadChunk` (Le = 0xE7 by default,
 *      the Cryptolib's CPS3 max_recv_size).
 * A card that is not a CPS (Vitale in the CPS slot, bank card) is judged on connect and ATR
 * only: nothing on it is ours to read. The probe never sends VERIFY or any PIN command.
 */
import { isEcpsError } from '../../src-shared/errors';
import type { CardConnection } from '../../src-shared/reader-port';
import { formatStatusWord } from '../card/apdu';
import { CardChannel, type CardChannelOptions } from '../card/channel';
import { identifyCard, type CardIdentification } from '../card/identify';
import type { ProbeFailure, ReaderStrategy } from './fallback-strategy';

const EF_DIR_PATH = [0x3f00, 0x2f00];
const CPS_TYPES = new Set(['cps3', 'cps3-contactless', 'cps4']);

export type ProbeOutcome = { ok: true; identification: CardIdentification } | { ok: false; failure: ProbeFailure };

export function channelOptionsFor(strategy: ReaderStrategy, connection: CardConnection): CardChannelOptions {
  return {
    case4AsCase3: strategy.case4AsCase3,
    maxReadChunk: strategy.maxReadChunk,
    // T=0 has no extended APDUs at all (ISO 7816-3 §10.3.2): only T=1 may use them.
    extended: strategy.extended && connection.protocol === 'T1',
  };
}

export function failureOf(step: ProbeFailure['step'], error: unknown, extra: Partial<ProbeFailure> = {}): ProbeFailure {
  if (isEcpsError(error)) {
    const sw = typeof error.details.sw === 'string' ? error.details.sw : undefined;
    return { step, code: error.code, message: error.messages.en, ...(sw ? { sw } : {}), ...extra };
  }
  return { step, code: 'UnexpectedError', message: String(error), ...extra };
}

export async function probeCard(
  connection: CardConnection,
  strategy: ReaderStrategy,
  onExchange?: CardChannelOptions['onExchange'],
): Promise<ProbeOutcome> {
  if (strategy.reset !== 'none') {
    try {
      await connection.reset(strategy.reset);
    } catch (error) {
      return { ok: false, failure: failureOf('reset', error) };
    }
  }
  const options = channelOptionsFor(strategy, connection);
  const channel = new CardChannel(connection, onExchange ? { ...options, onExchange } : options);
  let identification: CardIdentification;
  try {
    identification = await identifyCard(connection.atr, channel);
  } catch (error) {
    return { ok: false, failure: failureOf('identify', error) };
  }
  if (!CPS_TYPES.has(identification.type)) return { ok: true, identification };
  if (!identification.confirmed) {
    const last = identification.evidence[identification.evidence.length - 1] ?? '';
    const sw = /: ([0-9A-F]{4})$/.exec(last)?.[1];
    return { ok: false, failure: { step: 'identify', code: 'ProbeUnconfirmed', message: last, ...(sw ? { sw } : {}) } };
  }

  try {
    let fcp = await channel.selectByPath(EF_DIR_PATH, 0x04);
    if (fcp.sw === 0x6a86 || fcp.sw === 0x6a81) fcp = await channel.selectByPath(EF_DIR_PATH, 0x0c);
    if (fcp.sw !== 0x9000) {
      return { ok: false, failure: { step: 'select-fcp', code: 'CardRefused', sw: formatStatusWord(fcp.sw) } };
    }
  } catch (error) {
    return { ok: false, failure: failureOf('select-fcp', error) };
  }

  const extended = options.extended === true;
  try {
    if (extended) {
      // Le = 65536 (extended "all you have"): one command for the whole file.
      const r = await channel.transmit({ cla: channel.cla, ins: 0xb0, p1: 0, p2: 0, le: 65536 });
      if (r.sw !== 0x9000 && r.sw !== 0x6282) {
        return { ok: false, failure: { step: 'read', code: 'CardRefused', sw: formatStatusWord(r.sw), extended } };
      }
    } else {
      await channel.readWholeFile();
    }
  } catch (error) {
    return { ok: false, failure: failureOf('read', error, { extended }) };
  }
  return { ok: true, identification };
}
