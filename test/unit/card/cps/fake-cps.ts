/**
 * A scripted CPS3 for the PIN-safety rules: answers SELECT, GET DATA (try counters, IAS-ECC
 * encoding as the Cryptolib parses it) and VERIFY / CHANGE / RESET RETRY COUNTER with ASCII
 * PIN blocks padded with FF to 8 bytes. No PKCS#15: READ BINARY answers 6A82, so CpsCard
 * falls back to the CPS profile. `fail(command, n)` may throw a transport error instead of
 * answering the n-th command (1-based), before or after the card "processed" it.
 */
import { EcpsError } from '../../../../src-shared/errors';
import type { CommandApdu } from '../../../../src-main/card/apdu';
import { CardChannel } from '../../../../src-main/card/channel';
import type { CardIdentification } from '../../../../src-main/card/identify';
import { CpsCard } from '../../../../src-main/card/cps/cps-card';
import { reply, ScriptedConnection, sw } from '../fake-connection';

export interface FakeCpsState {
  pin: string;
  puk: string;
  pinTries: number;
  pukTries: number;
  pukUses: number;
}

export type FaultTiming = 'before' | 'after';

export interface FakeCpsOptions {
  state?: Partial<FakeCpsState>;
  /** Throw a transport error at command n (1-based): `before` = the card never saw it, `after` = it did. */
  fault?: { at: number; timing: FaultTiming; code?: string };
  /** Once a fault happened, every later command fails too (card pulled out). */
  staysBroken?: boolean;
}

const decode = (block: Uint8Array) => String.fromCharCode(...block.filter((b) => b !== 0xff));

export function transportError(code = 'CardRemoved'): EcpsError {
  return new EcpsError(code, { message: { fr: 'Carte retirée', en: 'Card removed' } });
}

export function fakeCps(options: FakeCpsOptions = {}) {
  const state: FakeCpsState = { pin: '1234', puk: '12345678', pinTries: 3, pukTries: 10, pukUses: 100, ...options.state };
  const commands: CommandApdu[] = [];
  let broken = false;

  const answer = (cmd: CommandApdu): Uint8Array => {
    switch (cmd.ins) {
      case 0xa4:
        return sw(0x9000);
      case 0xb0:
        return sw(0x6a82);
      case 0xcb: {
        const ref = cmd.data![6]!;
        const [max, left] = ref === 1 ? [3, state.pinTries] : [10, state.pukTries];
        const uses = ref === 2 ? [0x9d, 0x01, state.pukUses] : [];
        const docp = [0x9a, 0x01, max, 0x9b, 0x01, left, ...uses];
        const sdo = [0xbf, 0x81, ref, docp.length + 2, 0xa0, docp.length, ...docp];
        return reply([0x70, sdo.length, ...sdo], 0x9000);
      }
      case 0x20: {
        if (!cmd.data) return sw(state.pinTries === 0 ? 0x6983 : 0x63c0 | state.pinTries);
        if (state.pinTries === 0) return sw(0x6983);
        if (cmd.data.length !== 8) return sw(0x6a80);
        if (decode(cmd.data) === state.pin) {
          state.pinTries = 3;
          return sw(0x9000);
        }
        state.pinTries--;
        return sw(state.pinTries === 0 ? 0x6983 : 0x63c0 | state.pinTries);
      }
      case 0x24: {
        if (state.pinTries === 0) return sw(0x6983);
        if (decode(cmd.data!.subarray(0, 8)) !== state.pin) {
          state.pinTries--;
          return sw(state.pinTries === 0 ? 0x6983 : 0x63c0 | state.pinTries);
        }
        state.pin = decode(cmd.data!.subarray(8));
        state.pinTries = 3;
        return sw(0x9000);
      }
      case 0x2c: {
        if (state.pukTries === 0) return sw(0x6983);
        if (decode(cmd.data!.subarray(0, 8)) !== state.puk) {
          state.pukTries--;
          return sw(state.pukTries === 0 ? 0x6983 : 0x63c0 | state.pukTries);
        }
        state.pukTries = 10;
        state.pukUses--;
        state.pin = decode(cmd.data!.subarray(8));
        state.pinTries = 3;
        return sw(0x9000);
      }
      default:
        return sw(0x6d00);
    }
  };

  const connection = new ScriptedConnection((cmd) => {
    if (broken && options.staysBroken !== false) throw transportError(options.fault?.code);
    commands.push(cmd);
    const n = commands.length;
    const fault = options.fault;
    if (fault && fault.at === n) {
      broken = true;
      if (fault.timing === 'after') answer(cmd);
      throw transportError(fault.code);
    }
    return answer(cmd);
  });
  // ScriptedConnection is synchronous: make a thrown responder a rejected promise.
  const transmit = connection.transmit.bind(connection);
  connection.transmit = (bytes: Uint8Array) => {
    try {
      return transmit(bytes);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const identification: CardIdentification = {
    type: 'cps3',
    label: { fr: 'CPS3', en: 'CPS3' },
    confirmed: true,
    serialNumber: '00012345',
    evidence: [],
  };
  const channel = new CardChannel(connection);
  const card = new CpsCard(channel, identification);
  const count = (ins: number, withData = true) => commands.filter((c) => c.ins === ins && (!withData || (c.data?.length ?? 0) > 0)).length;
  return { card, channel, connection, state, commands, count };
}
