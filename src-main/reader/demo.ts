/**
 * The built-in virtual reader of `--demo` and of `npm start`'s fallback: a CPS3 WITH its
 * sandbox certificates in slot 0 (holder DUPONT Marie, Pharmacien — identity, PIN and
 * authentication all work) and a Vitale 2 in slot 1.
 *
 * The cards are created once per process (issuing the certificates is asynchronous) and
 * re-inserted into every new demo reader: a PIN try spent by one command is still spent for
 * the next, as with a real card. `resetDemoCards()` starts over (tests).
 */
import { createDemoReader, createVirtualCard, createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import type { InProcessReader, InProcessReaderOptions } from '../../simulators/cards/in-process-reader';
import type { VirtualCard } from '../../simulators/cards/virtual-card';

interface DemoCards {
  cps: VirtualCard;
  vitale: VirtualCard;
}

let cards: Promise<DemoCards> | undefined;

function demoCards(): Promise<DemoCards> {
  cards ??= createVirtualCardWithCredentials('cps3').then(
    (cps) => ({ cps, vitale: createVirtualCard('vitale2') }),
    (error: unknown) => {
      cards = undefined;
      throw error;
    },
  );
  return cards;
}

/** A new (not started) demo reader holding this process's demo cards. */
export async function createDemoPort(options: InProcessReaderOptions = {}): Promise<InProcessReader> {
  const { cps, vitale } = await demoCards();
  return createDemoReader({ ...options, cps, vitale });
}

/** Forgets the demo cards: the next demo reader gets fresh ones (PIN 3/3 again). */
export function resetDemoCards(): void {
  cards = undefined;
}
