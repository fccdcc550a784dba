/**
 * A virtual card the end-to-end tests can watch and hold, on the card's side of the wire:
 * - `pinCommands`: the PIN commands (VERIFY with data, CHANGE REFERENCE DATA, RESET RETRY
 *   COUNTER) that reached the card inside — what could have spent a try;
 * - `holdNextPinCommand()`: the next PIN command stays in the card's hands, NOT passed to the
 *   card inside, until `releaseHeld()` — a card that is slow to answer a VERIFY, so a test can
 *   pull it out while the app waits. A command still held when the card is pulled is never
 *   answered and never reaches the card inside (no try can be spent by it).
 * The card's real counters are read on `inner` with test/support/pin-faults.ts
 * `readCountersDirectly`, while the card is out of the reader.
 */
import { isPinCommand } from '../../support/pin-faults';
import type { CardReply, VirtualCard } from '../../../simulators/cards/virtual-card';

export class WatchedCard implements VirtualCard {
  readonly label: string;
  pinCommands = 0;
  private holdNext = false;
  private held: { resolve: (reply: CardReply) => void; command: Uint8Array } | undefined;
  private heldWaiters: (() => void)[] = [];

  constructor(readonly inner: VirtualCard) {
    this.label = inner.label;
  }

  atr(): Uint8Array {
    return this.inner.atr();
  }
  powerOn(): void {
    this.inner.powerOn();
  }
  powerOff(): void {
    this.inner.powerOff();
  }
  reset(): void {
    this.inner.reset();
  }

  /** The next PIN command waits (without reaching the card inside) until released. */
  holdNextPinCommand(): void {
    this.holdNext = true;
  }

  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Resolves once a PIN command is being held. */
  pinCommandHeld(): Promise<void> {
    if (this.held) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  /**
   * Ends the hold. `deliver`: the command goes to the card inside and its answer out (a slow
   * card that finally answers); otherwise it is dropped unanswered (the card was pulled).
   */
  async releaseHeld(deliver: boolean): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    if (!deliver) {
      held.resolve({ fault: 'mute' });
      return;
    }
    this.pinCommands++;
    held.resolve(await this.inner.transmit(held.command));
  }

  transmit(command: Uint8Array): CardReply | Promise<CardReply> {
    if (!isPinCommand(command)) return this.inner.transmit(command);
    if (this.holdNext) {
      this.holdNext = false;
      return new Promise<CardReply>((resolve) => {
        this.held = { resolve, command: command.slice() };
        for (const waiter of this.heldWaiters.splice(0)) waiter();
      });
    }
    this.pinCommands++;
    return this.inner.transmit(command);
  }
}
