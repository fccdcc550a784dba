import { describe, expect, it } from 'vitest';
import { CpsCard } from '../../../../src-main/card/cps/cps-card';
import { UnknownCard, VitaleCard, openCardApplication } from '../../../../src-main/card/cps/vitale-card';
import { openVirtual } from './virtual-cps';

describe('openCardApplication: CPS, Vitale or unknown', () => {
  it('a Vitale 2 in the CPS slot: "insert your CPS in the other slot", no APDU beyond identification', async () => {
    const { application, exchanges } = await openVirtual('vitale2', {}, { withCredentials: false });
    expect(application).toBeInstanceOf(VitaleCard);
    const vitale = application as VitaleCard;
    expect(vitale.generation).toBe('vitale2');
    const outcome = vitale.outcome();
    expect(outcome.code).toBe('VitaleInCpsSlot');
    expect(outcome.text('fr')).toBe('Ceci est une carte Vitale — insérez votre carte CPS dans l’autre fente.');
    expect(outcome.text('en')).toBe('This is a Vitale card — insert your CPS card in the other slot.');
    expect(exchanges()).toBe(0); // Vitale is named from its ATR: nothing on it is ours to read
  });

  it('a bank card is an UnknownCard with NotACps', async () => {
    const { application } = await openVirtual('bank', {}, { withCredentials: false });
    expect(application).toBeInstanceOf(UnknownCard);
    expect((application as UnknownCard).outcome().code).toBe('NotACps');
  });

  it('a CPS is opened only when the card confirmed it', async () => {
    const { application, identification, channel } = await openVirtual('cps3', {}, { withCredentials: false });
    expect(application).toBeInstanceOf(CpsCard);
    expect(openCardApplication({ ...identification, confirmed: false }, channel)).toBeInstanceOf(UnknownCard);
    expect(openCardApplication({ ...identification, type: 'vitale1' }, channel)).toBeInstanceOf(VitaleCard);
  });

  it('a CPS without keys still answers PIN status; identity says what is missing', async () => {
    const { application } = await openVirtual('cps4', {}, { withCredentials: false });
    const cps = application as CpsCard;
    expect(await cps.pinStatus()).toEqual({ triesLeft: 3, maxTries: 3, blocked: false });
    await expect(cps.readIdentity()).rejects.toMatchObject({ code: 'CpsObjectMissing', details: { what: 'authentication key' } });
  });
});
