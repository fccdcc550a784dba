/**
 * runReadiness over the in-process reader (the same card code as over PC/SC): each card
 * situation has its own line and remedy; the PIN counter is read without spending a try.
 */
import { describe, expect, it } from 'vitest';
import { createDemoReader, createVirtualCard, createVirtualCardWithCredentials } from '../../../simulators/cards/catalog';
import { createCps3 } from '../../../simulators/cards/cps3';
import { issueCardCredentials, TEST_HOLDERS } from '../../../simulators/pki/index';
import { runReadiness } from '../../../src-main/readiness/run';
import type { BrowserProbe, CardContext } from '../../../src-main/readiness/types';
import type { VirtualCard } from '../../../simulators/cards/virtual-card';
import { demoReader, fakePcscPort } from '../diagnostics/helpers';

/** A browser probe that records what it was told about the card. */
function spyProbe(): BrowserProbe & { seen: CardContext[] } {
  const seen: CardContext[] = [];
  return { platform: 'linux', seen, checks: async (card) => (seen.push(card), []) };
}

const statusOf = (run: Awaited<ReturnType<typeof runReadiness>>, id: string) => run.checks.find((c) => c.id === id)?.status;

describe('runReadiness', () => {
  it('a CPS3 in the CPS slot: every machine and card line OK, the masked card summary, the certificate serial handed to the browser probe', async () => {
    const port = await demoReader('cps3', 'vitale2');
    const probe = spyProbe();
    const run = await runReadiness({ port, demo: true, browser: probe });
    expect(run.checks.map((c) => [c.group, c.id])).toEqual([
      ['machine', 'pcsc.service'],
      ['machine', 'pcsc.readers'],
      ['card', 'card.cps-slot'],
      ['card', 'card.responsive'],
      ['card', 'card.free'],
      ['card', 'card.pin'],
      ['card', 'card.certificate'],
    ]);
    expect(run.checks.filter((c) => c.group === 'card').every((c) => c.status === 'ok')).toBe(true);
    expect(run.card).toMatchObject({ type: 'cps3', holderMasked: 'D*** M***', pinTriesLeft: 3, pinMaxTries: 3 });
    expect(JSON.stringify(run.card)).not.toContain('DUPONT');
    expect(probe.seen[0]).toMatchObject({ demo: true, present: true, type: 'cps3', certificateSerial: expect.stringMatching(/^[0-9A-F]+$/i) });
    await port.stop();
  });

  it('a Vitale card in the CPS slot: fail, "Retirez la carte Vitale…"; the card lines after it are not checked', async () => {
    const port = await demoReader('vitale2', null);
    const run = await runReadiness({ port, demo: true, browser: false });
    const slot = run.checks.find((c) => c.id === 'card.cps-slot')!;
    expect(slot).toMatchObject({ status: 'fail', explanation: { fr: 'Une carte Vitale est dans la fente CPS.' }, action: { kind: 'rerun' } });
    expect(slot.remedy!.fr).toContain('Retirez la carte Vitale');
    expect(['card.pin', 'card.certificate'].map((id) => statusOf(run, id))).toEqual(['skipped', 'skipped']);
    await port.stop();
  });

  it('cards swapped: the CPS in the Vitale slot and the Vitale in the CPS slot', async () => {
    const port = await demoReader('vitale2', 'cps3');
    const run = await runReadiness({ port, demo: true, browser: false });
    expect(run.checks.find((c) => c.id === 'card.cps-slot')!.explanation.fr).toContain('les cartes sont inversées');
    await port.stop();
  });

  it('an expiring certificate (10 days left): warn under 30 days, with the renewal remedy', async () => {
    const credentials = await issueCardCredentials(TEST_HOLDERS.pharmacist, { notAfter: new Date(Date.now() + 10 * 86_400_000) });
    const card = createCps3({ credentials: { authentication: credentials.authentication, signature: credentials.signature } });
    const port = createDemoReader({ cps: card, vitale: null });
    await port.start();
    const run = await runReadiness({ port, demo: true, browser: false });
    const cert = run.checks.find((c) => c.id === 'card.certificate')!;
    expect(cert).toMatchObject({ status: 'warn', explanation: { fr: expect.stringMatching(/^La CPS expire dans (9|10) jour/) } });
    expect(cert.remedy!.fr).toContain('renouvellement');
    await port.stop();
  });

  it('an expired card and a blocked PIN fail; PIN tries read WITHOUT any VERIFY, CHANGE or RESET RETRY COUNTER', async () => {
    const commands: Uint8Array[] = [];
    const watch = (card: VirtualCard): VirtualCard => ({
      label: card.label,
      atr: () => card.atr(),
      powerOn: () => card.powerOn(),
      powerOff: () => card.powerOff(),
      reset: () => card.reset(),
      transmit: (c) => (commands.push(c.slice()), card.transmit(c)),
    });
    const port = createDemoReader({ cps: watch(await createVirtualCardWithCredentials('cps3', { variant: 'blocked' })), vitale: createVirtualCard('vitale2') });
    await port.start();
    const run = await runReadiness({ port, demo: true, browser: false });
    expect(statusOf(run, 'card.pin')).toBe('fail');
    expect(commands.length).toBeGreaterThan(3);
    expect(commands.filter((c) => c[1] === 0x20 || c[1] === 0x24 || c[1] === 0x2c)).toEqual([]);
    await port.stop();

    const expired = await demoReader('cps3', null, 'expired');
    expect(statusOf(await runReadiness({ port: expired, demo: true, browser: false }), 'card.certificate')).toBe('fail');
    await expired.stop();
  });

  it('no CPS at all, no reader, service down: each says so, the card lines are skipped', async () => {
    const empty = await demoReader(null, null);
    const run = await runReadiness({ port: empty, demo: true, browser: false });
    expect(run.checks.find((c) => c.id === 'card.cps-slot')).toMatchObject({ status: 'fail', explanation: { fr: 'Aucune carte CPS n’est insérée.' } });
    await empty.stop();

    const none = await runReadiness({ port: fakePcscPort({ up: true, readers: [] }), demo: false, browser: false, platform: { platform: 'linux', pcscService: async () => ({ platform: 'linux' }) } });
    expect(statusOf(none, 'pcsc.readers')).toBe('fail');
    expect(none.checks.filter((c) => c.group === 'card').every((c) => c.status === 'skipped')).toBe(true);

    const down = await runReadiness({ port: fakePcscPort({ up: false }), demo: false, browser: false, platform: { platform: 'linux', pcscService: async () => ({ platform: 'linux', processRunning: false, socketPath: '/run/pcscd/pcscd.comm', socketPresent: false }) } });
    expect(statusOf(down, 'pcsc.service')).toBe('fail');
    expect(down.status).toBe('fail');
  });
});
