/**
 * A scripted stand-in for a `CardConnection` (no reader, no card): each command is decoded
 * and handed to a responder that returns the raw response. Records what was sent.
 */
import type { CardConnection, ResetKind, ShareMode, TransportProtocol } from '../../../src-shared/reader-port';
import { decodeCommand, type CommandApdu } from '../../../src-main/card/apdu';

export type Responder = (command: CommandApdu, raw: Uint8Array) => Uint8Array;

export class ScriptedConnection implements CardConnection {
  readonly reader = 'Fake Reader 00 00';
  readonly protocol: TransportProtocol = 'T0';
  readonly share: ShareMode = 'exclusive';
  readonly sent: Uint8Array[] = [];
  connected = true;

  constructor(
    private readonly responder: Responder,
    readonly atr: Uint8Array = new Uint8Array([0x3b, 0x00]),
  ) {}

  transmit(command: Uint8Array): Promise<Uint8Array> {
    this.sent.push(command.slice());
    return Promise.resolve(this.responder(decodeCommand(command), command));
  }

  reset(_kind: ResetKind): Promise<void> {
    return Promise.resolve();
  }

  control(_code: number, _data?: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(0));
  }

  disconnect(): Promise<void> {
    this.connected = false;
    return Promise.resolve();
  }
}

/** data ‖ SW1 SW2 */
export function reply(data: Uint8Array | readonly number[], sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

export function sw(value: number): Uint8Array {
  return reply([], value);
}
