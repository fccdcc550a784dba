/**
 * Playwright fixture: the companion's web shell on REAL PC/SC. One per worker (so per spec
 * file with one worker): a private pcscd with the vsmartcard vpcd driver (test/support/
 * pcscd-rig.ts: a dual-slot virtual reader, slot 0 = CPS, slot 1 = Vitale), a VpcdSlot per slot
 * to insert and pull virtual cards, and `bin/start.mjs --no-open` (NOT --demo) with
 * PCSCLITE_CSOCK_NAME pointing at that pcscd. Teardown stops the web shell, pulls the cards
 * and disposes of the rig (pcscd stopped, its files removed).
 *
 * Tests drive the hardware side through `pcscApp`: put a card in a slot (a Vitale in the CPS
 * slot too), pull it, stop and start pcscd while the page is open, or restart pcscd with no
 * reader at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { startPcscRig, type PcscRig } from '../../support/pcscd-rig';
import { VpcdSlot } from '../../../simulators/cards/vpcd-bridge';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import { startWebShellProcess, type WebShellProcess } from './web-shell';

/** pcscd polls a vpcd slot for presence every 400 ms; a pull must last longer to be seen. */
export const PCSCD_POLL_MS = 400;
export const CPS_SLOT = 0;
export const VITALE_SLOT = 1;
export type SlotIndex = typeof CPS_SLOT | typeof VITALE_SLOT;

export interface PcscApp {
  /** The web shell's URL, with its token. */
  readonly url: string;
  readonly rig: PcscRig;
  /** pcscd's names of slot 0 (CPS) and slot 1 (Vitale). */
  readonly readerNames: readonly [string, string];
  /** The card in a slot now (undefined: empty). */
  cardIn(slot: SlotIndex): VirtualCard | undefined;
  /** Puts `card` into the slot, pulling whatever is there first; `null` leaves the slot empty. */
  setCard(slot: SlotIndex, card: VirtualCard | null): Promise<void>;
  /** Pulls the card out of the slot (nothing if empty). */
  pull(slot: SlotIndex): Promise<void>;
  /** Stops pcscd (cards stay "in the reader" and come back with it). */
  stopPcscd(): Promise<void>;
  startPcscd(): Promise<void>;
  /** Restarts pcscd without the virtual reader's configuration: the service runs, no reader. */
  restartWithoutReaders(): Promise<void>;
  /** Restarts pcscd with the virtual reader again. */
  restartWithReaders(): Promise<void>;
  /** What the web shell printed (for failure messages). */
  shellOutput(): string;
  /** Errors the vpcd bridge reported (none expected). */
  readonly slotErrors: unknown[];
  /** Restarts the web shell with extra environment (the fixture's own, plus `env`); the URL changes. */
  restartShell(env?: NodeJS.ProcessEnv): Promise<void>;
}

export interface PcscAppOptions {
  /** Extra environment of the web shell (e.g. HOME for the browser probes, ECPS_STATE_DIR). */
  shellEnv?: NodeJS.ProcessEnv;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The rig keeps its vpcd configuration next to its socket folder (pcscd-rig.ts). */
function vpcdConfigOf(rig: PcscRig): string {
  const file = path.join(path.dirname(path.dirname(rig.socketPath)), 'reader.conf.d', 'vpcd');
  if (!fs.existsSync(file)) {
    throw new Error(`pcscd-app: the rig's vpcd configuration is not at ${file} (did pcscd-rig.ts change its layout?)`);
  }
  return file;
}

export async function startPcscApp(options: PcscAppOptions = {}): Promise<PcscApp & { dispose(): Promise<void> }> {
  const rig = await startPcscRig();
  const slotErrors: unknown[] = [];
  const slots = [CPS_SLOT, VITALE_SLOT].map(() => undefined as VpcdSlot | undefined);
  let shell: WebShellProcess | undefined;
  let parkedConfig: string | undefined;

  async function pull(index: SlotIndex): Promise<void> {
    const slot = slots[index];
    if (!slot) return;
    slots[index] = undefined;
    const wasIn = slot.inserted;
    await slot.remove();
    // Let pcscd see the slot empty before anything else goes in.
    if (wasIn) await sleep(2 * PCSCD_POLL_MS + 100);
  }

  async function setCard(index: SlotIndex, card: VirtualCard | null): Promise<void> {
    await pull(index);
    if (!card) return;
    const slot = new VpcdSlot(card, { port: rig.vpcdPort, slot: index });
    slot.on('error', (error: unknown) => slotErrors.push(error));
    slots[index] = slot;
    await slot.insert();
  }

  const app = {
    get url() {
      if (!shell) throw new Error('pcscd-app: the web shell is not running');
      return shell.url;
    },
    rig,
    readerNames: rig.readerNames,
    slotErrors,
    cardIn: (index: SlotIndex) => (slots[index]?.inserted ? slots[index].currentCard : undefined),
    setCard,
    pull,
    stopPcscd: () => rig.stopService(),
    startPcscd: () => rig.startService(),
    async restartWithoutReaders() {
      const config = vpcdConfigOf(rig);
      await rig.stopService();
      // Out of the folder: pcscd reads every file in reader.conf.d, whatever its name.
      parkedConfig = path.join(path.dirname(path.dirname(config)), 'vpcd.parked');
      fs.renameSync(config, parkedConfig);
      await rig.startService();
    },
    async restartWithReaders() {
      await rig.stopService();
      if (parkedConfig) {
        fs.renameSync(parkedConfig, path.join(path.dirname(parkedConfig), 'reader.conf.d', 'vpcd'));
        parkedConfig = undefined;
      }
      await rig.startService();
    },
    shellOutput: () => shell?.output() ?? '',
    async restartShell(env: NodeJS.ProcessEnv = {}) {
      await shell?.stop();
      shell = undefined;
      shell = await startWebShellProcess({ env: { PCSCLITE_CSOCK_NAME: rig.socketPath, ...options.shellEnv, ...env } });
      await shell.settled();
    },
    async dispose() {
      await shell?.stop();
      for (const index of [CPS_SLOT, VITALE_SLOT] as const) await slots[index]?.remove();
      await rig.dispose();
    },
  };

  try {
    shell = await startWebShellProcess({ env: { PCSCLITE_CSOCK_NAME: rig.socketPath, ...options.shellEnv } });
    // The URL comes before the reader port has settled; the demo fallback is said by "Ctrl-C".
    await shell.settled();
    if (/MODE DÉMONSTRATION/.test(shell.output())) {
      throw new Error(`pcscd-app: the web shell fell back to the demo reader instead of the private pcscd:\n${shell.output()}\npcscd:\n${rig.log()}`);
    }
  } catch (error) {
    await app.dispose();
    throw error;
  }
  return app;
}

/** `test` with a worker-scoped `pcscApp` (started once per worker, disposed of at its end). */
export const test = base.extend<object, { pcscApp: PcscApp }>({
  pcscApp: [
    async ({}, use) => {
      const app = await startPcscApp();
      try {
        await use(app);
      } finally {
        await app.dispose();
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

export { expect } from '@playwright/test';
