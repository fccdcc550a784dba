/**
 * What a virtual card is to the plugs that carry it (the in-process reader and the vpcd
 * bridge): an ATR, power events, and an answer to each command APDU.
 *
 * A card answers with the bytes a real card would put on the wire at APDU level
 * (data + SW1 SW2), or with a fault the plug must reproduce: `mute` (never answers, the
 * reader waits forever, as a hung card does with pcscd) or `drop` (the card is pulled out
 * in the middle of the command).
 */
export type CardReply = Uint8Array | { fault: 'mute' } | { fault: 'drop' };

export interface VirtualCard {
  /** Short human label, e.g. "CPS3 (virtuelle)". */
  readonly label: string;
  /** The ATR sent after a reset. */
  atr(): Uint8Array;
  /** Power up (cold reset) or down; a warm reset is `reset()`. All reset volatile state. */
  powerOn(): void;
  powerOff(): void;
  reset(): void;
  /** Processes one command APDU (≥ 4 bytes). May be async (a slow card). */
  transmit(command: Uint8Array): CardReply | Promise<CardReply>;
}

export function isFault(reply: CardReply): reply is { fault: 'mute' } | { fault: 'drop' } {
  return !(reply instanceof Uint8Array);
}
