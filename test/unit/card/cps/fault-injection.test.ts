/**
 * Fault injection through the REAL virtual cards (in-process reader): every PIN operation,
 * with the card pulled out (`drop:N`) or gone mute (`mute:N`, watchdog) at each APDU position.
 * Then the same card (its non-volatile PIN state) goes back in a sound slot and we check that
 * no try was spent that the user did not ask for, that at most one PIN command was sent, and
 * that every failure is a typed error (nothing crashed).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isEcpsError } from '../../../../src-shared/errors';
import { CardChannel } from '../../../../src-main/card/channel';
import { identifyCard } from '../../../../src-main/card/identify';
import { CpsCard } from '../../../../src-main/card/cps/cps-card';
import { createCpsCard, withSandboxCredentials, type CpsCardOptions } from '../../../../simulators/cards/cps-catalog';
import { applyFaults } from '../../../../simulators/cards/faults';
import { InProcessReader } from '../../../../simulators/cards/in-process-reader';
import type { VirtualCard } from '../../../../simulators/cards/virtual-card';

type Op = 'verify-right' | 'verify-wrong' | 'change' | 'unblock';
const OPS: Op[] = ['verify-right', 'verify-wrong', 'change', 'unblock'];
const PIN_INS = new Set([0x20, 0x24, 0x2c]);

async function session(card: VirtualCard) {
  const reader = new InProcessReader({ transmitTimeoutMs: 40 });
  reader.insert(0, card);
  await reader.start();
  const connection = await reader.connect(reader.slotNames[0]!);
  let pinCommands = 0;
  let apdus = 0;
  // Counted as they leave, answered or not (onExchange only sees answered exchanges).
  const transmit = connection.transmit.bind(connection);
  connection.transmit = (command, options) => {
    apdus++;
    if (PIN_INS.has(command[1]!) && command.length > 5) pinCommands++;
    return transmit(command, options);
  };
  const channel = new CardChannel(connection);
  const identification = await identifyCard(connection.atr, channel);
  const cps = new CpsCard(channel, identification);
  return { reader, cps, counts: () => ({ apdus, pinCommands }) };
}

function run(cps: CpsCard, op: Op): Promise<unknown> {
  switch (op) {
    case 'verify-right':
      return cps.verifyPin('1234');
    case 'verify-wrong':
      return cps.verifyPin('0000');
    case 'change':
      return cps.changePin('1234', '4321');
    case 'unblock':
      return cps.unblockPin('12345678', '4321');
  }
}

/** PIN tries left and PUK tries left, read on a sound reader. */
async function counters(card: VirtualCard, kind: 'cps3' | 'cps4') {
  const { cps } = await session(card);
  const pin = await cps.pinStatus();
  const puk = kind === 'cps3' ? (await cps.pukStatus()).triesLeft : undefined;
  return { pin: pin.triesLeft, puk };
}

describe.each(['cps3', 'cps4'] as const)('%s: a fault at every APDU of every PIN operation', (kind) => {
  let options: CpsCardOptions;
  beforeAll(async () => {
    options = await withSandboxCredentials({});
  });
  const fresh = (op: Op) => createCpsCard(kind, { ...options, ...(op === 'unblock' ? { variant: 'blocked' as const } : {}) });

  it.each(OPS)('%s', async (op) => {
    // A clean run first: how many APDUs from power-on, and the counters it leaves.
    const clean = fresh(op);
    const first = await session(clean);
    const identifyApdus = first.counts().apdus;
    await run(first.cps, op).catch(() => undefined);
    const total = first.counts().apdus;
    const expected = await counters(clean, kind);

    for (let at = identifyApdus + 1; at <= total; at++) {
      for (const fault of [`drop:${at}`, `mute:${at - 1}`]) {
        const inner = fresh(op);
        const before = await counters(inner, kind);
        const { reader, cps, counts } = await session(applyFaults(inner, [fault]));
        const outcome = await run(cps, op).then(
          () => 'ok',
          (error: unknown) => (isEcpsError(error) ? error.code : `crash: ${String(error)}`),
        );
        reader.remove(0);
        const context = `${kind} ${op} ${fault}: ${outcome}`;
        expect(outcome, context).not.toMatch(/^crash/);
        expect(counts().pinCommands, context).toBeLessThanOrEqual(1);
        const after = await counters(inner, kind);
        // Never more spent than the clean run spends (a wrong code: one try; else none).
        expect(after.pin, context).toBeGreaterThanOrEqual(Math.min(before.pin, expected.pin));
        if (after.puk !== undefined && before.puk !== undefined) expect(after.puk, context).toBeGreaterThanOrEqual(expected.puk!);
        if (counts().pinCommands === 0) expect(after, context).toEqual(before);
      }
    }
  });
});
