/**
 * How a card hands response data back, which depends on the transmission protocol.
 *
 * T=0 (ISO/IEC 7816-3 §10.3, 7816-4 §5.3.4): a command TPDU carries either data in (P3 = Lc)
 * or data out (P3 = Le), never both. So when a case 1/3/4 command produces data the card
 * answers `61 xx` ("xx bytes waiting", 00 = 256 or more) and keeps the data for GET RESPONSE
 * `00 C0 00 00 xx`. A GET RESPONSE asking for more than is left gets `6C xx` ("repeat with
 * Le = xx"). CPS3 cards work this way (domain.md §3; Cryptolib `card-cps3.c` SW1 0x61).
 *
 * T=1 carries both directions in one block: data comes back directly, up to Ne.
 *
 * Both: when more data exists than Ne allows, the card returns Ne bytes with `61 xx` and keeps
 * the rest for GET RESPONSE (ISO 7816-4 §5.1.3).
 */
import { concatBytes } from '../../src-shared/hex';
import { responseBytes, SW, type CommandApdu } from './apdu';

export type CardTransport = 'T0' | 'T1';

export interface CardResponse {
  data?: Uint8Array;
  sw: number;
}

/** Data kept for GET RESPONSE on one logical channel. */
export interface PendingResponse {
  data: Uint8Array;
  /** The status word the command finally ends with, given with the last chunk. */
  finalSw: number;
}

export interface ResponseHolder {
  pending: PendingResponse | undefined;
}

function bytesWaiting(length: number): Uint8Array {
  return Uint8Array.of(0x61, Math.min(length, 256) & 0xff);
}

export function deliverResponse(
  holder: ResponseHolder,
  command: CommandApdu,
  result: CardResponse,
  transport: CardTransport,
): Uint8Array {
  const data = result.data ?? new Uint8Array(0);
  if (data.length === 0) return responseBytes(undefined, result.sw);
  const park = () => {
    holder.pending = { data, finalSw: result.sw };
    return bytesWaiting(data.length);
  };
  if (command.ne === 0) {
    // No Le field: Ne = 0. A T=0 card still announces its data; T=1 sends none.
    return transport === 'T0' ? park() : responseBytes(undefined, result.sw);
  }
  // T=0 cannot send data out after data in, nor an extended Le: announce with 61xx.
  if (transport === 'T0' && (command.case === 4 || command.extended)) return park();
  if (data.length <= command.ne) return responseBytes(data, result.sw);
  holder.pending = { data: data.slice(command.ne), finalSw: result.sw };
  const rest = data.length - command.ne;
  return concatBytes(data.subarray(0, command.ne), bytesWaiting(rest));
}

/** GET RESPONSE `xx C0 00 00 Le` on the channel that holds the data. */
export function getResponse(holder: ResponseHolder, command: CommandApdu, transport: CardTransport): Uint8Array {
  if (command.p1 !== 0 || command.p2 !== 0) return responseBytes(undefined, SW.INCORRECT_P1P2);
  if (command.data.length > 0) return responseBytes(undefined, SW.WRONG_LENGTH);
  const pending = holder.pending;
  // Nothing waiting: the command's conditions of use are not met.
  if (!pending) return responseBytes(undefined, SW.CONDITIONS_NOT_SATISFIED);
  if (command.ne === 0) return responseBytes(undefined, SW.WRONG_LENGTH);
  const left = pending.data.length;
  if (command.ne > left) {
    if (transport === 'T0' && left <= 256) {
      // Keep the data: the host repeats GET RESPONSE with the right Le.
      return Uint8Array.of(0x6c, left & 0xff);
    }
    holder.pending = undefined;
    return responseBytes(pending.data, pending.finalSw);
  }
  if (command.ne === left) {
    holder.pending = undefined;
    return responseBytes(pending.data, pending.finalSw);
  }
  const chunk = pending.data.slice(0, command.ne);
  pending.data = pending.data.slice(command.ne);
  return concatBytes(chunk, bytesWaiting(pending.data.length));
}
