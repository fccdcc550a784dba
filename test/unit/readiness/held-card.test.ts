/**
 * A card another program held exclusively BEFORE the companion could read its ATR: pcsc-mini's
 * change event gives no usable ATR on Linux, so the card cannot be named. The line to fix is
 * "Carte libre pour le navigateur" (what to close), not "the card is not a CPS" — seen in the
 * e2e when the other program took the card within milliseconds of its insertion.
 */
import { describe, expect, it } from 'vitest';
import { cardChecks } from '../../../src-main/readiness/card-checks';
import type { SlotFacts } from '../../../src-main/diagnostics/reader-facts';
import { identifyAtr } from '../../../src-main/card/identify';
import { parseHex } from '../../../src-shared/hex';

function heldSlot(overrides: Partial<SlotFacts> = {}): SlotFacts {
  return {
    reader: 'Virtual PCD 00 00',
    slot: '00',
    siblings: 2,
    expectedRole: 'cps',
    snapshot: { cardPresent: true, inUse: true, mute: false },
    connectError: { code: 'SharingViolation', message: 'held' },
    ...overrides,
  } as SlotFacts;
}

const byId = (checks: ReturnType<typeof cardChecks>) => Object.fromEntries(checks.map((c) => [c.id, c]));

describe('readiness: a card held before it could be named', () => {
  it('CPS slot: a warning that it cannot be checked; "card free": fail with what to close; PIN and certificate skipped', () => {
    const checks = byId(cardChecks([heldSlot(), { ...heldSlot(), reader: 'Virtual PCD 00 01', slot: '01', expectedRole: 'vitale', snapshot: { cardPresent: false, inUse: false, mute: false }, connectError: undefined } as unknown as SlotFacts], true));
    expect(checks['card.cps-slot']).toMatchObject({ status: 'warn', explanation: { fr: expect.stringContaining('un autre programme la tient') } });
    expect(checks['card.cps-slot']!.remedy!.fr).toContain('Vérifier à nouveau');
    expect(checks['card.free']).toMatchObject({ status: 'fail' });
    expect(checks['card.free']!.remedy!.fr).toContain('Fermez le logiciel de pharmacie');
    expect(checks['card.pin']!.status).toBe('skipped');
    expect(checks['card.certificate']!.status).toBe('skipped');
  });

  it('a held card whose ATR says Vitale is still the Vitale-in-the-CPS-slot failure', () => {
    const atr = '3B 75 13 00 00 45 09 EA 90 00';
    const identification = { ...identifyAtr(parseHex(atr)!), confirmed: false, evidence: ['connect: SharingViolation'] };
    const checks = byId(cardChecks([heldSlot({ snapshot: { cardPresent: true, inUse: true, mute: false, atr }, identification } as Partial<SlotFacts>)], true));
    expect(checks['card.cps-slot']).toMatchObject({ status: 'fail', explanation: { fr: 'Une carte Vitale est dans la fente CPS.' } });
  });

  it('a card that answers but is not a CPS (not held) is still "not a CPS"', () => {
    const checks = byId(cardChecks([heldSlot({ snapshot: { cardPresent: true, inUse: false, mute: false, atr: '3B 65 00 00 20 63 CB 66 00' }, connectError: undefined, connected: { protocol: 'T0', atr: '3B6500002063CB6600' } as SlotFacts['connected'] })], true));
    expect(checks['card.cps-slot']).toMatchObject({ status: 'fail', explanation: { fr: 'La carte insérée n’est pas une CPS.' } });
  });
});
