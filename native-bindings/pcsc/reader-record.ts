/** What the port knows about one reader, updated from pcsc-mini `change` events. */
import type { ReaderSnapshot } from '../../src-shared/reader-port';
import { pcsc, type NativeReader, type NativeReaderStatusFlags } from './native';
import { SerialQueue } from './serial-queue';

export class ReaderRecord {
  present = false;
  atr: Uint8Array | undefined;
  inUseFlag = false;
  exclusiveFlag = false;
  /** Our own connect or ATR probe got SharingViolation: another application holds the card. */
  heldElsewhere = false;
  mute = false;
  /** Serialises this reader's event handling (the ATR probe is async). */
  readonly events = new SerialQueue();

  constructor(
    readonly name: string,
    readonly native: NativeReader,
  ) {}

  /**
   * Applies a `change` status and says whether a card arrived or left. Flags are read with
   * has(), never by comparing `raw`: its upper 16 bits carry pcsc-lite's event counter
   * (measured, e.g. 0x10022 for PRESENT).
   */
  apply(flags: NativeReaderStatusFlags): 'inserted' | 'removed' | undefined {
    const S = pcsc.ReaderStatus;
    this.inUseFlag = flags.has(S.IN_USE);
    this.exclusiveFlag = flags.has(S.EXCLUSIVE);
    this.mute = flags.has(S.MUTE);
    const present = flags.has(S.PRESENT);
    if (present === this.present) return undefined;
    this.present = present;
    this.atr = undefined;
    if (present) return 'inserted';
    this.heldElsewhere = false;
    return 'removed';
  }

  /**
   * `inUse`: pcscd's IN_USE flag also counts our own handles, so it is ignored while we hold
   * one; and pcscd refreshes IN_USE/EXCLUSIVE only with the next card event (measured), so a
   * SharingViolation seen by our own connect or probe counts too.
   */
  snapshot(weHoldAHandle: boolean): ReaderSnapshot {
    const snapshot: ReaderSnapshot = { name: this.name, cardPresent: this.present };
    if (this.present && this.atr) snapshot.atr = this.atr.slice();
    snapshot.inUse =
      this.present && (this.heldElsewhere || this.exclusiveFlag || (this.inUseFlag && !weHoldAHandle));
    snapshot.mute = this.present && this.mute;
    return snapshot;
  }
}
