/**
 * Issue 3 "Done when", over a private pcscd with the vpcd reader: virtual CPS3 and CPS4 with
 * sandbox certificates (VpcdSlot + createVirtualCardWithCredentials, or `ecps simulate`), the
 * real `ecps` run as child processes.
 *   card --json shows the configured holder; pin status 3/3; a wrong PIN → 2 left with a clear
 *   message; at 1 left VERIFY without --confirm-last-try refused; the right PIN → 3/3; a
 *   blocked PIN unblocked with the PUK; auth-test VALIDE; the --trace files of all of it hold
 *   no PIN or PUK byte (ASCII or BCD).
 * CPS3 in slot 0 and CPS4 in slot 1 run side by side; one rig for the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import type { CpsVariant } from '../../simulators/cards/cps-catalog';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { TEST_HOLDERS, type CardHolder } from '../../simulators/pki/index';
import type { ReaderPort } from '../../src-shared/reader-port';
import { EXIT } from '../../src-main/cli/exit-codes';
import { holdCard } from '../support/card-holder';
import { jsonLines, runCli, spawnCli, type CliChild, type CliResult } from '../support/cli';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';

/** Codes chosen so that their bytes cannot show up by chance in certificates or dates. */
const PIN = '4817';
const PUK = '90561732';
const WRONG = '9753';
const NEW_PIN = '6284';

let rig: PcscRig;
let port: ReaderPort;
let SLOT: [string, string];
const dir = mkdtempSync(path.join(tmpdir(), 'ecps-cps-'));
const traces: string[] = [];
const outputs: string[] = [];
const children: CliChild[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON documents read field by field in assertions
type Doc = Record<string, any>;

async function until(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. pcscd said:\n${rig.log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const present = (slot: 0 | 1) => port.readers().find((r) => r.name === SLOT[slot])?.cardPresent === true;

async function plug(slot: 0 | 1, kind: 'cps3' | 'cps4', options: { holder?: CardHolder; variant?: CpsVariant } = {}): Promise<VpcdSlot> {
  const card = await createVirtualCardWithCredentials(kind, { pin: PIN, puk: PUK, ...options });
  const plugged = new VpcdSlot(card, { port: rig.vpcdPort, slot, stayInserted: false });
  await plugged.insert();
  await until(`a card in ${SLOT[slot]}`, () => present(slot));
  return plugged;
}

async function unplug(slot: 0 | 1, plugged: VpcdSlot): Promise<void> {
  await plugged.remove();
  await until(`${SLOT[slot]} empty`, () => !present(slot));
}

/** `ecps <argv> --reader <slot> --json [--pin-stdin] --trace <file>`; the output is kept for the final check. */
async function ecps(slot: 0 | 1, argv: string[], stdin?: string): Promise<{ run: CliResult; doc: Doc }> {
  const trace = path.join(dir, `${traces.length}-${argv.join('-')}.trace`);
  traces.push(trace);
  const run = await runCli([...argv, '--reader', SLOT[slot], '--json', '--trace', trace, ...(stdin !== undefined ? ['--pin-stdin'] : [])], {
    ...(stdin !== undefined ? { stdin } : {}),
  });
  outputs.push(run.stdout, run.stderr);
  const doc = (jsonLines(run.stdout)[0] ?? {}) as Doc;
  return { run, doc };
}

beforeAll(async () => {
  rig = await startPcscRig();
  SLOT = [rig.readerNames[0]!, rig.readerNames[1]!];
  port = createPcscReaderPort({ connectTimeoutMs: 3000, transmitTimeoutMs: 3000 });
  await port.start();
  await until('the two virtual readers', () => port.readers().length === 2);
}, 30_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await port?.stop();
  await rig?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** The whole PIN story on one card; returns nothing, asserts as it goes. */
async function pinStory(slot: 0 | 1, kind: 'cps3' | 'cps4', holder: CardHolder): Promise<void> {
  const plugged = await plug(slot, kind, { holder });
  try {
    const card = await ecps(slot, ['card']);
    expect(card.run.code, card.run.stderr).toBe(0);
    expect(card.doc).toMatchObject({
      type: kind,
      confirmed: true,
      demo: false,
      identity: { surname: holder.surname, givenName: holder.givenName, profession: holder.profession, generation: kind, status: 'valid' },
      pin: { triesLeft: 3, maxTries: 3, blocked: false },
    });
    if (holder.rpps) expect(card.doc.identity.rpps).toBe(holder.rpps);

    const status = await ecps(slot, ['pin', 'status']);
    expect(status.run.code).toBe(0);
    expect(status.doc.pin).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });

    const wrong = await ecps(slot, ['pin', 'verify'], `${WRONG}\n`);
    expect(wrong.run.code).toBe(9);
    expect(wrong.doc).toMatchObject({ error: { code: 'PinIncorrect', message: 'Code porteur incorrect : il reste 2 essais.' }, pin: { triesLeft: 2 } });

    const human = await runCli(['pin', 'verify', '--reader', SLOT[slot], '--pin-stdin'], { stdin: `${WRONG}\n` });
    outputs.push(human.stdout, human.stderr);
    expect(human.code).toBe(9);
    expect(human.stderr).toContain('Code porteur incorrect : il reste 1 essai.');

    const refused = await ecps(slot, ['pin', 'verify'], `${PIN}\n`);
    expect(refused.run.code).toBe(10);
    expect(refused.doc).toMatchObject({ error: { code: 'PinLastTryNeedsConfirmation' }, pin: { triesLeft: 1, blocked: false } });

    const right = await ecps(slot, ['pin', 'verify', '--confirm-last-try'], `${PIN}\n`);
    expect(right.run.code, right.run.stdout).toBe(0);
    expect(right.doc).toMatchObject({ ok: true, pin: { triesLeft: 3, maxTries: 3, blocked: false } });

    const auth = await ecps(slot, ['auth-test'], `${PIN}\n`);
    expect(auth.run.code, auth.run.stdout + auth.run.stderr).toBe(0);
    expect(auth.doc).toMatchObject({
      verdict: 'valid',
      signatureValid: true,
      chain: { status: 'valid' },
      algorithm: 'RSASSA-PKCS1-v1_5-SHA256',
      holder: `${holder.surname} ${holder.givenName}`,
    });
  } finally {
    await unplug(slot, plugged);
  }
}

describe('ecps card / pin / auth-test over real pcscd (CPS3 and CPS4)', () => {
  it('the PIN story and auth-test on a CPS3 (slot 0) and a CPS4 (slot 1)', async () => {
    const cps3Holder: CardHolder = { ...TEST_HOLDERS.pharmacist, surname: 'DURAND', givenName: 'Léa' };
    await Promise.all([pinStory(0, 'cps3', cps3Holder), pinStory(1, 'cps4', TEST_HOLDERS.doctor)]);
  }, 90_000);

  it('a blocked PIN unblocked with the PUK: CPS4 via VpcdSlot, CPS3 via `ecps simulate --variant blocked`', async () => {
    const cps4 = await plug(1, 'cps4', { variant: 'blocked' });
    const simulate = spawnCli([
      'simulate', 'cps3', '--slot', '0', '--vpcd-port', String(rig.vpcdPort), '--json',
      '--pin', PIN, '--puk', PUK, '--holder', 'nurse', '--variant', 'blocked',
    ]);
    children.push(simulate);
    const inserted = await simulate.waitForLine((l) => l.type === 'inserted', 15_000);
    expect(inserted).toMatchObject({ card: 'cps3', holder: 'MARTIN Paul', profession: 'Infirmier', variant: 'blocked' });
    await until('the simulated CPS3', () => present(0));
    try {
      await Promise.all(
        ([0, 1] as const).map(async (slot) => {
          const before = await ecps(slot, ['pin', 'status']);
          expect(before.doc.pin).toEqual({ triesLeft: 0, maxTries: 3, blocked: true });
          const verify = await ecps(slot, ['pin', 'verify', '--confirm-last-try'], `${PIN}\n`);
          expect(verify.run.code).toBe(9);
          expect(verify.doc).toMatchObject({ error: { code: 'PinBlocked' }, pin: { blocked: true } });
          const unblock = await ecps(slot, ['pin', 'unblock'], `${PUK}\n${NEW_PIN}\n`);
          expect(unblock.run.code, unblock.run.stdout).toBe(0);
          expect(unblock.doc).toMatchObject({ ok: true, pin: { triesLeft: 3, maxTries: 3, blocked: false } });
          const change = await ecps(slot, ['pin', 'change'], `${NEW_PIN}\n${PIN}\n`);
          expect(change.run.code, change.run.stdout).toBe(0);
          const after = await ecps(slot, ['pin', 'verify'], `${PIN}\n`);
          expect(after.doc).toMatchObject({ ok: true, pin: { triesLeft: 3 } });
        }),
      );
      const card = await ecps(0, ['card']);
      expect(card.doc.identity).toMatchObject({ surname: 'MARTIN', adeli: TEST_HOLDERS.nurse.adeli, profession: 'Infirmier' });
    } finally {
      simulate.kill('SIGINT');
      await simulate.exited(10_000);
      await unplug(1, cps4);
      await until('slot 0 empty', () => !present(0));
    }
  }, 90_000);

  it('another program glancing at the card: a PIN command waits for it; one that keeps it gets « carte utilisée », nothing sent, no try spent', async () => {
    const cps3 = await plug(0, 'cps3');
    try {
      // Held SHARED for 1 s, as another `ecps` starting up (it reads every card's ATR) or a
      // browser's PKCS#11 module would: the exclusive connect waits for it, then the PIN runs.
      const brief = await holdCard(rig.socketPath, SLOT[0], 'SHARED');
      const releasing = new Promise((resolve) => setTimeout(resolve, 1000)).then(() => brief.release());
      const verify = await ecps(0, ['pin', 'verify'], `${PIN}\n`);
      await releasing;
      expect(verify.run.code, verify.run.stdout + verify.run.stderr).toBe(0);
      expect(verify.doc).toMatchObject({ ok: true, pin: { triesLeft: 3 } });

      // Kept: after the wait, the clear error with its remedy and exit code; the card untouched.
      const kept = await holdCard(rig.socketPath, SLOT[0], 'SHARED');
      try {
        const refused = await ecps(0, ['pin', 'verify'], `${WRONG}\n`);
        expect(refused.run.code, refused.run.stdout).toBe(EXIT.cardInUse);
        expect(refused.doc.error).toMatchObject({ code: 'SharingViolation', message: expect.stringMatching(/autre application/), remedy: expect.stringMatching(/Fermez/) });
        expect(refused.run.ms).toBeGreaterThanOrEqual(2000);
        expect(readFileSync(traces.at(-1)!, 'utf8')).toContain('# 0 APDU exchange(s)');
      } finally {
        await kept.release();
      }
      const status = await ecps(0, ['pin', 'status']);
      expect(status.doc.pin).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    } finally {
      await unplug(0, cps3);
    }
  }, 60_000);

  it('the --trace files of all of it: PIN commands redacted, no PIN or PUK byte (ASCII or BCD), none in any output', () => {
    const text = traces.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(text).toMatch(/> 0[01] 20 00 01 08 \*\* redacted \(8 bytes\) \*\*/);
    expect(text).toMatch(/> 0[01] 2C 00 01 10 \*\* redacted \(16 bytes\) \*\*/);
    expect(text).toMatch(/> 0[01] 24 00 01 10 \*\* redacted \(16 bytes\) \*\*/);
    const ascii = (code: string) => [...code].map((c) => c.charCodeAt(0).toString(16).toUpperCase()).join(' ');
    const bcd = (code: string) => code.match(/../g)!.join(' ');
    for (const code of [PIN, PUK, WRONG, NEW_PIN]) {
      expect(text, code).not.toContain(ascii(code));
      expect(outputs.join('\n'), code).not.toContain(code);
    }
    // BCD: 4 bytes for the PUK anywhere; 2 bytes for a PIN, in the commands we sent.
    expect(text).not.toContain(bcd(PUK));
    const commands = text.split('\n').filter((l) => l.includes('> '));
    for (const code of [PIN, WRONG, NEW_PIN]) for (const line of commands) expect(line, code).not.toContain(bcd(code));
    // Every VERIFY / CHANGE / RESET RETRY COUNTER with data is redacted.
    for (const line of commands) if (/> 0[01] (20|24|2C) 00 0[12] [0-9A-F]{2} /.test(line)) expect(line).toContain('redacted');
  });
});
