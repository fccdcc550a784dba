/**
 * withCardOnPort's exclusive sessions (PIN, the training activation) against the app's own
 * brief shared looks at the card: the exclusive connect waits for them instead of reporting
 * "another application holds the card" (a race seen when the activation started while the
 * app was still identifying a card just inserted); a card really held elsewhere still fails.
 */
import { describe, expect, it } from 'vitest';
import { createDemoReader, createVirtualCardWithCredentials } from '../../../simulators/cards/catalog';
import { withCardOnPort } from '../../../src-main/reader/card-session';
import { isEcpsError } from '../../../src-shared/errors';

async function demoPort() {
  const port = createDemoReader({ cps: await createVirtualCardWithCredentials('cps3'), vitale: null });
  await port.start();
  const reader = port.readers().find((r) => r.cardPresent)!.name;
  return { port, reader };
}

describe('withCardOnPort, exclusive', () => {
  it('waits while a shared look of our own is still on the card, then opens the session', async () => {
    const { port, reader } = await demoPort();
    const look = await port.connect(reader, { share: 'shared' });
    setTimeout(() => void look.disconnect(), 200);
    const started = Date.now();
    const kind = await withCardOnPort(port, { reader, share: 'exclusive' }, async (session) => session.application.kind);
    expect(kind).toBe('cps');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await port.stop();
  });

  it('a card held for longer than the wait: SharingViolation, as before', async () => {
    const { port, reader } = await demoPort();
    const holder = await port.connect(reader, { share: 'shared' });
    const error = await withCardOnPort(port, { reader, share: 'exclusive', exclusiveWaitMs: 300 }, async () => 'opened').catch((e: unknown) => e);
    expect(isEcpsError(error, 'SharingViolation')).toBe(true);
    await holder.disconnect();
    await port.stop();
  });

  it('shared sessions never wait: a shared connect beside another shared one opens at once', async () => {
    const { port, reader } = await demoPort();
    const other = await port.connect(reader, { share: 'shared' });
    const started = Date.now();
    await withCardOnPort(port, { reader }, async () => undefined);
    expect(Date.now() - started).toBeLessThan(150);
    await other.disconnect();
    await port.stop();
  });
});
